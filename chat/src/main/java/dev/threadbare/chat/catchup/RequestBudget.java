package dev.threadbare.chat.catchup;

import java.time.Duration;

/**
 * Spaces requests evenly: at most {@code perMinute} a minute. Slack allows apps outside the
 * Marketplace about one {@code conversations.history}/{@code conversations.replies} request a
 * minute. Thread safe.
 */
final class RequestBudget {

  private final long intervalNanos;
  private long nextNanos = System.nanoTime();

  RequestBudget(double perMinute) {
    if (!(perMinute > 0)) {
      throw new IllegalArgumentException(
          "catch-up budget " + perMinute + " requests a minute must be positive");
    }
    this.intervalNanos = (long) (Duration.ofMinutes(1).toNanos() / perMinute);
  }

  /** Blocks until a request may be made; returns false if interrupted. */
  synchronized boolean acquire() {
    long now = System.nanoTime();
    long wait = nextNanos - now;
    if (wait > 0) {
      try {
        Thread.sleep(Duration.ofNanos(wait));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    nextNanos = Math.max(now, nextNanos) + intervalNanos;
    return true;
  }
}
