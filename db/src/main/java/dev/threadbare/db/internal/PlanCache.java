package dev.threadbare.db.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Plans by statement text, valid for one schema version: applications repeat the same statements
 * with new parameters, so the parse and the rules run once per statement and schema. Bounded: when
 * full it starts over. Thread safe.
 */
public final class PlanCache {
  private record Entry(long schemaVersion, Plan plan) {}

  private final Map<String, Entry> plans = new ConcurrentHashMap<>();
  private final int limit;

  public PlanCache(int limit) {
    this.limit = limit;
  }

  /** The plan made for {@code sql} at {@code schemaVersion}, or null. */
  public Plan get(String sql, long schemaVersion) {
    Entry entry = plans.get(sql);
    return entry != null && entry.schemaVersion() == schemaVersion ? entry.plan() : null;
  }

  public void put(String sql, long schemaVersion, Plan plan) {
    if (plans.size() >= limit) {
      plans.clear();
    }
    plans.put(sql, new Entry(schemaVersion, plan));
  }
}
