package dev.threadbare.app.serve;

import static dev.threadbare.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code threadbare serve} as a user meets it: one process, a person posting through the Slack SDK
 * to the local workspace, the bot answering, the repository cloned with the real {@code git} over
 * HTTP, and the db layer reached with the PostgreSQL JDBC driver on the wire port.
 */
class ServeEndToEndTest {

  @TempDir static Path dir;
  static ServeFixture serve;
  static Server server;
  static MethodsClient person;
  static String general;

  @BeforeAll
  static void start() throws Exception {
    serve = ServeFixture.start(Server.Settings.defaults(dir.resolve("data")).withDbPort(0));
    server = serve.server();
    person = serve.person();
    general = serve.general();
  }

  @AfterAll
  static void stop() {
    if (serve != null) {
      serve.close();
    }
  }

  @Test
  void aPostedFileBecomesACommitThatGitClonesAndTheBotAcknowledges() throws Exception {
    ChatPostMessageResponse posted =
        person.chatPostMessage(
            r ->
                r.channel(general)
                    .text("first version\n`src/app.py`\n```\nprint(\"a -> b & <c>\")\n```"));
    assertThat(posted.isOk()).as(posted.getError()).isTrue();
    assertThat(eventually(() -> reactions(posted.getTs()).contains("white_check_mark"))).isTrue();

    ChatPostMessageResponse reply =
        person.chatPostMessage(
            r ->
                r.channel(general)
                    .threadTs(posted.getTs())
                    .text("`src/app.py`\n```\nprint(\"thread\")\n```"));
    assertThat(reply.isOk()).isTrue();
    assertThat(eventually(() -> reactions(reply.getTs()).contains("white_check_mark"))).isTrue();

    String token = lastLine("git", "add-token", "--data", data(), "--user", userId());
    Path clone = dir.resolve("clone");
    String authority = URI.create(server.url()).getAuthority();
    git(
        dir,
        "clone",
        "-q",
        "http://me:" + token + "@" + authority + "/git/general.git",
        clone.toString());
    assertThat(Files.readString(clone.resolve("src/app.py"), StandardCharsets.UTF_8))
        .isEqualTo("print(\"a -> b & <c>\")\n");
    git(clone, "checkout", "-q", "thread/" + posted.getTs());
    assertThat(Files.readString(clone.resolve("src/app.py"), StandardCharsets.UTF_8))
        .isEqualTo("print(\"thread\")\n");
  }

  @Test
  void theTokenCommandGivesTheAskerAlonePrivateGitAccess() throws Exception {
    person.chatPostMessage(r -> r.channel(general).text("`a.txt`\n```\nfor the token test\n```"));
    // The answer is ephemeral (never in the channel's history): the asker's own web UI session
    // receives it live, as a person would see it.
    java.util.List<String> live = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.net.http.HttpClient http =
        java.net.http.HttpClient.newBuilder()
            .version(java.net.http.HttpClient.Version.HTTP_1_1)
            .build();
    java.net.http.HttpResponse<String> signIn =
        http.send(
            java.net.http.HttpRequest.newBuilder(URI.create(server.url() + "/ui/signin"))
                .header("Content-Type", "application/json")
                .POST(
                    java.net.http.HttpRequest.BodyPublishers.ofString(
                        "{\"token\":\"" + server.firstRunAdminToken() + "\"}"))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
    String cookie = signIn.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
    java.util.concurrent.CompletableFuture<
            java.net.http.HttpResponse<java.util.stream.Stream<String>>>
        stream =
            http.sendAsync(
                java.net.http.HttpRequest.newBuilder(URI.create(server.url() + "/ui/live"))
                    .header("Cookie", cookie)
                    .header("Accept", "text/event-stream")
                    .GET()
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofLines());
    Thread reader =
        new Thread(
            () -> {
              try {
                stream.join().body().forEach(live::add);
              } catch (RuntimeException e) {
                // the stream ends when the test closes it
              }
            });
    reader.setDaemon(true);
    reader.start();
    // Subscribed once the hub has greeted the session ({"type":"hello"}).
    assertThat(eventually(() -> live.stream().anyMatch(l -> l.contains("\"hello\""))))
        .as("the live stream: %s", live)
        .isTrue();
    ChatPostMessageResponse asked = person.chatPostMessage(r -> r.channel(general).text("token"));
    assertThat(asked.isOk()).isTrue();
    String key =
        "token:" + asked.getMessage().getTeam() + ":" + general + ":" + asked.getTs() + ":";
    String[] told = new String[1];
    assertThat(
            eventually(
                () ->
                    (told[0] =
                            live.stream().filter(l -> l.contains("tbp_")).findFirst().orElse(null))
                        != null))
        .as("the live stream: %s", live)
        .isTrue();
    stream.join().body().close();
    // Once delivered, the outbox keeps no copy of the token.
    assertThat(eventually(() -> serve.sentByOutbox(key) != null)).isTrue();
    assertThat(serve.sentByOutbox(key)).doesNotContain("tbp_").contains("purged once delivered");
    java.util.regex.Matcher token =
        java.util.regex.Pattern.compile("`(tbp_[A-Za-z0-9_-]+)`").matcher(told[0]);
    assertThat(token.find()).as(told[0]).isTrue();
    assertThat(told[0]).contains(server.url() + "/git/general.git");

    Path clone = dir.resolve("token-clone");
    String authority = URI.create(server.url()).getAuthority();
    git(
        dir,
        "clone",
        "-q",
        "http://me:" + token.group(1) + "@" + authority + "/git/general.git",
        clone.toString());
    assertThat(clone.resolve("a.txt")).exists();
  }

  @Test
  void healthAndMetricsAnswer() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> health =
        http.send(
            HttpRequest.newBuilder(URI.create(server.url() + "/healthz")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);
    HttpResponse<String> metrics =
        http.send(
            HttpRequest.newBuilder(URI.create(server.url() + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.body())
        .contains("threadbare_journal_lag_entries")
        .contains("threadbare_outbox_depth");
  }

  @Test
  void theDbLayerAnswersOnTheWirePort() throws Exception {
    String url =
        lastLine(
            "db",
            "add-credentials",
            "--data",
            data(),
            "--database",
            "prod",
            "--version",
            "v1",
            "--port",
            String.valueOf(server.dbPort()));
    URI uri = URI.create(url.replace("postgresql://", "http://"));
    String[] userInfo = uri.getUserInfo().split(":", 2);
    String jdbc = "jdbc:postgresql://" + uri.getHost() + ":" + uri.getPort() + uri.getPath();
    // TLS is on by default, with the certificate generated in the data directory
    assertThat(server.dbTls().source()).isEqualTo(dir.resolve("data/db-tls.p12").toString());
    Path root = Files.writeString(dir.resolve("db-root.crt"), server.dbTls().certificatePem());
    Properties properties = new Properties();
    properties.setProperty("user", userInfo[0]);
    properties.setProperty("password", userInfo[1]);
    properties.setProperty("sslmode", "verify-ca");
    properties.setProperty("sslrootcert", root.toString());
    try (Connection c = DriverManager.getConnection(jdbc, properties)) {
      try (PreparedStatement insert = c.prepareStatement("INSERT INTO notes (body) VALUES (?)")) {
        insert.setString(1, "hello");
        assertThat(insert.executeUpdate()).isEqualTo(1);
      }
      try (PreparedStatement select = c.prepareStatement("SELECT body FROM notes");
          ResultSet rows = select.executeQuery()) {
        assertThat(rows.next()).isTrue();
        assertThat(rows.getString(1)).isEqualTo("hello");
      }
    }
  }

  private static String data() {
    return dir.resolve("data").toString();
  }

  /** Runs the CLI as a user would while serve runs, and returns its last line of output. */
  private static String lastLine(String... args) {
    return ServeFixture.cliLastLine(args);
  }

  private static String userId() throws Exception {
    return person.authTest(r -> r).getUserId();
  }

  private static List<String> reactions(String ts) {
    return serve.reactions(general, ts);
  }

  private static void git(Path workDir, String... args) throws IOException, InterruptedException {
    String[] command = new String[args.length + 1];
    command[0] = "git";
    System.arraycopy(args, 0, command, 1, args.length);
    Process p =
        new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
  }
}
