package dev.threadbare.core.grammar;

/** A path breaks one of the path rules; the message names the path and the rule. */
public final class BadPathException extends GrammarException {
  private static final long serialVersionUID = 1L;

  private final String path;
  private final String rule;

  BadPathException(String path, String rule, String message) {
    super(message);
    this.path = path;
    this.rule = rule;
  }

  /** The offending path as given. */
  public String path() {
    return path;
  }

  /** A short name of the broken rule, such as {@code dot-segment}. */
  public String rule() {
    return rule;
  }
}
