package dev.threadbare.chat.bot;

import dev.threadbare.core.journal.JournalEntry;
import java.util.List;

/**
 * What the bot needs from the materializer: what became of journal entries, and a repository's
 * state for {@code status}. The {@code app} module wires the real materializer in; implementations
 * are thread safe.
 */
public interface Materialization {

  /**
   * The outcome of each entry in {@code entries} (newly journaled, in journal order), once the
   * materializer has applied them; entries that change nothing may be left out. May block while the
   * materializer catches up.
   */
  List<EntryOutcome> outcomes(List<JournalEntry> entries);

  /** The state of the channel's repository, for the bot's status message. */
  RepositoryStatus status(String team, String channel);
}
