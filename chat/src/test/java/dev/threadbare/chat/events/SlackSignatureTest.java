package dev.threadbare.chat.events;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class SlackSignatureTest {

  private static final long NOW = 1_700_000_000L;
  private final SlackSignature signature =
      SlackSignature.create("8f742231b10e8888abcd99yyyzzz85a5", fixedAt(NOW));
  private final byte[] body = "token=xyz&team_id=T1&text=hi".getBytes(StandardCharsets.UTF_8);

  private static Clock fixedAt(long seconds) {
    return Clock.fixed(Instant.ofEpochSecond(seconds), ZoneOffset.UTC);
  }

  @Test
  void acceptsItsOwnSignatureWithinTheWindowBothWays() {
    for (long offset : new long[] {0, -299, 299, -300, 300}) {
      long ts = NOW + offset;
      assertThatCode(() -> signature.verify(Long.toString(ts), signature.sign(ts, body), body))
          .doesNotThrowAnyException();
    }
  }

  @Test
  void matchesSlacksDocumentedExample() {
    // The example of https://api.slack.com/authentication/verifying-requests-from-slack
    SlackSignature slack =
        SlackSignature.create("8f742231b10e8888abcd99yyyzzz85a5", fixedAt(1531420618));
    byte[] exampleBody =
        ("token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
                + "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect"
                + "&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554"
                + "%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c")
            .getBytes(StandardCharsets.UTF_8);
    assertThatCode(
            () ->
                slack.verify(
                    "1531420618",
                    "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
                    exampleBody))
        .doesNotThrowAnyException();
  }

  @Test
  void refusesForgedMissingStaleAndFutureRequests() {
    String ts = Long.toString(NOW);
    String good = signature.sign(NOW, body);
    assertThatThrownBy(() -> signature.verify(ts, good.replace('a', 'b').replace('1', '2'), body))
        .isInstanceOf(SignatureException.class)
        .hasMessageContaining("does not match");
    byte[] tampered = "token=xyz&team_id=T2&text=hi".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> signature.verify(ts, good, tampered))
        .hasMessageContaining("does not match");
    SlackSignature other = SlackSignature.create("another-secret", fixedAt(NOW));
    assertThatThrownBy(() -> signature.verify(ts, other.sign(NOW, body), body))
        .hasMessageContaining("wrong signing secret");
    assertThatThrownBy(() -> signature.verify(null, good, body))
        .hasMessageContaining("missing X-Slack-Request-Timestamp");
    assertThatThrownBy(() -> signature.verify(ts, null, body))
        .hasMessageContaining("missing X-Slack-Signature");
    assertThatThrownBy(() -> signature.verify("yesterday", good, body))
        .hasMessageContaining("`yesterday` is not epoch seconds");
    long stale = NOW - 301;
    assertThatThrownBy(
            () -> signature.verify(Long.toString(stale), signature.sign(stale, body), body))
        .hasMessageContaining("more than 5 minutes");
    long future = NOW + 301;
    assertThatThrownBy(
            () -> signature.verify(Long.toString(future), signature.sign(future, body), body))
        .hasMessageContaining("more than 5 minutes");
  }

  @Test
  void refusesAnEmptySecretNamingTheSetting() {
    assertThatThrownBy(() -> SlackSignature.create(" ", Clock.systemUTC()))
        .hasMessageContaining("SLACK_SIGNING_SECRET");
  }
}
