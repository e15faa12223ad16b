package dev.threadbare.pgwire;

import dev.threadbare.db.SqlState;

/** A TLS certificate or key cannot be read, made or used: the server does not start with it. */
final class TlsConfigurationException extends PgWireException {
  private static final long serialVersionUID = 1L;

  TlsConfigurationException(String message, Throwable cause) {
    super(SqlState.CONFIG_FILE_ERROR, true, message, cause);
  }
}
