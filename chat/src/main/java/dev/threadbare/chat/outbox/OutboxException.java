package dev.threadbare.chat.outbox;

import dev.threadbare.chat.ChatException;

/** The outbox's store cannot be opened or written. */
public final class OutboxException extends ChatException {
  private static final long serialVersionUID = 1L;

  OutboxException(String message, Throwable cause) {
    super(message, cause);
  }
}
