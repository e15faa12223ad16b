package dev.threadbare.pgwire;

/** A client did not prove who it is (or asked for a method we do not offer): it is disconnected. */
final class AuthenticationFailedException extends PgWireException {
  private static final long serialVersionUID = 1L;

  AuthenticationFailedException(String sqlState, String message) {
    super(sqlState, true, message);
  }
}
