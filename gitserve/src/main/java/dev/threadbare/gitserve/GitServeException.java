package dev.threadbare.gitserve;

/**
 * The root of every failure gitserve reports. Unchecked; messages name the offending input and the
 * likely fix. Immutable once thrown.
 */
public class GitServeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A failure with a message that names the input and the rule. */
  public GitServeException(String message) {
    super(message);
  }

  /** A failure caused by another. */
  public GitServeException(String message, Throwable cause) {
    super(message, cause);
  }
}
