package dev.threadbare.pgwire;

import dev.threadbare.db.ScramCredential;
import dev.threadbare.db.SqlState;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The server side of SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL uses it: no channel binding,
 * the user name taken from the startup packet. One instance per authentication exchange: {@link
 * #serverFirst} then {@link #verifyClientFinal}. Not thread safe.
 *
 * @see <a href="https://www.postgresql.org/docs/current/sasl-authentication.html">SASL
 *     authentication</a>
 */
final class Scram {
  static final String MECHANISM = "SCRAM-SHA-256";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final ScramCredential credential;
  private String clientFirstBare;
  private String gs2Header;
  private String serverFirst;
  private String nonce;

  Scram(ScramCredential credential) {
    this.credential = credential;
  }

  /**
   * A verifier that matches no password: used for unknown users so that the exchange looks the same
   * and the reply does not reveal which users exist.
   */
  static ScramCredential impossibleCredential(String user) {
    byte[] salt = new byte[16];
    byte[] storedKey = new byte[32];
    byte[] serverKey = new byte[32];
    RANDOM.nextBytes(salt);
    RANDOM.nextBytes(storedKey);
    RANDOM.nextBytes(serverKey);
    return new ScramCredential(user, salt, 4096, storedKey, serverKey);
  }

  /** Derives the verifier for a password, as PostgreSQL does for {@code password_encryption}. */
  static ScramCredential derive(String user, String password, byte[] salt, int iterations) {
    byte[] saltedPassword = saltedPassword(password, salt, iterations);
    byte[] clientKey = hmac(saltedPassword, "Client Key");
    byte[] storedKey = sha256(clientKey);
    byte[] serverKey = hmac(saltedPassword, "Server Key");
    return new ScramCredential(user, salt.clone(), iterations, storedKey, serverKey);
  }

  /** Whether {@code password} is the one the credential was derived from (constant time). */
  static boolean matchesPassword(ScramCredential credential, String password) {
    byte[] saltedPassword = saltedPassword(password, credential.salt(), credential.iterations());
    byte[] storedKey = sha256(hmac(saltedPassword, "Client Key"));
    return MessageDigest.isEqual(storedKey, credential.storedKey());
  }

  /** Reads client-first-message and returns server-first-message. */
  String serverFirst(String clientFirst) {
    // gs2-header = cbind-flag "," [authzid] ","
    int firstComma = clientFirst.indexOf(',');
    int secondComma = firstComma < 0 ? -1 : clientFirst.indexOf(',', firstComma + 1);
    if (secondComma < 0) {
      throw malformed("client-first-message lacks the GS2 header (`n,,`)");
    }
    String cbindFlag = clientFirst.substring(0, firstComma);
    if (cbindFlag.startsWith("p=")) {
      throw new AuthenticationFailedException(
          SqlState.PROTOCOL_VIOLATION,
          "SCRAM channel binding `"
              + cbindFlag
              + "` was requested, but this server offers only SCRAM-SHA-256 without channel"
              + " binding (no TLS); use channel_binding=disable or prefer");
    }
    if (!cbindFlag.equals("n") && !cbindFlag.equals("y")) {
      throw malformed("GS2 channel-binding flag `" + cbindFlag + "` is not n, y or p=…");
    }
    gs2Header = clientFirst.substring(0, secondComma + 1);
    clientFirstBare = clientFirst.substring(secondComma + 1);
    String clientNonce = null;
    for (String attribute : clientFirstBare.split(",")) {
      if (attribute.startsWith("m=")) {
        throw malformed("mandatory SCRAM extension `" + attribute + "` is not supported");
      }
      if (attribute.startsWith("r=")) {
        clientNonce = attribute.substring(2);
      }
    }
    if (clientNonce == null || clientNonce.isEmpty()) {
      throw malformed("client-first-message has no nonce (`r=`)");
    }
    byte[] serverNonce = new byte[18];
    RANDOM.nextBytes(serverNonce);
    nonce = clientNonce + Base64.getEncoder().encodeToString(serverNonce);
    serverFirst =
        "r="
            + nonce
            + ",s="
            + Base64.getEncoder().encodeToString(credential.salt())
            + ",i="
            + credential.iterations();
    return serverFirst;
  }

  /**
   * Checks client-final-message's proof against the stored key and returns server-final-message.
   *
   * @throws AuthenticationFailedException (28P01) when the proof does not match
   */
  String verifyClientFinal(String clientFinal) {
    int proofAt = clientFinal.lastIndexOf(",p=");
    if (proofAt < 0) {
      throw malformed("client-final-message has no proof (`p=`)");
    }
    String withoutProof = clientFinal.substring(0, proofAt);
    String channelBinding = null;
    String finalNonce = null;
    for (String attribute : withoutProof.split(",")) {
      if (attribute.startsWith("c=")) {
        channelBinding = attribute.substring(2);
      } else if (attribute.startsWith("r=")) {
        finalNonce = attribute.substring(2);
      }
    }
    String expectedBinding =
        Base64.getEncoder().encodeToString(gs2Header.getBytes(StandardCharsets.UTF_8));
    if (!expectedBinding.equals(channelBinding)) {
      throw malformed("channel binding `c=" + channelBinding + "` does not echo the GS2 header");
    }
    if (!nonce.equals(finalNonce)) {
      throw malformed("client-final-message nonce does not match the server's nonce");
    }
    byte[] proof;
    try {
      proof = Base64.getDecoder().decode(clientFinal.substring(proofAt + 3));
    } catch (IllegalArgumentException e) {
      throw malformed("the proof is not Base64");
    }
    String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
    byte[] clientSignature = hmac(credential.storedKey(), authMessage);
    if (proof.length != clientSignature.length) {
      throw wrongPassword();
    }
    byte[] clientKey = new byte[proof.length];
    for (int i = 0; i < proof.length; i++) {
      clientKey[i] = (byte) (proof[i] ^ clientSignature[i]);
    }
    if (!MessageDigest.isEqual(sha256(clientKey), credential.storedKey())) {
      throw wrongPassword();
    }
    byte[] serverSignature = hmac(credential.serverKey(), authMessage);
    return "v=" + Base64.getEncoder().encodeToString(serverSignature);
  }

  AuthenticationFailedException wrongPassword() {
    return passwordFailed(credential.user());
  }

  static AuthenticationFailedException passwordFailed(String user) {
    return new AuthenticationFailedException(
        SqlState.INVALID_PASSWORD,
        "password authentication failed for user \""
            + user
            + "\": the password does not match the stored SCRAM-SHA-256 verifier");
  }

  private static AuthenticationFailedException malformed(String detail) {
    return new AuthenticationFailedException(
        SqlState.PROTOCOL_VIOLATION,
        "malformed SCRAM message: " + detail + " (RFC 5802; use a PostgreSQL client library)");
  }

  private static byte[] saltedPassword(String password, byte[] salt, int iterations) {
    // PBKDF2-HMAC-SHA-256 with one output block (Hi() in RFC 5802).
    byte[] key = password.getBytes(StandardCharsets.UTF_8);
    Mac mac = mac(key);
    mac.update(salt);
    byte[] block = mac.doFinal(new byte[] {0, 0, 0, 1});
    byte[] result = block.clone();
    for (int i = 1; i < iterations; i++) {
      block = mac.doFinal(block);
      for (int j = 0; j < result.length; j++) {
        result[j] ^= block[j];
      }
    }
    return result;
  }

  private static Mac mac(byte[] key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      // an empty password still needs a key object; HMAC pads keys with zeros anyway
      mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, "HmacSHA256"));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  private static byte[] hmac(byte[] key, String data) {
    return mac(key).doFinal(data.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
