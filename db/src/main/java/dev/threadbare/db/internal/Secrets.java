package dev.threadbare.db.internal;

import dev.threadbare.db.ScramCredential;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Random secrets, SCRAM-SHA-256 verifiers (RFC 5802 section 3, RFC 7677) and bearer-token hashes.
 * Stateless and thread safe.
 */
public final class Secrets {
  public static final int SCRAM_ITERATIONS = 4096;
  private static final SecureRandom RANDOM = new SecureRandom();

  private Secrets() {}

  /** {@code bytes} random bytes as lower-case hex. */
  public static String randomHex(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** The verifier for {@code password}: salt, iterations, StoredKey and ServerKey. */
  public static ScramCredential scram(String user, String password) {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    return scram(user, password, salt, SCRAM_ITERATIONS);
  }

  /** The verifier for a given salt and iteration count (deterministic; for tests). */
  public static ScramCredential scram(String user, String password, byte[] salt, int iterations) {
    try {
      // Passwords the layer makes are ASCII hex, for which SASLprep is the identity.
      SecretKeyFactory factory = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
      byte[] salted =
          factory
              .generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, 256))
              .getEncoded();
      byte[] clientKey = hmac(salted, "Client Key");
      byte[] storedKey = MessageDigest.getInstance("SHA-256").digest(clientKey);
      byte[] serverKey = hmac(salted, "Server Key");
      return new ScramCredential(user, salt, iterations, storedKey, serverKey);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SCRAM-SHA-256 needs PBKDF2WithHmacSHA256 and HmacSHA256", e);
    }
  }

  static byte[] hmac(byte[] key, String message) throws GeneralSecurityException {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
  }

  /** The SHA-256 of a bearer token, hex: what the catalog keeps instead of the token. */
  public static String tokenHash(String token) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is missing", e);
    }
  }
}
