package dev.threadbare.chat.events;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;

/** Sends requests to the endpoint the way Slack does: signed, as POST. Thread safe. */
public final class SignedRequests {

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String baseUrl;
  private final SlackSignature signer;

  public SignedRequests(String baseUrl, String secret) {
    this.baseUrl = baseUrl;
    this.signer = SlackSignature.create(secret, Clock.systemUTC());
  }

  /** Posts {@code body} to {@code path} signed at now plus {@code skewSeconds}. */
  public HttpResponse<String> post(String path, String body, long skewSeconds, String contentType)
      throws IOException, InterruptedException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    long ts = System.currentTimeMillis() / 1000 + skewSeconds;
    return send(path, bytes, Long.toString(ts), signer.sign(ts, bytes), contentType, null);
  }

  /** Posts a signed JSON event. */
  public HttpResponse<String> event(String json) throws IOException, InterruptedException {
    return post(SlackEventsEndpoint.EVENTS_PATH, json, 0, "application/json");
  }

  /** Posts a signed JSON event as Slack's {@code retry}-th redelivery. */
  public HttpResponse<String> retry(String json, int retry)
      throws IOException, InterruptedException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    long ts = System.currentTimeMillis() / 1000;
    return send(
        SlackEventsEndpoint.EVENTS_PATH,
        bytes,
        Long.toString(ts),
        signer.sign(ts, bytes),
        "application/json",
        Integer.toString(retry));
  }

  /** Posts with the given raw headers (null: header left out). */
  public HttpResponse<String> send(
      String path,
      byte[] body,
      String timestamp,
      String signature,
      String contentType,
      String retryNum)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(baseUrl + path))
            .timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (timestamp != null) {
      request.header("X-Slack-Request-Timestamp", timestamp);
    }
    if (signature != null) {
      request.header("X-Slack-Signature", signature);
    }
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    if (retryNum != null) {
      request.header("X-Slack-Retry-Num", retryNum).header("X-Slack-Retry-Reason", "http_timeout");
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  /** Signs {@code body} at {@code ts} (for tests that build their own headers). */
  public String sign(long ts, byte[] body) {
    return signer.sign(ts, body);
  }
}
