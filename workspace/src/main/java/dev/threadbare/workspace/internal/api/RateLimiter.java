package dev.threadbare.workspace.internal.api;

import dev.threadbare.workspace.RateLimits;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Token buckets per (token, method) and per channel for posts. Thread-safe; buckets live as long as
 * the limiter.
 */
final class RateLimiter {

  private final AtomicReference<RateLimits> limits;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  RateLimiter(RateLimits limits) {
    this.limits = new AtomicReference<>(limits);
  }

  void set(RateLimits newLimits) {
    limits.set(newLimits);
    buckets.clear();
  }

  RateLimits limits() {
    return limits.get();
  }

  /** Seconds to wait before {@code method} may be called with {@code token}; 0 when allowed now. */
  long acquire(String token, String method, String channel) {
    RateLimits current = limits.get();
    int perMinute = current.perMinute(method);
    long wait = 0;
    if (perMinute > 0) {
      wait = take(token + " " + method, perMinute, perMinute / 60.0);
    }
    if (wait == 0
        && channel != null
        && method.equals("chat.postMessage")
        && current.postsPerSecondPerChannel() > 0) {
      wait =
          take(
              "post " + channel,
              Math.max(1, current.postBurstPerChannel()),
              current.postsPerSecondPerChannel());
    }
    return wait;
  }

  private long take(String key, int capacity, double perSecond) {
    Bucket bucket = buckets.computeIfAbsent(key, k -> new Bucket(capacity));
    synchronized (bucket) {
      long now = System.nanoTime();
      bucket.tokens =
          Math.min(capacity, bucket.tokens + (now - bucket.refilledAt) / 1e9 * perSecond);
      bucket.refilledAt = now;
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
      }
      return Math.max(1, (long) Math.ceil((1 - bucket.tokens) / perSecond));
    }
  }

  private static final class Bucket {
    double tokens;
    long refilledAt = System.nanoTime();

    Bucket(int capacity) {
      this.tokens = capacity;
    }
  }
}
