package dev.threadbare.db;

import java.util.Objects;

/**
 * A SCRAM-SHA-256 verifier (RFC 5802 / RFC 7677): what the server keeps instead of a password.
 * Immutable; arrays are not copied and must not be modified.
 */
public record ScramCredential(
    String user, byte[] salt, int iterations, byte[] storedKey, byte[] serverKey) {
  public ScramCredential {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(salt, "salt");
    Objects.requireNonNull(storedKey, "storedKey");
    Objects.requireNonNull(serverKey, "serverKey");
  }
}
