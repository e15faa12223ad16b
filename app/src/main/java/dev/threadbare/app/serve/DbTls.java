package dev.threadbare.app.serve;

import dev.threadbare.core.ThreadbareException;
import dev.threadbare.pgwire.TlsIdentity;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Whether and how the PostgreSQL wire port offers TLS: a self-signed certificate generated once and
 * kept in the data directory ({@value #GENERATED_FILE}, the default), the user's own certificate
 * and key in PEM, or off (SSLRequests answered 'N'). Immutable.
 *
 * @param enabled whether clients may negotiate TLS
 * @param certificate the PEM certificate chain, or null for the generated certificate
 * @param key the PEM private key of {@code certificate}, or null for the generated certificate
 */
public record DbTls(boolean enabled, Path certificate, Path key) {
  /** The generated certificate's PKCS#12 file in the data directory. */
  public static final String GENERATED_FILE = "db-tls.p12";

  /** Validates: a certificate comes with its key, and only when TLS is on. */
  public DbTls {
    if ((certificate == null) != (key == null)) {
      throw new ThreadbareException(
          "--db-tls-cert and --db-tls-key go together (got only "
              + (certificate == null ? "--db-tls-key " + key : "--db-tls-cert " + certificate)
              + "): give both PEM files, or neither for the generated certificate");
    }
    if (!enabled && certificate != null) {
      throw new ThreadbareException(
          "--db-tls off contradicts --db-tls-cert "
              + certificate
              + ": drop the certificate options, or turn TLS on");
    }
  }

  /** TLS with the self-signed certificate in the data directory (the default). */
  public static DbTls generated() {
    return new DbTls(true, null, null);
  }

  /** No TLS: clients go on in the clear. */
  public static DbTls off() {
    return new DbTls(false, null, null);
  }

  /** TLS with the user's certificate chain and key, both PEM. */
  public static DbTls pem(Path certificate, Path key) {
    return new DbTls(
        true,
        Objects.requireNonNull(certificate, "certificate"),
        Objects.requireNonNull(key, "key"));
  }

  /**
   * The identity to serve: the PEM files, or the generated certificate in {@code data} (made now
   * for {@code host} when missing); null when TLS is off.
   */
  public TlsIdentity identity(Path data, String host) {
    if (!enabled) {
      return null;
    }
    if (certificate != null) {
      return TlsIdentity.fromPem(certificate, key);
    }
    return TlsIdentity.selfSigned(data.resolve(GENERATED_FILE), TlsIdentity.defaultHost(host));
  }

  /** One line for the serve output: which certificate, and its fingerprint for pinning. */
  public static String describe(TlsIdentity identity) {
    if (identity == null) {
      return "off (clients connect in the clear; --db-tls on to enable)";
    }
    return "certificate "
        + identity.source()
        + (identity.created() ? " (self-signed, generated now)" : "")
        + " SHA-256 "
        + identity.sha256Fingerprint();
  }
}
