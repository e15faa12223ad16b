package dev.threadbare.db;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link DbLayer} behaves: its clock (tests move it), how long an unused index or column is
 * kept, the size cap of preview databases, where ops events go, and the longest statement it
 * parses. Immutable.
 *
 * @param clock the layer's clock; every "when" the layer records reads it
 * @param retention how long an index may go unused before it is dropped, and a column before the GC
 *     report calls it collectible (30 days by default)
 * @param previewLimitBytes the size cap of every database other than {@code prod} (64 MB default)
 * @param opsListener receives indexes created and dropped, and background failures
 * @param maxStatementChars the longest SQL text accepted (1,000,000 by default); longer is refused
 *     with SQLSTATE 54000 before parsing
 */
public record DbOptions(
    Clock clock,
    Duration retention,
    long previewLimitBytes,
    OpsListener opsListener,
    int maxStatementChars) {

  public DbOptions {
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(retention, "retention");
    Objects.requireNonNull(opsListener, "opsListener");
    if (retention.isNegative() || retention.isZero()) {
      throw new IllegalArgumentException(
          "retention " + retention + " must be positive: it is how long unused indexes are kept");
    }
    if (previewLimitBytes <= 0) {
      throw new IllegalArgumentException(
          "previewLimitBytes " + previewLimitBytes + " must be positive");
    }
    if (maxStatementChars <= 0) {
      throw new IllegalArgumentException(
          "maxStatementChars " + maxStatementChars + " must be positive");
    }
  }

  /** The defaults: system UTC clock, 30 days, 64 MB, events logged, 1,000,000 characters. */
  public static DbOptions defaults() {
    return new DbOptions(
        Clock.systemUTC(), Duration.ofDays(30), 64L * 1024 * 1024, OpsListener.LOG, 1_000_000);
  }

  public DbOptions withClock(Clock newClock) {
    return new DbOptions(newClock, retention, previewLimitBytes, opsListener, maxStatementChars);
  }

  public DbOptions withRetention(Duration newRetention) {
    return new DbOptions(clock, newRetention, previewLimitBytes, opsListener, maxStatementChars);
  }

  public DbOptions withPreviewLimitBytes(long bytes) {
    return new DbOptions(clock, retention, bytes, opsListener, maxStatementChars);
  }

  public DbOptions withOpsListener(OpsListener listener) {
    return new DbOptions(clock, retention, previewLimitBytes, listener, maxStatementChars);
  }

  public DbOptions withMaxStatementChars(int chars) {
    return new DbOptions(clock, retention, previewLimitBytes, opsListener, chars);
  }
}
