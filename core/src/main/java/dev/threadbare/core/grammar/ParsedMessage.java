package dev.threadbare.core.grammar;

import java.util.List;

/**
 * What the grammar read in one message: its file blocks, its commands and the commit message, plus
 * the problems found. File blocks, {@code rm} and {@code mv} of one message form one atomic change.
 * Immutable.
 *
 * <p>When a problem {@linkplain Problem#refusesChange() refuses the change} (a bad path, a
 * duplicate path, a block over the lint limit, an unterminated fence) the grammar returns no files
 * and no commands at all, so that nothing of the message takes effect; {@link #refused()} is then
 * true and {@link #problems()} says why.
 *
 * @param files the files the message defines, in message order (code blocks, then attachments)
 * @param commands the command lines, in message order
 * @param commitMessage the message text without file blocks, their path lines and command lines,
 *     trimmed; empty when nothing else is said (the materializer then writes a subject from what
 *     the commit does: {@code Add src/a.py}, {@code Update README.md}, {@code Remove old.py})
 * @param problems what was not taken, and why
 */
public record ParsedMessage(
    List<FileBlock> files, List<Command> commands, String commitMessage, List<Problem> problems) {

  public ParsedMessage {
    files = List.copyOf(files);
    commands = List.copyOf(commands);
    problems = List.copyOf(problems);
    commitMessage = commitMessage == null ? "" : commitMessage;
  }

  /** A message with nothing in it for threadbare (a bot's message, an empty one). */
  public static ParsedMessage empty() {
    return new ParsedMessage(List.of(), List.of(), "", List.of());
  }

  /** Whether a problem refuses the message's whole change; see {@link Problem#refusesChange()}. */
  public boolean refused() {
    return problems.stream().anyMatch(Problem::refusesChange);
  }

  /**
   * Whether the message changes the tree: it has file blocks, {@code rm} or {@code mv}, and was not
   * refused.
   */
  public boolean changesTree() {
    return !refused()
        && (!files.isEmpty()
            || commands.stream()
                .anyMatch(c -> c instanceof Command.Remove || c instanceof Command.Move));
  }
}
