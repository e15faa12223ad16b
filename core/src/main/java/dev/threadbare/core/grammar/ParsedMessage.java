package dev.threadbare.core.grammar;

import java.util.List;

/**
 * What the grammar read in one message: its file blocks, its commands and the commit message, plus
 * the problems found. File blocks, {@code rm} and {@code mv} of one message form one atomic change.
 * When {@link #problems()} holds a refused path the whole change is refused. Immutable.
 */
public record ParsedMessage(
    List<FileBlock> files, List<Command> commands, String commitMessage, List<Problem> problems) {

  public ParsedMessage {
    files = List.copyOf(files);
    commands = List.copyOf(commands);
    problems = List.copyOf(problems);
    commitMessage = commitMessage == null ? "" : commitMessage;
  }

  /** Whether the message changes the tree: it has file blocks, {@code rm} or {@code mv}. */
  public boolean changesTree() {
    return !files.isEmpty()
        || commands.stream()
            .anyMatch(c -> c instanceof Command.Remove || c instanceof Command.Move);
  }
}
