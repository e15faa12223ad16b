package dev.threadbare.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * The one way tests wait for something another thread or process does: poll a condition until it
 * holds or a deadline passes. Tests wait on conditions, never on sleeps: on a loaded machine the
 * same test then takes longer instead of failing.
 */
public final class Eventually {

  /** The default patience: generous, because it is only spent when something is wrong. */
  public static final Duration PATIENCE = Duration.ofSeconds(90);

  private Eventually() {}

  /** Whether {@code condition} held within {@link #PATIENCE}. */
  public static boolean eventually(BooleanSupplier condition) {
    return eventually(PATIENCE, condition);
  }

  /**
   * Whether {@code condition} held within {@code timeout}: polled at once, then every 10 ms growing
   * to 200 ms, and once more at the deadline. An interrupt ends the wait (false) and keeps the
   * thread's interrupt flag.
   */
  public static boolean eventually(Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long pause = 10;
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      try {
        Thread.sleep(pause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      pause = Math.min(200, pause * 2);
    }
    return condition.getAsBoolean();
  }
}
