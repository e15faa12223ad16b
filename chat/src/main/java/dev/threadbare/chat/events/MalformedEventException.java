package dev.threadbare.chat.events;

import dev.threadbare.chat.ChatException;

/** A correctly signed request whose body is not an event threadbare can read: answered 400. */
public final class MalformedEventException extends ChatException {
  private static final long serialVersionUID = 1L;

  MalformedEventException(String message) {
    super(message);
  }

  MalformedEventException(String message, Throwable cause) {
    super(message, cause);
  }
}
