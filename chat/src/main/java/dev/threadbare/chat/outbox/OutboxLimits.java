package dev.threadbare.chat.outbox;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * The outbox's pacing: the spacing of messages in one channel (Slack allows about one a second) and
 * per-method budgets per minute (Slack's rate-limit tiers). Immutable.
 *
 * @param channelSpacing least time between two messages posted to one channel
 * @param perMinute calls per minute per method; a method not listed is not budgeted
 * @param retryBackoff first wait after a network failure, doubled per attempt up to a minute
 */
public record OutboxLimits(
    Duration channelSpacing, Map<String, Integer> perMinute, Duration retryBackoff) {

  public OutboxLimits {
    Objects.requireNonNull(channelSpacing, "channelSpacing");
    Objects.requireNonNull(retryBackoff, "retryBackoff");
    perMinute = Map.copyOf(perMinute);
    if (channelSpacing.isNegative()) {
      throw new IllegalArgumentException("channelSpacing " + channelSpacing + " is negative");
    }
    perMinute.forEach(
        (method, budget) -> {
          if (budget <= 0) {
            throw new IllegalArgumentException(
                "budget for " + method + " is " + budget + " a minute: it must be positive");
          }
        });
  }

  /**
   * Slack's published limits: one message a second per channel; {@code chat.postMessage} and {@code
   * chat.update} tier 3 (50/min), {@code reactions.add} tier 3, {@code chat.postEphemeral} tier 4
   * (100/min).
   */
  public static OutboxLimits slackDefaults() {
    return new OutboxLimits(
        Duration.ofSeconds(1),
        Map.of(
            "chat.postMessage", 60,
            "chat.update", 50,
            "reactions.add", 50,
            "reactions.remove", 50,
            "chat.postEphemeral", 100),
        Duration.ofSeconds(1));
  }

  /** These limits with another channel spacing (tests use a few milliseconds). */
  public OutboxLimits withChannelSpacing(Duration spacing) {
    return new OutboxLimits(spacing, perMinute, retryBackoff);
  }

  /** These limits with another first retry wait. */
  public OutboxLimits withRetryBackoff(Duration backoff) {
    return new OutboxLimits(channelSpacing, perMinute, backoff);
  }
}
