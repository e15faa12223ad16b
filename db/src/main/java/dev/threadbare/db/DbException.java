package dev.threadbare.db;

import java.util.Objects;

/**
 * Root of the db layer's errors. Carries a real PostgreSQL SQLSTATE so the wire server can answer
 * with an ErrorResponse that drivers understand; the message names the statement or input and the
 * rule.
 */
public class DbException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String sqlState;
  private final String hint;

  public DbException(String sqlState, String message) {
    this(sqlState, message, null, null);
  }

  public DbException(String sqlState, String message, String hint, Throwable cause) {
    super(message, cause);
    this.sqlState = Objects.requireNonNull(sqlState, "sqlState");
    this.hint = hint;
  }

  /** The five-character SQLSTATE, such as {@code 42601} (syntax error). */
  public String sqlState() {
    return sqlState;
  }

  /** A hint for the user, or null. */
  public String hint() {
    return hint;
  }
}
