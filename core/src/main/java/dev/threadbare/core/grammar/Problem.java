package dev.threadbare.core.grammar;

import java.util.Objects;

/**
 * Why part of a message was not taken: the offending input, the rule it breaks, and a sentence for
 * the sender. Immutable.
 */
public record Problem(String input, String rule, String message) {
  public Problem {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(message, "message");
  }
}
