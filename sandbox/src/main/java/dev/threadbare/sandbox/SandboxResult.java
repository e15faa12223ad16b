package dev.threadbare.sandbox;

import java.time.Duration;
import java.util.Objects;

/**
 * How a sandboxed run ended.
 *
 * @param outcome exited by itself, stopped for a limit, or cancelled by the caller
 * @param exitCode the command's exit status (128 + signal when a signal ended it); -1 if stopped
 * @param limit the limit exceeded when {@code outcome} is {@link Outcome#LIMIT_EXCEEDED}, else null
 * @param detail a sentence for the user: which limit and its value, or why it was cancelled
 * @param elapsed wall time from start to end
 * @param logBytes bytes of output kept in the log file
 */
public record SandboxResult(
    Outcome outcome, int exitCode, Limit limit, String detail, Duration elapsed, long logBytes) {

  /** How a run ended. */
  public enum Outcome {
    /** The command ended by itself; see {@link #exitCode()}. */
    EXITED,
    /** The sandbox stopped it for exceeding {@link #limit()}. */
    LIMIT_EXCEEDED,
    /** The caller cancelled it. */
    CANCELLED
  }

  public SandboxResult {
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(detail, "detail");
    Objects.requireNonNull(elapsed, "elapsed");
    if ((outcome == Outcome.LIMIT_EXCEEDED) != (limit != null)) {
      throw new IllegalArgumentException("a limit is named exactly when one was exceeded");
    }
  }

  /** True when the command exited by itself with status 0. */
  public boolean succeeded() {
    return outcome == Outcome.EXITED && exitCode == 0;
  }
}
