package dev.threadbare.pgwire;

import dev.threadbare.db.SqlState;

/** A client broke the framing or content rules of the protocol: the connection is closed. */
final class ProtocolViolationException extends PgWireException {
  private static final long serialVersionUID = 1L;

  ProtocolViolationException(String message) {
    super(SqlState.PROTOCOL_VIOLATION, true, message);
  }
}
