package dev.threadbare.pgwire;

/** A client broke the framing or content rules of the protocol: the connection is closed. */
final class ProtocolViolationException extends PgWireException {
  private static final long serialVersionUID = 1L;

  ProtocolViolationException(String message) {
    super(SqlStates.PROTOCOL_VIOLATION, true, message);
  }
}
