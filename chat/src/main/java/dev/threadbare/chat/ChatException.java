package dev.threadbare.chat;

import dev.threadbare.core.ThreadbareException;

/**
 * Root of every exception the chat adapter throws. Its message names the offending input and the
 * likely fix. Subclasses live beside the feature that throws them.
 */
public class ChatException extends ThreadbareException {
  private static final long serialVersionUID = 1L;

  public ChatException(String message) {
    super(message);
  }

  public ChatException(String message, Throwable cause) {
    super(message, cause);
  }
}
