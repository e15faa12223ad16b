package dev.threadbare.ci;

import java.util.Locale;

/** Where a run is: queued and running are live; the rest are final. */
public enum RunStatus {
  QUEUED,
  RUNNING,
  PASSED,
  FAILED,
  CANCELLED,
  /** Stopped by a limit (the timeout among them), or the run could not be made. */
  ERROR;

  /** Lower case, as {@code threadbare ci} prints it. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** True once the run has ended. */
  public boolean isFinal() {
    return this != QUEUED && this != RUNNING;
  }

  static RunStatus of(String label) {
    return valueOf(label.toUpperCase(Locale.ROOT));
  }
}
