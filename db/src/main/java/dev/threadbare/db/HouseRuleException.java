package dev.threadbare.db;

import java.util.Objects;

/**
 * A statement refused by one of the house rules (DESIGN.md section 7) before the engine saw it.
 * {@link #rule()} names the rule, such as {@code no-select-star}.
 */
public final class HouseRuleException extends DbException {
  private static final long serialVersionUID = 1L;

  private final String rule;

  public HouseRuleException(String sqlState, String rule, String message, String hint) {
    super(sqlState, message, hint, null);
    this.rule = Objects.requireNonNull(rule, "rule");
  }

  /** The short name of the rule the statement broke. */
  public String rule() {
    return rule;
  }
}
