package dev.threadbare.workspace;

/**
 * Root of every failure the local workspace reports to its callers; subclasses name the failure.
 * Instances are immutable and safe to share between threads.
 */
public class WorkspaceException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** A failure described by {@code message}, which names the input and the rule it broke. */
  public WorkspaceException(String message) {
    super(message);
  }

  /** A failure described by {@code message}, caused by {@code cause}. */
  public WorkspaceException(String message, Throwable cause) {
    super(message, cause);
  }
}
