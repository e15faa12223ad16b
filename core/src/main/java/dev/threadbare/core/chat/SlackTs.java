package dev.threadbare.core.chat;

import java.time.Instant;
import java.util.Comparator;
import java.util.regex.Pattern;

/**
 * Slack message timestamps ({@code "1700000000.000100"}): validation, ordering and conversion.
 * Stateless.
 */
public final class SlackTs {

  private static final Pattern FORM = Pattern.compile("\\d{1,12}(\\.\\d{1,9})?");

  /** Numeric order of timestamps, so {@code "9.1"} sorts before {@code "10.0"}. */
  public static final Comparator<String> ORDER = Comparator.comparingLong(SlackTs::micros);

  private SlackTs() {}

  /** Returns {@code ts} if it has Slack's form, else throws naming it. */
  public static String requireValid(String ts) {
    if (ts == null || !FORM.matcher(ts).matches()) {
      throw new IllegalArgumentException(
          "message timestamp `"
              + ts
              + "` is not a Slack ts: expected seconds.micros, as 1700000000.000100");
    }
    return ts;
  }

  /** Whether {@code ts} has Slack's form. */
  public static boolean isValid(String ts) {
    return ts != null && FORM.matcher(ts).matches();
  }

  /** The timestamp in microseconds since the epoch. */
  public static long micros(String ts) {
    requireValid(ts);
    int dot = ts.indexOf('.');
    if (dot < 0) {
      return Long.parseLong(ts) * 1_000_000L;
    }
    String frac = (ts.substring(dot + 1) + "000000").substring(0, 6);
    return Long.parseLong(ts.substring(0, dot)) * 1_000_000L + Long.parseLong(frac);
  }

  /** The timestamp as an instant (microsecond precision). */
  public static Instant instant(String ts) {
    long micros = micros(ts);
    return Instant.ofEpochSecond(micros / 1_000_000L, (micros % 1_000_000L) * 1000L);
  }
}
