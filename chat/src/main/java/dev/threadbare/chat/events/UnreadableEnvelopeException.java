package dev.threadbare.chat.events;

import dev.threadbare.chat.ChatException;

/**
 * A correctly signed request whose envelope threadbare cannot read (its cause is usually core's
 * {@code MalformedEventException}, naming the field): answered 400, nothing journaled.
 */
public final class UnreadableEnvelopeException extends ChatException {
  private static final long serialVersionUID = 1L;

  UnreadableEnvelopeException(String message) {
    super(message);
  }

  UnreadableEnvelopeException(String message, Throwable cause) {
    super(message, cause);
  }
}
