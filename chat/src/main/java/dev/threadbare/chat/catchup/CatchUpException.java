package dev.threadbare.chat.catchup;

import dev.threadbare.chat.ChatException;

/** Catch-up could not read the chat's history (Slack refused or could not be reached). */
public final class CatchUpException extends ChatException {
  private static final long serialVersionUID = 1L;

  CatchUpException(String message) {
    super(message);
  }

  CatchUpException(String message, Throwable cause) {
    super(message, cause);
  }
}
