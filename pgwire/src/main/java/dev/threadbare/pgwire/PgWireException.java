package dev.threadbare.pgwire;

import java.util.Objects;

/**
 * Root of the wire server's errors. Each carries the PostgreSQL SQLSTATE the client receives in its
 * ErrorResponse and whether the connection must close afterwards. Immutable.
 */
public class PgWireException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String sqlState;
  private final boolean fatal;

  PgWireException(String sqlState, boolean fatal, String message) {
    this(sqlState, fatal, message, null);
  }

  PgWireException(String sqlState, boolean fatal, String message, Throwable cause) {
    super(message, cause);
    this.sqlState = Objects.requireNonNull(sqlState, "sqlState");
    this.fatal = fatal;
  }

  /** The five-character SQLSTATE sent to the client, such as {@code 08P01}. */
  public String sqlState() {
    return sqlState;
  }

  /** Whether the connection is closed after the client is told. */
  public boolean fatal() {
    return fatal;
  }
}
