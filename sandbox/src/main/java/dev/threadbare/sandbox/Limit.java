package dev.threadbare.sandbox;

/** A resource a sandboxed run is bounded in; a run that exceeds one ends naming it. */
public enum Limit {
  /** Resident memory of all its processes together. */
  MEMORY("memory"),
  /** Processes and threads alive at once (what stops a fork bomb). */
  PROCESSES("processes"),
  /** CPU time of any one process. */
  CPU_TIME("CPU time"),
  /** Bytes on disk in the work directory and {@code /tmp} together. */
  DISK("disk"),
  /** Bytes of output (stdout and stderr together). */
  LOG("log size"),
  /** Elapsed time of the whole run. */
  WALL_TIME("timeout");

  private final String label;

  Limit(String label) {
    this.label = label;
  }

  /** The limit's name as a user reads it ("memory", "timeout"). */
  public String label() {
    return label;
  }
}
