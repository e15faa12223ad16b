package dev.threadbare.db.internal;

import dev.threadbare.db.internal.CatalogStore.UsageRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Usage kept in memory on the hot path and written to the catalog in batches: per (database,
 * version, table, column, kind) the first and last use, and per index its last use. Thread safe.
 */
public final class UsageTracker {
  record Key(String database, String version, String table, String column, Plan.UseKind kind) {}

  record IndexKey(String database, String index) {}

  private final Map<Key, long[]> pending = new ConcurrentHashMap<>();
  private final Map<IndexKey, Long> indexUses = new ConcurrentHashMap<>();

  /** Records the uses of one statement at {@code now} (epoch millis). */
  public void record(String database, String version, List<Plan.Use> uses, long now) {
    for (Plan.Use use : uses) {
      Key key = new Key(database, version, use.table(), use.column(), use.kind());
      long[] span = pending.get(key);
      if (span != null && span[0] <= now && now <= span[1]) {
        // already covered (the common case within one clock tick): a lock-free read instead of
        // merge, which locks the entry and makes concurrent sessions on one column contend
        continue;
      }
      pending.merge(
          key,
          new long[] {now, now},
          (old, add) -> new long[] {Math.min(old[0], add[0]), Math.max(old[1], add[1])});
    }
  }

  /** Records that a statement could use {@code index} at {@code now}. */
  public void indexUsed(String database, String index, long now) {
    IndexKey key = new IndexKey(database, index);
    Long last = indexUses.get(key);
    if (last != null && last >= now) {
      return; // already recorded: skip merge's lock, as in record
    }
    indexUses.merge(key, now, Math::max);
  }

  /** Writes everything pending to the catalog. */
  public synchronized void flush(CatalogStore catalog) {
    Map<String, List<UsageRow>> byDatabase = new java.util.HashMap<>();
    for (Key key : new ArrayList<>(pending.keySet())) {
      long[] span = pending.remove(key);
      if (span != null) {
        byDatabase
            .computeIfAbsent(key.database(), k -> new ArrayList<>())
            .add(
                new UsageRow(
                    key.version(),
                    key.table(),
                    key.column(),
                    key.kind().name().toLowerCase(java.util.Locale.ROOT),
                    span[0],
                    span[1]));
      }
    }
    byDatabase.forEach(catalog::recordUsage);
    for (IndexKey key : new ArrayList<>(indexUses.keySet())) {
      Long at = indexUses.remove(key);
      if (at != null) {
        catalog.indexUsed(key.database(), key.index(), at);
      }
    }
  }
}
