package dev.threadbare.materializer;

import dev.threadbare.core.journal.Journal;
import dev.threadbare.core.journal.JournalEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A journal in memory with the port's identity and dedup semantics, for fast property tests (the
 * SQLite and PostgreSQL journals are exercised by the rebuild tests). Thread safe.
 */
final class InMemoryJournal implements Journal {

  private final List<JournalEntry> entries = new ArrayList<>();
  private final Set<List<Object>> identities = new HashSet<>();
  private final Map<String, Long> cursors = new HashMap<>();

  @Override
  public synchronized List<JournalEntry> append(List<JournalEntry> batch) {
    List<JournalEntry> added = new ArrayList<>();
    for (JournalEntry e : batch) {
      if (identities.add(List.of(e.team(), e.channel(), e.ts(), e.kind(), e.version()))) {
        JournalEntry stored = e.withSeq(entries.size() + 1L);
        entries.add(stored);
        added.add(stored);
      }
    }
    return added;
  }

  @Override
  public synchronized void replay(long afterSeq, Consumer<JournalEntry> sink) {
    read(afterSeq, Integer.MAX_VALUE).forEach(sink);
  }

  @Override
  public synchronized List<JournalEntry> read(long afterSeq, int limit) {
    int from = (int) Math.min(afterSeq, entries.size());
    return List.copyOf(entries.subList(from, (int) Math.min(entries.size(), from + (long) limit)));
  }

  @Override
  public synchronized long lastSeq() {
    return entries.size();
  }

  @Override
  public synchronized long cursor(String consumer) {
    return cursors.getOrDefault(consumer, 0L);
  }

  @Override
  public synchronized void saveCursor(String consumer, long seq) {
    cursors.put(consumer, seq);
  }

  @Override
  public void close() {}
}
