package dev.threadbare.pgwire;

import dev.threadbare.db.SqlState;

/** A client announced a message longer than the configured cap: the connection is closed. */
final class MessageTooLargeException extends PgWireException {
  private static final long serialVersionUID = 1L;

  MessageTooLargeException(String message) {
    super(SqlState.PROGRAM_LIMIT_EXCEEDED, true, message);
  }
}
