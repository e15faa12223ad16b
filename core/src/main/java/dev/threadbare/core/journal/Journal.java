package dev.threadbare.core.journal;

import java.util.List;
import java.util.function.Consumer;

/**
 * The durable record of the chat: the port every storage engine (SQLite, PostgreSQL) implements.
 *
 * <p>Implementations are thread safe. {@link #append} returns only after the new entries are
 * durable (committed and synced), so a caller may acknowledge an event once it returns.
 */
public interface Journal extends AutoCloseable {

  /**
   * Appends entries atomically, in order, skipping any whose identity ({@code team, channel, ts,
   * kind, version}) is already stored or repeated earlier in the same call.
   *
   * @return the entries that were new, with their assigned {@code seq}, in order
   */
  List<JournalEntry> append(List<JournalEntry> entries);

  /** Calls {@code sink} with every entry whose seq is greater than {@code afterSeq}, in order. */
  void replay(long afterSeq, Consumer<JournalEntry> sink);

  /** Up to {@code limit} entries after {@code afterSeq}, in order. */
  List<JournalEntry> read(long afterSeq, int limit);

  /** The greatest seq stored, or 0 for an empty journal. */
  long lastSeq();

  /** The position a named consumer (such as the materializer) has durably processed, or 0. */
  long cursor(String consumer);

  /** Records that {@code consumer} has processed every entry up to {@code seq}. */
  void saveCursor(String consumer, long seq);

  @Override
  void close();
}
