package dev.threadbare.db;

import java.util.Objects;

/**
 * A parameter whose type the client did not say: its text, as a wire client sends it with type OID
 * 0 (node {@code pg}, postgres.js). A new column written from it gets the type a person would read
 * in the text (see db/README.md, "Untyped parameters"); an existing column converts it. Immutable.
 *
 * @param text the parameter's text, never null (a NULL parameter is a Java null)
 */
public record UntypedParameter(String text) {
  public UntypedParameter {
    Objects.requireNonNull(text, "text");
  }

  @Override
  public String toString() {
    return text;
  }
}
