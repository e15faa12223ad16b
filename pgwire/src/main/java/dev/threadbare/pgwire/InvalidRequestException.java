package dev.threadbare.pgwire;

/**
 * A well-framed request the server cannot honour (an unknown prepared statement, a parameter value
 * that does not parse, an unsupported format): the client gets an error and the connection stays
 * open.
 */
final class InvalidRequestException extends PgWireException {
  private static final long serialVersionUID = 1L;

  InvalidRequestException(String sqlState, String message) {
    super(sqlState, false, message);
  }

  InvalidRequestException(String sqlState, String message, Throwable cause) {
    super(sqlState, false, message, cause);
  }
}
