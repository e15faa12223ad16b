package dev.threadbare.app.crash;

import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import dev.threadbare.app.serve.ServeFixture;
import dev.threadbare.workspace.LocalWorkspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve} killed (SIGKILL) while a promotion's new version is starting: after the restart
 * prod is the old version — never nothing — and {@code threadbare prod} says the promotion was
 * abandoned.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class ProdCrashTest {

  @TempDir Path dir;

  static final String APP =
      """
      import os, time, http.server
      V = open('VERSION').read().strip()
      time.sleep(float(open('DELAY').read()))
      class H(http.server.BaseHTTPRequestHandler):
          def do_GET(self):
              body = ('version ' + V).encode()
              self.send_response(200)
              self.send_header('Content-Length', str(len(body)))
              self.end_headers()
              self.wfile.write(body)
      http.server.ThreadingHTTPServer(('127.0.0.1', int(os.environ['PORT'])), H).serve_forever()
      """;

  static String file(String path, String content) {
    return ServeFixture.file(path, content);
  }

  static String app(String version, String delay) {
    return file("app.py", APP)
        + file("VERSION", version + "\n")
        + file("DELAY", delay + "\n")
        + file("threadbare.toml", "[deploy]\nrun = \"/usr/bin/python3 app.py\"\n");
  }

  @Test
  void killedMidPromotionProdIsTheOldVersionAndTheHistorySaysSo() throws Exception {
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
    Path data = dir.resolve("data");
    String adminToken;
    String carlToken;
    try (LocalWorkspace workspace = LocalWorkspace.open(data)) {
      adminToken = workspace.firstRunAdminToken().orElseThrow();
      carlToken = workspace.addUser("carl", false);
    }
    int port = CrashFixture.freePort();
    ServeProcess serve = ServeProcess.start(data, port, Map.of(), dir.resolve("serve-1.log"));
    MethodsClient admin = client(serve, adminToken);
    MethodsClient carl = client(serve, carlToken);
    String general = ServeFixture.channelId(admin, "general");
    String v1 = post(admin, general, app("1", "0"));
    assertThat(carl.reactionsAdd(r -> r.channel(general).timestamp(v1).name("+1")).isOk()).isTrue();
    post(admin, general, "promote main@1");
    String prodUrl = "http://general.prod.localhost:" + port + "/";
    await(() -> "version 1".equals(curlQuietly(prodUrl)));

    // v2 takes 20 s to listen: serve is killed while it starts.
    String v2 = post(admin, general, app("2", "20"));
    assertThat(carl.reactionsAdd(r -> r.channel(general).timestamp(v2).name("+1")).isOk()).isTrue();
    post(admin, general, "promote main@2");
    await(() -> pending(data.resolve("prod.db")) == 1);
    serve.kill();

    ServeProcess again = ServeProcess.start(data, port, Map.of(), dir.resolve("serve-2.log"));
    try {
      assertThat(curl(prodUrl)).isEqualTo("version 1");
      List<String> lines = cli("prod", "--data", data.toString(), "--channel", "general");
      assertThat(lines.get(0)).contains(" " + prodUrl);
      String v1Commit = lines.get(0).split(" ")[1];
      assertThat(lines).hasSize(3);
      assertThat(lines.get(1))
          .contains(" promote ")
          .doesNotContain(v1Commit)
          .contains("(abandoned: the server stopped before the version served prod");
      assertThat(lines.get(2)).contains(" promote " + v1Commit + " by ").doesNotContain("(");
    } finally {
      again.stop();
    }
  }

  static MethodsClient client(ServeProcess serve, String token) {
    return ServeFixture.client(serve.url() + "/api/", token);
  }

  static String post(MethodsClient who, String channel, String text) throws Exception {
    ChatPostMessageResponse posted = who.chatPostMessage(r -> r.channel(channel).text(text));
    assertThat(posted.isOk()).as(posted.getError()).isTrue();
    return posted.getTs();
  }

  static int pending(Path prodDb) {
    if (!Files.exists(prodDb)) {
      return 0;
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + prodDb);
        PreparedStatement q =
            c.prepareStatement("SELECT count(*) FROM prod_events WHERE status = 'pending'");
        ResultSet rs = q.executeQuery()) {
      return rs.next() ? rs.getInt(1) : 0;
    } catch (java.sql.SQLException e) {
      return 0;
    }
  }

  static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("timed out").isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  static String curlQuietly(String url) {
    try {
      return curl(url);
    } catch (Exception | AssertionError e) {
      return "";
    }
  }

  static String curl(String url) throws IOException, InterruptedException {
    return ServeFixture.curl(url);
  }

  static List<String> cli(String... args) {
    return ServeFixture.cli(args);
  }
}
