package dev.threadbare.app.serve;

import dev.threadbare.chat.catchup.CatchUp;
import dev.threadbare.chat.outbox.OutboxLimits;
import dev.threadbare.core.ThreadbareException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * What {@code serve} reads from the environment beyond its {@link Server.Settings}: {@code
 * SLACK_API_URL}, {@code THREADBARE_OUTBOX_PER_MINUTE}, {@code THREADBARE_CATCHUP_PER_MINUTE} (the
 * Slack credentials and the ops channel are read by {@link Server.SlackCredentials} and {@link
 * Server.OpsChannel}). Stateless.
 */
final class ServeEnvironment {

  private ServeEnvironment() {}

  /** A non-blank environment variable, or null. */
  static String env(String name) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? null : value.strip();
  }

  /** The Web API base for real Slack mode ({@code SLACK_API_URL}), or null for Slack itself. */
  static String slackApiUrl() {
    return env("SLACK_API_URL");
  }

  /** Slack's limits, or one rate for every method by {@code THREADBARE_OUTBOX_PER_MINUTE}. */
  static OutboxLimits outboxLimits() {
    OutboxLimits slack = OutboxLimits.slackDefaults();
    if (env("THREADBARE_OUTBOX_PER_MINUTE") == null) {
      return slack;
    }
    double perMinute = positiveNumber("THREADBARE_OUTBOX_PER_MINUTE");
    int budget = (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.round(perMinute)));
    Map<String, Integer> budgets = new HashMap<>();
    slack.perMinute().keySet().forEach(method -> budgets.put(method, budget));
    return new OutboxLimits(
        Duration.ofNanos((long) (60e9 / perMinute)), budgets, slack.retryBackoff());
  }

  /** Catch-up's history requests a minute against real Slack. */
  static double catchUpPerMinute() {
    return env("THREADBARE_CATCHUP_PER_MINUTE") == null
        ? CatchUp.DEFAULT_REQUESTS_PER_MINUTE
        : positiveNumber("THREADBARE_CATCHUP_PER_MINUTE");
  }

  private static double positiveNumber(String name) {
    String value = env(name);
    try {
      double perMinute = Double.parseDouble(value);
      if (perMinute > 0 && Double.isFinite(perMinute)) {
        return perMinute;
      }
    } catch (NumberFormatException e) {
      // falls through to the error below
    }
    throw new ThreadbareException(
        name
            + "=\""
            + value
            + "\" is not a positive number: set it to calls a minute, such as 600");
  }
}
