package dev.threadbare.workspace;

import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.methods.MethodsClient;
import com.slack.api.model.Message;
import com.slack.api.model.Reaction;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An unmodified Bolt app (Slack's {@code @slack/bolt} from npm, pinned by {@code
 * src/test/bolt/package-lock.json}) registered with {@link LocalWorkspace#addApp} receives a
 * person's message, answers with {@code say()} and reacts — over HTTP events (Bolt checks the
 * signature) and over Socket Mode ({@code apps.connections.open}).
 */
class BoltAppTest {

  private static final Path BOLT = Path.of("src/test/bolt").toAbsolutePath();
  private static final Pattern READY = Pattern.compile("READY (\\d+)");

  @TempDir Path dir;
  TestWorkspace ws;
  MethodsClient ada;
  String general;
  Process bolt;
  final StringBuffer output = new StringBuffer();

  @BeforeAll
  static void installBolt() throws Exception {
    if (Files.isDirectory(BOLT.resolve("node_modules/@slack/bolt"))) {
      return;
    }
    // .ci/run does this too; a developer's first run gets it here
    Process npm =
        new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund")
            .directory(BOLT.toFile())
            .redirectErrorStream(true)
            .start();
    String log = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(npm.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(npm.exitValue()).as("npm ci in %s:%n%s", BOLT, log).isZero();
  }

  @BeforeEach
  void open() throws Exception {
    ws = TestWorkspace.sqlite(dir);
    ws.workspace.setRateLimits(RateLimits.unlimited());
    ada = ws.methods(ws.workspace.addUser("ada", false));
    general =
        ada.conversationsList(r -> r).getChannels().stream()
            .filter(c -> c.getName().equals("general"))
            .findFirst()
            .orElseThrow()
            .getId();
  }

  @AfterEach
  void close() throws Exception {
    if (bolt != null) {
      bolt.destroy();
      if (!bolt.waitFor(10, TimeUnit.SECONDS)) {
        bolt.destroyForcibly();
      }
    }
    ws.close();
  }

  @Test
  void aBoltAppGetsSignedHttpEventsAndAnswers() throws Exception {
    AppRegistration app = ws.workspace.addApp("boltie", null);
    int port = startBolt("http", app);
    ws.workspace.setAppEventsUrl("boltie", "http://127.0.0.1:" + port + "/slack/events");
    pingAndExpectAnswer(app, "http");
  }

  @Test
  void aBoltAppGetsEventsOverSocketModeAndAnswers() throws Exception {
    AppRegistration app = ws.workspace.addApp("socketeer", null);
    startBolt("socket", app);
    pingAndExpectAnswer(app, "socket");
  }

  @Test
  void anAppTokenOpensSocketModeAndNothingElse() throws Exception {
    AppRegistration app = ws.workspace.addApp("tokens", null);
    MethodsClient appLevel = ws.methods(app.appToken());
    var open = appLevel.appsConnectionsOpen(r -> r);
    assertThat(open.isOk()).isTrue();
    assertThat(open.getUrl()).startsWith("ws://127.0.0.1:" + ws.port + "/apps/socket?ticket=");
    var post = appLevel.chatPostMessage(r -> r.channel(general).text("hi"));
    assertThat(post.getError()).isEqualTo("not_allowed_token_type");
    var withBotToken = ws.methods(app.botToken()).appsConnectionsOpen(r -> r);
    assertThat(withBotToken.getError()).isEqualTo("not_allowed_token_type");
    var auth = ws.methods(app.botToken()).authTest(r -> r);
    assertThat(auth.getUserId()).isEqualTo(app.botUserId());
    assertThat(auth.getBotId()).isNotBlank();
  }

  @Test
  void everyAppGetsItsOwnSignedEventsWithSlacksRetries() throws Exception {
    ws.workspace.setEventRetryDelays(List.of(Duration.ZERO, Duration.ofMillis(200)));
    AppRegistration first = ws.workspace.addApp("first-app", null);
    AppRegistration second = ws.workspace.addApp("second-app", null);
    try (Receiver one = new Receiver(first.signingSecret());
        Receiver two = new Receiver(second.signingSecret())) {
      ws.workspace.setAppEventsUrl("first-app", one.url());
      ws.workspace.setAppEventsUrl("second-app", two.url());
      java.util.concurrent.atomic.AtomicInteger attempts =
          new java.util.concurrent.atomic.AtomicInteger();
      one.behaviour =
          d ->
              attempts.getAndIncrement() == 0
                  ? new Receiver.Answer(500, Duration.ZERO)
                  : Receiver.Answer.ok();
      ada.chatPostMessage(r -> r.channel(general).text("to every app"));
      Receiver.Delivery failed = one.next("message", null);
      Receiver.Delivery retried = one.next("message", null);
      Receiver.Delivery other = two.next("message", null);
      assertThat(List.of(failed, retried, other)).allMatch(Receiver.Delivery::signatureValid);
      assertThat(retried.header("X-Slack-Retry-Num")).isEqualTo("1");
      assertThat(retried.header("X-Slack-Retry-Reason")).isEqualTo("http_error");
      assertThat(retried.json().path("event_id")).isEqualTo(failed.json().path("event_id"));
      assertThat(failed.json().path("api_app_id").asText()).isEqualTo(first.appId());
      assertThat(other.json().path("api_app_id").asText()).isEqualTo(second.appId());
      assertThat(other.json().path("authorizations").get(0).path("user_id").asText())
          .isEqualTo(second.botUserId());
      assertThat(other.json().path("event").path("text").asText()).isEqualTo("to every app");
    }
  }

  private int startBolt(String mode, AppRegistration app) throws Exception {
    ProcessBuilder builder =
        new ProcessBuilder("node", "app.js").directory(BOLT.toFile()).redirectErrorStream(true);
    Map<String, String> env = builder.environment();
    env.put("MODE", mode);
    env.put("PORT", "0");
    env.put("SLACK_BOT_TOKEN", app.botToken());
    env.put("SLACK_SIGNING_SECRET", app.signingSecret());
    env.put("SLACK_APP_TOKEN", app.appToken());
    env.put("SLACK_API_URL", ws.base() + "/api/");
    bolt = builder.start();
    BufferedReader lines =
        new BufferedReader(new InputStreamReader(bolt.getInputStream(), StandardCharsets.UTF_8));
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (Instant.now().isBefore(deadline)) {
      String line = lines.readLine();
      if (line == null) {
        break;
      }
      output.append(line).append('\n');
      Matcher ready = READY.matcher(line);
      if (ready.find()) {
        drain(bolt.getInputStream(), lines);
        return Integer.parseInt(ready.group(1));
      }
    }
    throw new AssertionError("the Bolt app did not start:\n" + output);
  }

  private void drain(InputStream unused, BufferedReader lines) {
    Thread.ofVirtual()
        .start(
            () -> {
              try {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                  output.append(line).append('\n');
                }
              } catch (IOException e) {
                output.append("(output closed: ").append(e).append(")\n");
              }
            });
  }

  private void pingAndExpectAnswer(AppRegistration app, String mode) throws Exception {
    String ts = ada.chatPostMessage(r -> r.channel(general).text("ping, bolt?")).getTs();
    Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
    List<Message> replies = List.of();
    List<Reaction> reactions = List.of();
    while (Instant.now().isBefore(deadline)) {
      replies = ada.conversationsReplies(r -> r.channel(general).ts(ts)).getMessages();
      var root = ada.reactionsGet(r -> r.channel(general).timestamp(ts)).getMessage();
      reactions = root.getReactions() == null ? List.of() : root.getReactions();
      if (replies.size() > 1 && !reactions.isEmpty()) {
        break;
      }
      Thread.sleep(200);
    }
    assertThat(replies)
        .as("replies to the ping; the Bolt app said:%n%s", output)
        .extracting(Message::getText)
        .contains("pong from bolt over " + mode);
    assertThat(replies.get(replies.size() - 1).getUser()).isEqualTo(app.botUserId());
    assertThat(reactions)
        .as("reactions on the ping; the Bolt app said:%n%s", output)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getName()).isEqualTo("white_check_mark");
              assertThat(r.getUsers()).containsExactly(app.botUserId());
            });
  }
}
