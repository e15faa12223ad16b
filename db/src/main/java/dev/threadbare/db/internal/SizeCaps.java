package dev.threadbare.db.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-database size caps that replace {@code DbOptions.previewLimitBytes} for one preview (a
 * deployment's {@code [db] preview_limit}). Kept in memory: the deployer sets a database's cap each
 * time it starts the deployment that owns it. Thread safe.
 */
public final class SizeCaps {
  private final Map<String, Long> caps = new ConcurrentHashMap<>();

  public void set(String database, long bytes) {
    if (bytes <= 0) {
      throw new IllegalArgumentException("the cap of " + database + " must be positive: " + bytes);
    }
    caps.put(database, bytes);
  }

  /** The cap of {@code database}, or {@code fallback} when none was set. */
  public long of(String database, long fallback) {
    return caps.getOrDefault(database, fallback);
  }
}
