package dev.threadbare.workspace.internal.api;

import dev.threadbare.workspace.WorkspaceException;

/**
 * A Web API call refused with one of Slack's error codes ({@code {"ok":false,"error":…}}); the
 * detail explains the refusal, naming the input and the rule, for logs and for {@code
 * invalid_arguments} answers. Immutable.
 */
public final class ApiError extends WorkspaceException {

  private static final long serialVersionUID = 1L;

  private final SlackError error;
  private final String detail;

  /** Refuses the call with {@code error}, explained by {@code detail}. */
  ApiError(SlackError error, String detail) {
    super(error.code() + ": " + detail);
    this.error = error;
    this.detail = detail;
  }

  /** The error code. */
  SlackError error() {
    return error;
  }

  /** What was wrong with the call. */
  String detail() {
    return detail;
  }
}
