package dev.threadbare.core.grammar;

import dev.threadbare.core.ThreadbareException;

/** Root of the grammar's refusals. */
public class GrammarException extends ThreadbareException {
  private static final long serialVersionUID = 1L;

  GrammarException(String message) {
    super(message);
  }
}
