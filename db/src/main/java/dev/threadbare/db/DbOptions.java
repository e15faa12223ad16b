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
 * @param parseTimeout how long parsing one statement may take (2 s by default); a statement that
 *     takes longer is refused with SQLSTATE 54001
 * @param statementTimeout how long one statement may run on the engine (30 s by default); longer is
 *     canceled with SQLSTATE 57014; on PostgreSQL also each database role's {@code
 *     statement_timeout}
 */
public record DbOptions(
    Clock clock,
    Duration retention,
    long previewLimitBytes,
    OpsListener opsListener,
    int maxStatementChars,
    Duration parseTimeout,
    Duration statementTimeout) {

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
    Objects.requireNonNull(parseTimeout, "parseTimeout");
    Objects.requireNonNull(statementTimeout, "statementTimeout");
    if (parseTimeout.toMillis() <= 0 || statementTimeout.toMillis() <= 0) {
      throw new IllegalArgumentException(
          "parseTimeout "
              + parseTimeout
              + " and statementTimeout "
              + statementTimeout
              + " must be at least a millisecond: they bound every statement's work");
    }
    if (maxStatementChars <= 0) {
      throw new IllegalArgumentException(
          "maxStatementChars " + maxStatementChars + " must be positive");
    }
  }

  /**
   * The defaults: system UTC clock, 30 days, 64 MB, events logged, 1,000,000 characters, 2 s to
   * parse and 30 s to run a statement.
   */
  public static DbOptions defaults() {
    return new DbOptions(
        Clock.systemUTC(),
        Duration.ofDays(30),
        64L * 1024 * 1024,
        OpsListener.LOG,
        1_000_000,
        Duration.ofSeconds(2),
        Duration.ofSeconds(30));
  }

  public DbOptions withClock(Clock newClock) {
    return new DbOptions(
        newClock,
        retention,
        previewLimitBytes,
        opsListener,
        maxStatementChars,
        parseTimeout,
        statementTimeout);
  }

  public DbOptions withRetention(Duration newRetention) {
    return new DbOptions(
        clock,
        newRetention,
        previewLimitBytes,
        opsListener,
        maxStatementChars,
        parseTimeout,
        statementTimeout);
  }

  public DbOptions withPreviewLimitBytes(long bytes) {
    return new DbOptions(
        clock, retention, bytes, opsListener, maxStatementChars, parseTimeout, statementTimeout);
  }

  public DbOptions withOpsListener(OpsListener listener) {
    return new DbOptions(
        clock,
        retention,
        previewLimitBytes,
        listener,
        maxStatementChars,
        parseTimeout,
        statementTimeout);
  }

  public DbOptions withMaxStatementChars(int chars) {
    return new DbOptions(
        clock, retention, previewLimitBytes, opsListener, chars, parseTimeout, statementTimeout);
  }

  public DbOptions withParseTimeout(Duration limit) {
    return new DbOptions(
        clock,
        retention,
        previewLimitBytes,
        opsListener,
        maxStatementChars,
        limit,
        statementTimeout);
  }

  public DbOptions withStatementTimeout(Duration limit) {
    return new DbOptions(
        clock, retention, previewLimitBytes, opsListener, maxStatementChars, parseTimeout, limit);
  }
}
