package dev.threadbare.materializer;

import dev.threadbare.core.grammar.Problem;
import dev.threadbare.core.journal.JournalEntry;
import java.util.List;
import java.util.Objects;

/**
 * What the materializer did with one journal entry, reported to listeners once the entry's commits
 * and refs are durable: the commits it appended (one per branch whose head changed) and the
 * grammar's problems, from which the bot picks its reaction (✅ committed, ❌ refused, ❓ a code block
 * without a path). Immutable.
 *
 * @param entry the journal entry
 * @param changes one element per branch whose head changed, in branch order ({@code main} first)
 * @param problems the grammar's problems with the message (empty for other entries)
 * @param refused whether a problem refused the message's whole change
 */
public record Outcome(
    JournalEntry entry, List<BranchChange> changes, List<Problem> problems, boolean refused) {

  public Outcome {
    Objects.requireNonNull(entry, "entry");
    changes = List.copyOf(changes);
    problems = List.copyOf(problems);
  }

  /** Whether the entry changed at least one branch. */
  public boolean committed() {
    return !changes.isEmpty();
  }
}
