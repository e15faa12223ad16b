package dev.threadbare.core.materialization;

import dev.threadbare.core.journal.JournalEntry;
import java.util.List;
import java.util.Optional;

/**
 * The port between the journal's consumers and the materializer (the bot answers from it; CI runs
 * and deploys hang off it): bring git up to the journal, learn what became of each entry, read a
 * channel repository's state. The materializer module implements it once ({@code Materializer});
 * implementations are thread safe, and one caller at a time materializes.
 *
 * <p>Every entry is materialized once, by whichever caller of {@link #catchUp()} gets there first;
 * its outcome goes to that caller and to every {@linkplain #addListener listener}, after its
 * commits and refs are durable. So a consumer that must see every outcome registers a listener
 * (before calling {@code catchUp()} for the first time); a caller that only drives materialization
 * may ignore the result.
 */
public interface Materialization {

  /**
   * Materializes every journal entry not yet in git. Returns the outcome of each entry this call
   * materialized, in journal order (an entry about a user or a channel has none); empty when
   * another caller got there first. Blocks while another caller materializes.
   */
  List<EntryOutcome> catchUp();

  /**
   * Calls {@code listener} with the outcomes of every batch materialized from now on, in journal
   * order, on the materializing thread, once the batch is durable. A listener should be quick (hand
   * slow work to a queue such as the bot's outbox); an exception it throws is logged and the others
   * are still called.
   */
  void addListener(MaterializationListener listener);

  /**
   * The outcome of an entry that an earlier run materialized (before this one started), read again
   * from its message: result, problems, defined paths and commands, but no commit and no file
   * changes (which commit an entry made is not kept). Empty for an entry this run materialized (its
   * outcome went to the listeners), one not yet materialized, or one with no outcome. This is how a
   * consumer that crashed between the materializer's progress and its own answers an entry it
   * missed.
   */
  Optional<EntryOutcome> recall(JournalEntry entry);

  /** The state of the channel's repository, as {@code status} reports it. */
  RepositoryStatus status(String team, String channel);
}
