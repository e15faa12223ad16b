package dev.threadbare.chat.events;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies Slack's v0 request signatures: {@code X-Slack-Signature: v0=HEX} where HEX is the
 * HMAC-SHA256 of {@code v0:TIMESTAMP:BODY} under the app's signing secret, and {@code
 * X-Slack-Request-Timestamp} within five minutes of now, either way. See <a
 * href="https://api.slack.com/authentication/verifying-requests-from-slack">Verifying requests from
 * Slack</a>.
 *
 * <p>Immutable and thread safe; the comparison takes constant time.
 */
public final class SlackSignature {

  /** How far a request's timestamp may be from now, in the past or the future. */
  public static final Duration WINDOW = Duration.ofMinutes(5);

  private final byte[] secret;
  private final Clock clock;

  private SlackSignature(byte[] secret, Clock clock) {
    this.secret = secret;
    this.clock = clock;
  }

  /** A verifier for the app's signing secret, reading the time from {@code clock}. */
  public static SlackSignature create(String signingSecret, Clock clock) {
    Objects.requireNonNull(signingSecret, "signingSecret");
    Objects.requireNonNull(clock, "clock");
    if (signingSecret.isBlank()) {
      throw new IllegalArgumentException(
          "signing secret is empty: set SLACK_SIGNING_SECRET to the app's Signing Secret"
              + " (Basic Information page)");
    }
    return new SlackSignature(signingSecret.getBytes(StandardCharsets.UTF_8), clock);
  }

  /** The header value Slack would send for {@code body} at {@code timestamp} (for senders). */
  public String sign(long timestamp, byte[] body) {
    return "v0=" + HexFormat.of().formatHex(mac(timestamp, body));
  }

  /**
   * Returns normally when {@code signature} is Slack's signature of {@code body} at {@code
   * timestamp} and the timestamp is within {@link #WINDOW} of now; otherwise throws {@link
   * SignatureException} naming what is wrong.
   */
  public void verify(String timestamp, String signature, byte[] body) {
    if (timestamp == null || timestamp.isBlank()) {
      throw new SignatureException(
          "missing X-Slack-Request-Timestamp header: requests must come signed from Slack");
    }
    if (signature == null || signature.isBlank()) {
      throw new SignatureException(
          "missing X-Slack-Signature header: requests must come signed from Slack");
    }
    long seconds;
    try {
      seconds = Long.parseLong(timestamp.trim());
    } catch (NumberFormatException e) {
      throw new SignatureException(
          "X-Slack-Request-Timestamp `" + abbreviate(timestamp) + "` is not epoch seconds");
    }
    long now = clock.instant().getEpochSecond();
    if (Math.abs(now - seconds) > WINDOW.toSeconds()) {
      throw new SignatureException(
          "X-Slack-Request-Timestamp "
              + seconds
              + " is more than 5 minutes from now ("
              + now
              + "): replayed or clock skew; check the server's clock");
    }
    byte[] expected = sign(seconds, body).getBytes(StandardCharsets.US_ASCII);
    byte[] given = signature.trim().getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(expected, given)) {
      throw new SignatureException(
          "X-Slack-Signature `"
              + abbreviate(signature)
              + "` does not match the body: wrong signing secret or a forged request");
    }
  }

  private byte[] mac(long timestamp, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      mac.update(("v0:" + timestamp + ":").getBytes(StandardCharsets.US_ASCII));
      mac.update(body);
      return mac.doFinal();
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  private static String abbreviate(String value) {
    return value.length() <= 24 ? value : value.substring(0, 24) + "…";
  }
}
