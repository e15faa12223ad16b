package dev.threadbare.db;

import java.util.List;
import java.util.Objects;

/**
 * Root of the db layer's errors. Carries a real PostgreSQL SQLSTATE so the wire server can answer
 * with an ErrorResponse that drivers understand; the message names the statement or input and the
 * rule. When a statement of a script fails, the exception also carries the results of the
 * statements before it ({@link #completedResults()}), attached once by the session that ran the
 * script before it throws; not meant to be shared between threads before it is thrown.
 */
public class DbException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String sqlState;
  private final String hint;
  private transient List<StatementResult> completedResults = List.of();

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

  /**
   * The results of the statements of a script that completed before this failure, in order: what
   * PostgreSQL sends a client before the error. Empty when the failing statement was the script's
   * first or only one. When the script ran as one implicit transaction, their writes were rolled
   * back with it.
   */
  public List<StatementResult> completedResults() {
    return completedResults == null ? List.of() : completedResults;
  }

  /**
   * Attaches the results of the script's statements that completed before this failure; the session
   * that ran the script calls it once, before throwing.
   *
   * @return this exception
   */
  public DbException withCompletedResults(List<StatementResult> results) {
    this.completedResults = List.copyOf(results);
    return this;
  }
}
