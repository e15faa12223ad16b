package dev.threadbare.pgwire;

/** A TLS certificate or key cannot be read, made or used: the server does not start with it. */
final class TlsConfigurationException extends PgWireException {
  private static final long serialVersionUID = 1L;

  TlsConfigurationException(String message, Throwable cause) {
    super(SqlStates.CONFIG_FILE_ERROR, true, message, cause);
  }
}
