package dev.threadbare.app.cli;

import dev.threadbare.app.serve.DbTls;
import dev.threadbare.core.ThreadbareException;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * {@code --db-tls on|off}, {@code --db-tls-cert PEM} and {@code --db-tls-key PEM} (else {@code
 * THREADBARE_DB_TLS}, {@code THREADBARE_DB_TLS_CERT}, {@code THREADBARE_DB_TLS_KEY}): TLS on the
 * PostgreSQL wire port, shared by {@code serve} and {@code db serve}. A picocli mixin: one instance
 * per parsed command, not shared between threads.
 */
final class DbTlsOption {
  @Option(
      names = "--db-tls",
      paramLabel = "on|off",
      defaultValue = "${env:THREADBARE_DB_TLS:-on}",
      description =
          "TLS on the PostgreSQL wire port (default: $THREADBARE_DB_TLS, else on, with a"
              + " self-signed certificate kept in the data directory as "
              + DbTls.GENERATED_FILE
              + ").")
  String mode = "on";

  @Option(
      names = "--db-tls-cert",
      paramLabel = "PEM",
      defaultValue = "${env:THREADBARE_DB_TLS_CERT}",
      description =
          "Certificate chain (PEM, server certificate first) instead of the generated one"
              + " (default: $THREADBARE_DB_TLS_CERT).")
  Path certificate;

  @Option(
      names = "--db-tls-key",
      paramLabel = "PEM",
      defaultValue = "${env:THREADBARE_DB_TLS_KEY}",
      description =
          "Unencrypted private key (PEM) of --db-tls-cert (default: $THREADBARE_DB_TLS_KEY).")
  Path key;

  /** The setting these options give; a contradiction is an error naming both options. */
  DbTls settings() {
    String value = mode == null ? "on" : mode.strip().toLowerCase(Locale.ROOT);
    if (!value.equals("on") && !value.equals("off")) {
      throw new ThreadbareException(
          "--db-tls `" + mode + "` is neither on nor off: say --db-tls on or --db-tls off");
    }
    return new DbTls(value.equals("on"), certificate, key);
  }
}
