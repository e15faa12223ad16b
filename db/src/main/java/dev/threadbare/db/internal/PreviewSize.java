package dev.threadbare.db.internal;

import java.sql.SQLException;
import java.util.concurrent.TimeUnit;

/**
 * How a preview's writes are held to its cap without asking the engine for the database's size on
 * every write (on PostgreSQL that query cost more than the INSERT it guarded): the size is
 * measured, and writes are admitted against that measure plus a generous bound on what the writes
 * admitted since then can have added. When that bound would reach the cap, or the measure is older
 * than {@link #MAX_AGE_NANOS}, the size is measured again; a write is refused only against a fresh
 * measure, so the cap never refuses a write the old check per write would have let through. Thread
 * safe.
 */
final class PreviewSize {
  /** A write grows the database by at most this many times its estimate, plus a row's overhead. */
  static final int GROWTH_FACTOR = 4;

  static final long ROW_OVERHEAD_BYTES = 256;

  /** A measure is trusted this long (the writes of other processes are not seen in between). */
  static final long MAX_AGE_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** Measures the database's size now. */
  @FunctionalInterface
  interface Probe {
    long measure() throws SQLException;
  }

  private long measured = -1;
  private long measuredAt;
  private long admittedSince;

  /**
   * Admits a write of about {@code estimate} bytes to {@code database}, or refuses it (53100) when
   * the database's measured size plus the estimate passes {@code limit}.
   */
  synchronized void admit(String database, long estimate, long limit, Probe probe)
      throws SQLException {
    long bound = GROWTH_FACTOR * estimate + ROW_OVERHEAD_BYTES;
    long now = System.nanoTime();
    if (measured >= 0
        && now - measuredAt < MAX_AGE_NANOS
        && measured + admittedSince + bound <= limit) {
      admittedSince += bound;
      return;
    }
    measured = probe.measure();
    measuredAt = now;
    admittedSince = 0;
    if (measured + estimate > limit) {
      throw Errors.previewFull(database, measured, limit);
    }
    admittedSince = bound;
  }
}
