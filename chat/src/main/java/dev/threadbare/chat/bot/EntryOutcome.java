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
    /** The change was taken into the history (committed, or superseded by a newer one): ✅. */
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

  /**
   * The outcome of an entry as a materializer reports it, the result following DESIGN.md section 5:
   * refused → ❌; committed → ✅; else a code block without a path → ❓; else nothing.
   *
   * @param refused whether a problem refused the whole change
   * @param branch the first branch the entry changed, or null
   * @param commit the new head of that branch, or null
   */
  public static EntryOutcome of(
      JournalEntry entry,
      boolean refused,
      String branch,
      String commit,
      List<FileChange> changes,
      List<Problem> problems) {
    return of(entry, refused, false, branch, commit, changes, problems);
  }

  /**
   * The outcome of an entry, the result following DESIGN.md section 5: refused → ❌; a change that
   * defines files, {@code rm} or {@code mv} → ✅ (it is part of the history even when a newer
   * message supersedes it, so that no tree changed); committed → ✅; else a code block without a
   * path → ❓; else nothing.
   *
   * @param refused whether a problem refused the whole change
   * @param definesChange whether the message defines files, {@code rm} or {@code mv}
   * @param branch the branch the entry changed (its own), or null
   * @param commit the new head of that branch, or null when no tree changed
   */
  public static EntryOutcome of(
      JournalEntry entry,
      boolean refused,
      boolean definesChange,
      String branch,
      String commit,
      List<FileChange> changes,
      List<Problem> problems) {
    Result result;
    if (refused) {
      result = Result.REFUSED;
    } else if (commit != null || definesChange) {
      result = Result.TAKEN;
    } else if (problems.stream().anyMatch(p -> Problem.NO_PATH.equals(p.rule()))) {
      result = Result.NO_PATH;
    } else {
      result = Result.NOTHING;
    }
    return new EntryOutcome(
        entry, result, branch, commit, commit == null ? List.of() : changes, problems);
  }

  /** An outcome that changes nothing. */
  public static EntryOutcome nothing(JournalEntry entry) {
    return new EntryOutcome(entry, Result.NOTHING, null, null, List.of(), List.of());
  }
}
