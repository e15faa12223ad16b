package dev.threadbare.db;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The secrets handed to one deployed version for its database: a PostgreSQL user and password (kept
 * by the layer only as a SCRAM-SHA-256 verifier) and an HTTP bearer token (kept only as a hash).
 * Shown once, when made. Immutable.
 */
public record Credentials(
    String database, String version, String user, String password, String bearerToken) {
  public Credentials {
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(bearerToken, "bearerToken");
  }

  /** {@code postgresql://user:password@host:port/database}, the deployment's DATABASE_URL. */
  public String connectionUrl(String host, int port) {
    return "postgresql://"
        + URLEncoder.encode(user, StandardCharsets.UTF_8)
        + ":"
        + URLEncoder.encode(password, StandardCharsets.UTF_8)
        + "@"
        + host
        + ":"
        + port
        + "/"
        + database;
  }

  @Override
  public String toString() {
    return "Credentials[database=" + database + ", version=" + version + ", user=" + user + "]";
  }
}
