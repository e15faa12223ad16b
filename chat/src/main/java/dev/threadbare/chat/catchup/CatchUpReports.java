package dev.threadbare.chat.catchup;

import dev.threadbare.core.chat.SlackTs;
import java.time.Duration;
import java.time.Instant;

/** The catalog of what catch-up says in the ops channel. Stateless. */
final class CatchUpReports {
  private CatchUpReports() {}

  static String text(String channel, String newest, int behind, boolean done, Instant now) {
    String since =
        newest == null || !SlackTs.isValid(newest)
            ? "nothing journaled before"
            : "last journaled message "
                + age(Duration.between(SlackTs.instant(newest), now))
                + " ago";
    if (done) {
      return "Catch-up: <#"
          + channel
          + "> is up to date ("
          + behind
          + (behind == 1 ? " message" : " messages")
          + " read from history; "
          + since
          + ").";
    }
    return "Catch-up: <#"
        + channel
        + "> is "
        + behind
        + (behind == 1 ? " message" : " messages")
        + " behind ("
        + since
        + "); journaling them now.";
  }

  private static String age(Duration d) {
    if (d.isNegative()) {
      return "0 s";
    }
    if (d.toDays() > 0) {
      return d.toDays() + " d";
    }
    if (d.toHours() > 0) {
      return d.toHours() + " h";
    }
    if (d.toMinutes() > 0) {
      return d.toMinutes() + " min";
    }
    return d.toSeconds() + " s";
  }
}
