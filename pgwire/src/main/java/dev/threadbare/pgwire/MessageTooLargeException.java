package dev.threadbare.pgwire;

/** A client announced a message longer than the configured cap: the connection is closed. */
final class MessageTooLargeException extends PgWireException {
  private static final long serialVersionUID = 1L;

  MessageTooLargeException(String message) {
    super(SqlStates.PROGRAM_LIMIT_EXCEEDED, true, message);
  }
}
