package dev.threadbare.chat.outbox;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * When the next call may go: per-channel message spacing, per-method sliding one-minute budgets and
 * pauses ordered by Slack's {@code Retry-After}. Confined to the outbox's drain thread.
 */
final class RateLimiter {

  /** Methods that put a message in a channel and so obey the per-channel spacing. */
  private static final Set<String> MESSAGE_METHODS =
      Set.of("chat.postMessage", "chat.postEphemeral");

  private final OutboxLimits limits;
  private final Map<String, Instant> channelNext = new HashMap<>();
  private final Map<String, Instant> methodPausedUntil = new HashMap<>();
  private final Map<String, Deque<Instant>> methodWindow = new HashMap<>();
  private final Map<String, Instant> channelBackoff = new HashMap<>();

  RateLimiter(OutboxLimits limits) {
    this.limits = limits;
  }

  /** The earliest instant {@code method} may be called for {@code channel}. */
  Instant readyAt(String channel, String method, Instant now) {
    Instant ready = now;
    if (MESSAGE_METHODS.contains(method)) {
      ready = later(ready, channelNext.get(channel));
    }
    ready = later(ready, channelBackoff.get(channel));
    ready = later(ready, methodPausedUntil.get(method));
    Integer budget = limits.perMinute().get(method);
    if (budget != null) {
      Deque<Instant> window = methodWindow.computeIfAbsent(method, m -> new ArrayDeque<>());
      Instant horizon = now.minus(Duration.ofMinutes(1));
      while (!window.isEmpty() && !window.peekFirst().isAfter(horizon)) {
        window.pollFirst();
      }
      if (window.size() >= budget) {
        ready = later(ready, window.peekFirst().plus(Duration.ofMinutes(1)));
      }
    }
    return ready;
  }

  /** Records that a call was made at {@code now}. */
  void sent(String channel, String method, Instant now) {
    if (MESSAGE_METHODS.contains(method)) {
      channelNext.put(channel, now.plus(limits.channelSpacing()));
    }
    channelBackoff.remove(channel);
    if (limits.perMinute().containsKey(method)) {
      methodWindow.computeIfAbsent(method, m -> new ArrayDeque<>()).addLast(now);
    }
  }

  /** Slack answered 429: no call of {@code method} until {@code retryAfter} has passed. */
  void pause(String method, Duration retryAfter, Instant now) {
    methodPausedUntil.put(method, later(now.plus(retryAfter), methodPausedUntil.get(method)));
  }

  /** A network failure: hold the channel back, doubling per attempt, up to a minute. */
  void backOff(String channel, int attempts, Instant now) {
    long factor = 1L << Math.min(Math.max(attempts - 1, 0), 6);
    Duration wait = limits.retryBackoff().multipliedBy(factor);
    if (wait.compareTo(Duration.ofMinutes(1)) > 0) {
      wait = Duration.ofMinutes(1);
    }
    channelBackoff.put(channel, now.plus(wait));
  }

  private static Instant later(Instant a, Instant b) {
    return b != null && b.isAfter(a) ? b : a;
  }
}
