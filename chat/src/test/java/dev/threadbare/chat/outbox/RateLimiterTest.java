package dev.threadbare.chat.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RateLimiterTest {

  private static final Instant T0 = Instant.parse("2026-11-29T12:00:00Z");

  @Test
  void spacesMessagesPerChannelButNotAcrossChannelsOrForReactions() {
    RateLimiter limiter = new RateLimiter(OutboxLimits.slackDefaults());
    limiter.sent("C1", "chat.postMessage", T0);
    assertThat(limiter.readyAt("C1", "chat.postMessage", T0)).isEqualTo(T0.plusSeconds(1));
    assertThat(limiter.readyAt("C1", "chat.postEphemeral", T0)).isEqualTo(T0.plusSeconds(1));
    assertThat(limiter.readyAt("C2", "chat.postMessage", T0)).isEqualTo(T0);
    assertThat(limiter.readyAt("C1", "reactions.add", T0)).isEqualTo(T0);
  }

  @Test
  void keepsPerMethodBudgetsOverASlidingMinute() {
    RateLimiter limiter =
        new RateLimiter(
            new OutboxLimits(Duration.ZERO, Map.of("reactions.add", 3), Duration.ofSeconds(1)));
    for (int i = 0; i < 3; i++) {
      assertThat(limiter.readyAt("C" + i, "reactions.add", T0.plusSeconds(i)))
          .isEqualTo(T0.plusSeconds(i));
      limiter.sent("C" + i, "reactions.add", T0.plusSeconds(i));
    }
    assertThat(limiter.readyAt("C9", "reactions.add", T0.plusSeconds(3)))
        .isEqualTo(T0.plusSeconds(60));
    assertThat(limiter.readyAt("C9", "reactions.add", T0.plusSeconds(61)))
        .isEqualTo(T0.plusSeconds(61));
  }

  @Test
  void honoursRetryAfterPerMethodAndBacksOffAChannelAfterFailures() {
    RateLimiter limiter = new RateLimiter(OutboxLimits.slackDefaults());
    limiter.pause("chat.update", Duration.ofSeconds(30), T0);
    assertThat(limiter.readyAt("C1", "chat.update", T0)).isEqualTo(T0.plusSeconds(30));
    assertThat(limiter.readyAt("C1", "reactions.add", T0)).isEqualTo(T0);
    limiter.backOff("C2", 3, T0);
    assertThat(limiter.readyAt("C2", "reactions.add", T0)).isEqualTo(T0.plusSeconds(4));
    limiter.backOff("C2", 30, T0);
    assertThat(limiter.readyAt("C2", "reactions.add", T0)).isEqualTo(T0.plusSeconds(60));
  }

  @Test
  void readsRetryAfterAsSlackSendsIt() {
    assertThat(Outbox.retryAfter("7")).isEqualTo(Duration.ofSeconds(7));
    assertThat(Outbox.retryAfter("0")).isEqualTo(Duration.ofSeconds(1));
    assertThat(Outbox.retryAfter(null)).isEqualTo(Duration.ofSeconds(1));
    assertThat(Outbox.retryAfter("Wed, 21 Oct 2026 07:28:00 GMT")).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void refusesNonsenseLimitsNamingThem() {
    assertThatThrownBy(
            () -> new OutboxLimits(Duration.ZERO, Map.of("chat.update", 0), Duration.ofSeconds(1)))
        .hasMessageContaining("budget for chat.update is 0 a minute");
    assertThatThrownBy(() -> new OutgoingCall.PostMessage("", "C1", null, "x"))
        .hasMessageContaining("outbox key");
  }
}
