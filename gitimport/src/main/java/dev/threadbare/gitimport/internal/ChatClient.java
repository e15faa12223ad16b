package dev.threadbare.gitimport.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.slack.api.methods.MethodsClient;
import dev.threadbare.gitimport.ChatCallFailedException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import okhttp3.FormBody;
import okhttp3.Response;

/**
 * The Web API as the importing person uses it, through the Slack SDK's {@link MethodsClient}: form
 * posts with the user token, answers as JSON, {@code 429} answers waited out for their {@code
 * Retry-After}, and message-posting calls paced to the configured rate. Not thread safe; one import
 * at a time.
 */
public final class ChatClient {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_RETRIES = 10;

  private final MethodsClient methods;
  private final String token;
  private final long spacingNanos;
  private final Consumer<String> progress;
  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(10))
          .followRedirects(HttpClient.Redirect.NORMAL)
          .build();
  private long nextPostAt = Long.MIN_VALUE;
  private int rateLimited;

  public ChatClient(
      MethodsClient methods, String token, double messagesPerSecond, Consumer<String> progress) {
    this.methods = methods;
    this.token = token;
    this.spacingNanos = (long) (1e9 / messagesPerSecond);
    this.progress = progress;
  }

  /** How many times the chat answered 429. */
  public int rateLimited() {
    return rateLimited;
  }

  /** Calls a read or upload-preparing method (not paced). */
  public JsonNode call(String method, Map<String, String> params) {
    return send(method, params, false);
  }

  /** Calls a method that posts a message, no sooner than the pace allows. */
  public JsonNode post(String method, Map<String, String> params) {
    return send(method, params, true);
  }

  private JsonNode send(String method, Map<String, String> params, boolean paced) {
    for (int attempt = 0; ; attempt++) {
      if (paced) {
        awaitPace();
      }
      FormBody.Builder form = new FormBody.Builder();
      params.forEach(form::add);
      try (Response response = methods.runPostFormWithToken(form, method, token)) {
        String body = response.body() == null ? "" : response.body().string();
        if (response.code() == 429) {
          rateLimited++;
          long seconds = retryAfter(response.header("Retry-After"));
          if (attempt >= MAX_RETRIES) {
            throw new ChatCallFailedException(
                method
                    + " is still rate limited after "
                    + MAX_RETRIES
                    + " retries: lower --rate and run the import again (it resumes)",
                null);
          }
          progress.accept("rate limited by the chat: waiting " + seconds + " s (" + method + ")");
          sleep(Duration.ofSeconds(seconds).toNanos());
          continue;
        }
        JsonNode answer = body.isEmpty() ? JSON.createObjectNode() : JSON.readTree(body);
        if (!answer.path("ok").asBoolean(false)) {
          throw new ChatCallFailedException(
              method
                  + " answered `"
                  + answer.path("error").asText("HTTP " + response.code())
                  + "`"
                  + hint(answer.path("error").asText("")),
              null);
        }
        return answer;
      } catch (IOException e) {
        throw new ChatCallFailedException(
            method + " could not reach the chat: " + e.getMessage() + " (check --api-url)", e);
      }
    }
  }

  private static String hint(String error) {
    return switch (error) {
      case "not_in_channel", "channel_not_found" ->
          ": check --channel and that the token's user is a member of it";
      case "invalid_auth", "not_authed", "token_revoked" ->
          ": check --token (a user token, xoxp-…) or SLACK_USER_TOKEN";
      case "msg_too_long" -> ": a message was over Slack's 40,000 characters";
      default -> "";
    };
  }

  private static long retryAfter(String header) {
    if (header == null) {
      return 1;
    }
    try {
      return Math.max(1, Long.parseLong(header.trim()));
    } catch (NumberFormatException e) {
      return 1;
    }
  }

  /**
   * Waits for the next slot of the schedule: one post every {@code spacing}. A call that ran late
   * by less than one spacing is caught up on (the next slot stays on the schedule), so the average
   * is the configured rate even when a call is slow; later than that, the schedule restarts from
   * now. At most two posts ever go back to back, as Slack's per-channel burst allows.
   */
  private void awaitPace() {
    long now = System.nanoTime();
    if (nextPostAt == Long.MIN_VALUE) {
      nextPostAt = now + spacingNanos;
      return;
    }
    if (now < nextPostAt) {
      sleep(nextPostAt - now);
      now = System.nanoTime();
    }
    nextPostAt = Math.max(nextPostAt, now - spacingNanos) + spacingNanos;
  }

  private static void sleep(long nanos) {
    try {
      Thread.sleep(Duration.ofNanos(nanos));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ChatCallFailedException("the import was interrupted", e);
    }
  }

  /** Uploads bytes to an {@code upload_url} from {@code files.getUploadURLExternal}. */
  public void upload(String url, byte[] bytes, String label) {
    try {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(url))
              .timeout(Duration.ofSeconds(60))
              .header("Content-Type", "application/octet-stream")
              .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
              .build();
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() / 100 != 2) {
        throw new ChatCallFailedException(
            "uploading `" + label + "` answered HTTP " + response.statusCode(), null);
      }
    } catch (IOException e) {
      throw new ChatCallFailedException("uploading `" + label + "` failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ChatCallFailedException("the import was interrupted", e);
    }
  }

  /** Downloads a shared file ({@code url_private}) with the user's token. */
  public byte[] download(String url, String label) {
    try {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(url))
              .timeout(Duration.ofSeconds(60))
              .header("Authorization", "Bearer " + token)
              .GET()
              .build();
      HttpResponse<InputStream> response =
          http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = response.body()) {
        if (response.statusCode() != 200) {
          throw new ChatCallFailedException(
              "downloading `" + label + "` answered HTTP " + response.statusCode(), null);
        }
        return in.readAllBytes();
      }
    } catch (IOException e) {
      throw new ChatCallFailedException("downloading `" + label + "` failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ChatCallFailedException("the import was interrupted", e);
    }
  }
}
