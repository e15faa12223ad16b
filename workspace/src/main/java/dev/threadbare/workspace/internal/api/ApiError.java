package dev.threadbare.workspace.internal.api;

import dev.threadbare.workspace.WorkspaceException;

/**
 * A Web API call refused with one of Slack's error codes ({@code {"ok":false,"error":…}}); the
 * message explains the refusal for logs. Immutable.
 */
public final class ApiError extends WorkspaceException {

  private static final long serialVersionUID = 1L;

  private final String code;

  /** Refuses the call with {@code code}, explained by {@code detail}. */
  public ApiError(String code, String detail) {
    super(code + ": " + detail);
    this.code = code;
  }

  /** Slack's error code, such as {@code channel_not_found}. */
  public String code() {
    return code;
  }
}
