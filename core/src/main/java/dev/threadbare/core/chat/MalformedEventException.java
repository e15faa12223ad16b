package dev.threadbare.core.chat;

import dev.threadbare.core.ThreadbareException;

/**
 * A Slack event envelope or message lacks a field threadbare needs, or has it with the wrong type;
 * the message names the field and what was expected. Immutable.
 */
public final class MalformedEventException extends ThreadbareException {
  private static final long serialVersionUID = 1L;

  private final String field;

  MalformedEventException(String field, String message) {
    super(message);
    this.field = field;
  }

  /** The offending field, as a JSON path such as {@code event.channel}. */
  public String field() {
    return field;
  }
}
