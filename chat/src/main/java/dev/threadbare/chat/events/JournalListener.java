package dev.threadbare.chat.events;

import dev.threadbare.core.journal.JournalEntry;
import java.util.List;

/**
 * Told about entries once they are durable in the journal, such as the materializer and the bot.
 * Called on one hand-off thread, in journal order, never on the thread that acknowledges Slack; an
 * implementation may block briefly but should not throw (a throw is logged and the next batch still
 * arrives).
 */
@FunctionalInterface
public interface JournalListener {

  /** {@code entries} were newly appended (duplicates of stored entries are never passed). */
  void onJournaled(List<JournalEntry> entries);
}
