package dev.threadbare.workspace;

/**
 * An administrative call got an argument that breaks a workspace rule (a user name already taken, a
 * malformed Request URL, …); the message names the input and the rule. Immutable; safe to share
 * between threads.
 */
public final class InvalidWorkspaceInputException extends WorkspaceException {

  private static final long serialVersionUID = 1L;

  /** A refusal described by {@code message}. */
  public InvalidWorkspaceInputException(String message) {
    super(message);
  }
}
