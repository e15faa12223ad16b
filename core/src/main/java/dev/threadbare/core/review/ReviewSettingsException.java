package dev.threadbare.core.review;

import dev.threadbare.core.ThreadbareException;

/** A {@code threadbare.toml} whose {@code [review]} section cannot be read; names key and rule. */
public final class ReviewSettingsException extends ThreadbareException {
  private static final long serialVersionUID = 1L;

  ReviewSettingsException(String message) {
    super(message);
  }
}
