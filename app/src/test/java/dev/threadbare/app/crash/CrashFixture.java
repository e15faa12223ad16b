package dev.threadbare.app.crash;

import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.SlackApiTextResponse;
import dev.threadbare.app.serve.ServeFixture;
import dev.threadbare.workspace.LocalWorkspace;
import dev.threadbare.workspace.RateLimits;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The world a crash test kills {@code serve} processes in: a local workspace in this JVM (the Web
 * API's limits lifted, event retries spanning a restart as Slack's do), a person who posts, a
 * {@link ChatReader} on {@code #general}, and the environment that runs a {@link ServeProcess} as a
 * bot of that workspace in real-Slack mode. Open it in {@code @BeforeAll}, close it after the
 * processes are gone; its fields are set once.
 */
final class CrashFixture implements AutoCloseable {

  final LocalWorkspace workspace;
  final String apiUrl;
  final String signingSecret;
  final String botUserId;
  final String personToken;
  final String personId;
  final ChatReader reader;
  final String channel;

  private CrashFixture(LocalWorkspace workspace, String apiUrl, String signingSecret) {
    this.workspace = workspace;
    this.apiUrl = apiUrl;
    this.signingSecret = signingSecret;
    this.botUserId = workspace.botUserId();
    this.personToken = workspace.addUser("poster", false);
    this.reader = new ChatReader(apiUrl, personToken);
    this.channel = reader.channelId("general");
    this.personId = reader.call("auth.test", Map.of()).path("user_id").asText();
  }

  /** Opens the workspace in {@code dir} and starts it on a free port. */
  static CrashFixture open(Path dir, String signingSecret) {
    LocalWorkspace workspace = LocalWorkspace.open(dir);
    try {
      workspace.setRateLimits(RateLimits.unlimited());
      // Retries spanning a restart (Slack retries for about five minutes).
      workspace.setEventRetryDelays(
          List.of(
              Duration.ofMillis(500),
              Duration.ofSeconds(1),
              Duration.ofSeconds(2),
              Duration.ofSeconds(4),
              Duration.ofSeconds(8),
              Duration.ofSeconds(16)));
      String apiUrl = "http://127.0.0.1:" + workspace.start(0) + "/api/";
      return new CrashFixture(workspace, apiUrl, signingSecret);
    } catch (RuntimeException | Error e) {
      workspace.close();
      throw e;
    }
  }

  /** The person's Slack SDK client. */
  MethodsClient person() {
    return ServeFixture.client(apiUrl, personToken);
  }

  /**
   * The environment of a {@code serve} that is this workspace's bot, with quick catch-up and outbox
   * paces, plus {@code more}.
   */
  Map<String, String> serveEnvironment(Map<String, String> more) {
    Map<String, String> env = new HashMap<>();
    env.put("SLACK_BOT_TOKEN", workspace.botToken());
    env.put("SLACK_SIGNING_SECRET", signingSecret);
    env.put("SLACK_API_URL", apiUrl);
    env.put("THREADBARE_CATCHUP_PER_MINUTE", "6000");
    env.put("THREADBARE_OUTBOX_PER_MINUTE", "60000");
    env.putAll(more);
    return Map.copyOf(env);
  }

  /** Starts {@code posting} on a thread named "poster"; what it throws lands in {@code errors}. */
  static Thread startPoster(Runnable posting, List<String> errors) {
    Thread poster =
        new Thread(
            () -> {
              try {
                posting.run();
              } catch (RuntimeException e) {
                errors.add(e.toString());
              }
            },
            "poster");
    poster.start();
    return poster;
  }

  /** A Web API call that may throw. */
  interface ApiCall<T extends SlackApiTextResponse> {
    T call() throws Exception;
  }

  /** Makes {@code call}; throws (naming {@code what}) when it threw or Slack said not ok. */
  static <T extends SlackApiTextResponse> T ok(String what, ApiCall<T> call) {
    T response;
    try {
      response = call.call();
    } catch (Exception e) {
      throw new IllegalStateException(what + ": " + e, e);
    }
    if (!response.isOk()) {
      throw new IllegalStateException(what + " failed: " + response.getError());
    }
    return response;
  }

  /** A port free now, for a process that must come back on the same one. */
  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() {
    workspace.close();
  }
}
