package dev.threadbare.workspace.internal.store;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Slack message timestamps ({@code "1663966382.046509"}): strictly increasing microseconds, so
 * every ts of the workspace is unique. Thread-safe.
 */
public final class Timestamps {

  private final AtomicLong last = new AtomicLong();

  /** A clock whose next ts is after {@code atLeastMicros}. */
  public Timestamps(long atLeastMicros) {
    last.set(atLeastMicros);
  }

  /** The next unique ts in microseconds. */
  public long nextMicros() {
    java.time.Instant instant = java.time.Instant.now();
    long now = instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1000L;
    return last.updateAndGet(previous -> Math.max(previous + 1, now));
  }

  /** The next unique ts as Slack writes it. */
  public String next() {
    return format(nextMicros());
  }

  /** Slack's text form of {@code micros}. */
  public static String format(long micros) {
    return String.format(
        java.util.Locale.ROOT, "%d.%06d", micros / 1_000_000L, micros % 1_000_000L);
  }

  /**
   * Microseconds of a Slack ts such as {@code 1663966382.046509} or {@code 1663966382}; -1 when
   * {@code ts} is not one.
   */
  public static long parse(String ts) {
    if (ts == null || ts.isEmpty()) {
      return -1;
    }
    int dot = ts.indexOf('.');
    try {
      if (dot < 0) {
        return Long.parseLong(ts) * 1_000_000L;
      }
      String fraction = (ts.substring(dot + 1) + "000000").substring(0, 6);
      return Long.parseLong(ts.substring(0, dot)) * 1_000_000L + Long.parseLong(fraction);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
