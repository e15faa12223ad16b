package dev.threadbare.ci;

import java.time.Duration;

/**
 * Which CI logs are kept: every log younger than {@code age}, and the logs of the newest {@code
 * perBranch} ended runs of each channel and branch whatever their age (so a quiet branch keeps its
 * last results). A run is bounded (4 MiB of log); this bounds their number over time.
 */
public record LogRetention(Duration age, int perBranch) {

  /** 30 days, and the last 10 runs of every branch. */
  public static final LogRetention DEFAULT = new LogRetention(Duration.ofDays(30), 10);

  /** How often a running {@link Ci} prunes. */
  static final Duration EVERY = Duration.ofHours(1);

  /** Validates. */
  public LogRetention {
    if (age == null || age.isNegative()) {
      throw new IllegalArgumentException("log retention age " + age + " must be zero or more");
    }
    if (perBranch < 0) {
      throw new IllegalArgumentException(
          "log retention per branch " + perBranch + " must be zero or more");
    }
  }

  @Override
  public String toString() {
    return "logs kept " + age.toDays() + " days, and the last " + perBranch + " runs of a branch";
  }
}
