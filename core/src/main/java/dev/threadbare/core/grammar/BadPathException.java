package dev.threadbare.core.grammar;

/**
 * A path breaks one of the {@link PathRules}; the message names the path and the rule. Immutable,
 * like every exception here.
 */
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

  /** A short name of the broken rule, one of the {@code PathRules.RULE_*} constants. */
  public String rule() {
    return rule;
  }

  /** This refusal as a {@link Problem} of a message. */
  public Problem toProblem() {
    return new Problem(path, rule, getMessage());
  }
}
