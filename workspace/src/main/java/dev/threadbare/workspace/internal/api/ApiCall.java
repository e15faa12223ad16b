package dev.threadbare.workspace.internal.api;

import dev.threadbare.workspace.internal.store.User;
import java.util.Map;

/**
 * One authenticated Web API call.
 *
 * @param method the method name, such as {@code chat.postMessage}
 * @param params every argument, JSON values other than strings in their JSON text
 * @param caller the user the token belongs to
 * @param tokenKind {@code user}, {@code bot} or {@code session} (the web UI)
 * @param origin scheme, host and port the caller reached the workspace at
 */
record ApiCall(
    String method, Map<String, String> params, User caller, String tokenKind, String origin) {

  ApiCall {
    params = Map.copyOf(params);
  }

  /** The argument {@code name}, or null when absent or empty. */
  String param(String name) {
    String value = params.get(name);
    return value == null || value.isEmpty() ? null : value;
  }

  /** The argument {@code name}; {@code invalid_arguments} when absent. */
  String required(String name) {
    String value = param(name);
    if (value == null) {
      throw new ApiError(
          SlackError.INVALID_ARGUMENTS,
          "missing required field: " + name + " (" + method + " needs `" + name + "`)");
    }
    return value;
  }

  /** A boolean argument ({@code true}/{@code 1}), {@code fallback} when absent. */
  boolean flag(String name, boolean fallback) {
    String value = param(name);
    return value == null ? fallback : value.equals("true") || value.equals("1");
  }

  /** An integer argument clamped to {@code [1, max]}, {@code fallback} when absent. */
  int limit(String name, int fallback, int max) {
    String value = param(name);
    if (value == null) {
      return fallback;
    }
    try {
      int parsed = Integer.parseInt(value.trim());
      return parsed <= 0 ? fallback : Math.min(parsed, max);
    } catch (NumberFormatException e) {
      throw new ApiError(
          SlackError.INVALID_ARGUMENTS,
          "`" + name + "` is `" + value + "`: it must be a whole number");
    }
  }

  boolean isBot() {
    return tokenKind.equals("bot");
  }
}
