package dev.threadbare.chat.bot;

import dev.threadbare.core.grammar.Problem;
import dev.threadbare.core.journal.JournalEntry;
import java.util.List;
import java.util.Objects;

/**
 * What the materializer made of one journal entry. Immutable.
 *
 * @param entry the journal entry
 * @param result taken, a code block without a path, refused, or nothing for the tree
 * @param branch the branch the change landed on (the thread's branch or main), or null
 * @param commit the commit id, or null when nothing was committed
 * @param changes the files the commit changed, each with a compact diff for new versions
 * @param problems why parts of the message were not taken (for the sender, privately)
 */
public record EntryOutcome(
    JournalEntry entry,
    Result result,
    String branch,
    String commit,
    List<FileChange> changes,
    List<Problem> problems) {

  /** The bot's answer follows from this: ✅, ❓, ❌ or silence. */
  public enum Result {
    /** The change was committed: ✅. */
    TAKEN,
    /** A code block without a path: ❓ and a private explanation of the grammar. */
    NO_PATH,
    /** The change was refused (a bad path, a too-long block, a binary file): ❌ and the reasons. */
    REFUSED,
    /** The entry changes no file (plain chat, a reaction): no answer. */
    NOTHING
  }

  public EntryOutcome {
    Objects.requireNonNull(entry, "entry");
    Objects.requireNonNull(result, "result");
    changes = List.copyOf(changes);
    problems = List.copyOf(problems);
  }

  /** An outcome that changes nothing. */
  public static EntryOutcome nothing(JournalEntry entry) {
    return new EntryOutcome(entry, Result.NOTHING, null, null, List.of(), List.of());
  }
}
