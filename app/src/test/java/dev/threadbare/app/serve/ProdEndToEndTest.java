package dev.threadbare.app.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import dev.threadbare.ci.CiRun;
import dev.threadbare.ci.RunStatus;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prod as a team meets it, on the local workspace through the Slack SDK, with real CI in the
 * sandbox, real sandboxed apps reading and writing the channel's prod database over the wire port
 * (psycopg2), and curl at {@code general.prod.localhost}: refused without approval, as a non-admin,
 * on a red commit (prod unchanged); promoted by an admin after a 👍 from someone else; a {@code
 * threadbare.toml} that sets {@code approvals = 0} does not lower its own bar; a member of {@code
 * #general-promoters} promotes v2 (new columns); rollback to v1, which still reads and writes; each
 * step once in the ops channel; {@code threadbare prod}.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ProdEndToEndTest {

  @TempDir static Path dir;
  static ServeFixture serve;
  static Server server;
  static MethodsClient admin;
  static MethodsClient bea;
  static MethodsClient carl;
  static String beaId;
  static String carlId;
  static String adminId;
  static String general;
  static String ops;

  static final String APP =
      """
      import os, time
      from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
      import psycopg2
      V = open('VERSION').read().strip()
      def db():
          c = psycopg2.connect(os.environ['DATABASE_URL'])
          c.autocommit = True
          return c.cursor()
      class H(BaseHTTPRequestHandler):
          def answer(self, text):
              body = text.encode()
              self.send_response(200)
              self.send_header('Content-Length', str(len(body)))
              self.end_headers()
              self.wfile.write(body)
          def do_GET(self):
              if self.path == '/':
                  self.answer('version ' + V)
              else:
                  cur = db()
                  cur.execute(READ)
                  self.answer(','.join(':'.join(str(v) for v in row) for row in cur.fetchall()))
          def do_POST(self):
              name = self.rfile.read(int(self.headers['Content-Length'])).decode()
              WRITE(db(), time.time_ns() // 1000, name)
              self.answer('stored')
          def log_message(self, *a):
              pass
      ThreadingHTTPServer(('127.0.0.1', int(os.environ['PORT'])), H).serve_forever()
      """;

  /** v1 knows items(id, name). */
  static final String V1_DB =
      """
      READ = 'SELECT name FROM items ORDER BY id'
      def WRITE(cur, i, name):
          cur.execute('INSERT INTO items (id, name) VALUES (%s, %s)', (i, name))
      """;

  /** v2 adds a column: items.color. */
  static final String V2_DB =
      """
      READ = 'SELECT name, color FROM items ORDER BY id'
      def WRITE(cur, i, name):
          cur.execute('INSERT INTO items (id, name, color) VALUES (%s, %s, %s)', (i, name, 'red'))
      """;

  @BeforeAll
  static void start() throws Exception {
    // The sandbox runs apps as nobody: their directory's ancestors must be traversable.
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
    Path data = dir.resolve("data");
    // A first start makes the people and the ops channel; the second reports to it.
    try (Server first = Server.start(Server.Settings.defaults(data))) {
      MethodsClient a = ServeFixture.client(first, first.firstRunAdminToken());
      ops = a.conversationsCreate(r -> r.name("ops")).getChannel().getId();
      String beaToken = first.workspace().orElseThrow().addUser("bea", false);
      String carlToken = first.workspace().orElseThrow().addUser("carl", false);
      Files.writeString(
          dir.resolve("tokens"), first.firstRunAdminToken() + "\n" + beaToken + "\n" + carlToken);
    }
    List<String> tokens = Files.readAllLines(dir.resolve("tokens"));
    serve =
        ServeFixture.start(
            Server.Settings.defaults(data)
                .withDbPort(0)
                .withOps(new Server.OpsChannel(ops, null, null)),
            tokens.get(0));
    server = serve.server();
    admin = serve.person();
    bea = serve.client(tokens.get(1));
    carl = serve.client(tokens.get(2));
    adminId = admin.authTest(r -> r).getUserId();
    beaId = bea.authTest(r -> r).getUserId();
    carlId = carl.authTest(r -> r).getUserId();
    general = serve.general();
    assertThat(server.ci()).as("bubblewrap must work here").isPresent();
  }

  @AfterAll
  static void stop() {
    if (serve != null) {
      serve.close();
    }
  }

  static String file(String path, String content) {
    return ServeFixture.file(path, content);
  }

  static String app(String version, String dbPart, String test, int approvals) {
    return "version "
        + version
        + "\n"
        + file("app.py", dbPart + APP)
        + file("VERSION", version + "\n")
        + file(
            "threadbare.toml",
            "[ci]\ntest = \""
                + test
                + "\"\n[deploy]\nrun = \"/usr/bin/python3 app.py\"\n[review]\napprovals = "
                + approvals
                + "\n");
  }

  static String post(MethodsClient who, String text) throws Exception {
    ChatPostMessageResponse posted = who.chatPostMessage(r -> r.channel(general).text(text));
    assertThat(posted.isOk()).as(posted.getError()).isTrue();
    return posted.getTs();
  }

  @Test
  void promoteRefuseApproveRollBack() throws Exception {
    String green = "/usr/bin/python3 -m py_compile app.py";
    // 1. bea posts v1: CI green.
    String v1 = post(bea, app("1", V1_DB, green, 1));
    assertThat(ciOf(v1).status()).isEqualTo(RunStatus.PASSED);

    // 2. An admin promotes it without approval: refused privately, naming what is missing.
    String ask = post(admin, "promote main@1");
    assertThat(answer(ask))
        .contains("Not done")
        .contains("approvals: `")
        .contains("has 0 of the 1 needed")
        .contains("Prod is unchanged");
    assertThat(curl(prod("/"))).contains("has no prod yet");

    // 3. bea's own 👍 does not count; carl's does. bea is no admin: refused for authority.
    react(bea, v1);
    react(carl, v1);
    String beaAsks = post(bea, "promote main@1");
    assertThat(answer(beaAsks))
        .contains("authority: you may not promote in #general")
        .contains("#general-promoters")
        .doesNotContain("approvals:");

    // 4. The admin promotes: prod serves v1 against the prod database.
    String promote1 = post(admin, "promote main@1");
    assertThat(answer(promote1)).contains("Promoted").contains(prodUrl());
    assertThat(curl(prod("/"))).isEqualTo("version 1");
    assertThat(curl("-X", "POST", "--data-binary", "apple", prod("/items"))).isEqualTo("stored");
    assertThat(curl(prod("/items"))).isEqualTo("apple");

    // 5. A red commit, approved: refused for CI, prod unchanged.
    String red = post(bea, app("red", V1_DB, "exit 1", 1));
    assertThat(ciOf(red).status()).isEqualTo(RunStatus.FAILED);
    react(carl, red);
    String askRed = post(admin, "promote main@2");
    assertThat(answer(askRed)).contains("green CI: `").contains("its run is failed");
    assertThat(curl(prod("/"))).isEqualTo("version 1");

    // 6. v2 sets approvals = 0 for itself: the bar is still prod's (1).
    String v2 = post(bea, app("2", V2_DB, green, 0));
    assertThat(ciOf(v2).status()).isEqualTo(RunStatus.PASSED);
    String askV2 = post(admin, "promote main@3");
    assertThat(answer(askV2)).contains("has 0 of the 1 needed").contains("prod's version `");
    assertThat(curl(prod("/"))).isEqualTo("version 1");

    // 7. carl approves; bea, now in #general-promoters, promotes v2: new columns in prod's data.
    react(carl, v2);
    String promoters =
        admin
            .conversationsCreate(r -> r.name("general-promoters").isPrivate(true))
            .getChannel()
            .getId();
    String bot = server.workspace().orElseThrow().botUserId();
    assertThat(
            admin.conversationsInvite(r -> r.channel(promoters).users(List.of(beaId, bot))).isOk())
        .isTrue();
    String promote2 = post(bea, "promote main@3");
    assertThat(answer(promote2)).contains("Promoted");
    assertThat(curl(prod("/"))).isEqualTo("version 2");
    assertThat(curl("-X", "POST", "--data-binary", "banana", prod("/items"))).isEqualTo("stored");
    assertThat(curl(prod("/items"))).isEqualTo("apple:None,banana:red");

    // 8. Rollback: v1 again, on the same data; it still reads and writes.
    String rollback = post(bea, "rollback");
    assertThat(answer(rollback)).contains("Rolled back");
    assertThat(curl(prod("/"))).isEqualTo("version 1");
    assertThat(curl(prod("/items"))).isEqualTo("apple,banana");
    assertThat(curl("-X", "POST", "--data-binary", "cherry", prod("/items"))).isEqualTo("stored");
    assertThat(curl(prod("/items"))).isEqualTo("apple,banana,cherry");

    // 9. Each step once in the ops channel, with who, approvals, CI run and URL.
    List<String> opsLines =
        eventually(() -> opsMessages().size() >= 3 ? Optional.of(opsMessages()) : Optional.empty());
    assertThat(opsLines).hasSize(3);
    assertThat(opsLines.get(0))
        .contains("promote `")
        .contains("by <@" + adminId + ">")
        .contains("approvals <@" + carlId + ">")
        .contains("CI run " + ciOf(v1).id())
        .contains(prodUrl());
    assertThat(opsLines.get(2)).contains("rollback `").contains("by <@" + beaId + ">");

    // The code browser's history shows the approvals per version.
    java.net.http.HttpClient web = java.net.http.HttpClient.newHttpClient();
    java.net.http.HttpResponse<String> signIn =
        web.send(
            java.net.http.HttpRequest.newBuilder(URI.create(server.url() + "/ui/signin"))
                .header("Content-Type", "application/json")
                .POST(
                    java.net.http.HttpRequest.BodyPublishers.ofString(
                        "{\"token\":\"" + Files.readAllLines(dir.resolve("tokens")).get(0) + "\"}"))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
    String cookie = signIn.headers().firstValue("Set-Cookie").orElseThrow();
    java.net.http.HttpResponse<String> log =
        web.send(
            java.net.http.HttpRequest.newBuilder(
                    URI.create(server.url() + "/code/general/log?rev=main"))
                .header("Cookie", cookie.substring(0, cookie.indexOf(';')))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(log.statusCode()).as(log.body()).isEqualTo(200);
    assertThat(log.body())
        .contains("<tr data-commit=\"" + ciOf(v1).commit())
        .contains("title=\"Approved by " + carlId + "\"");

    // 10. threadbare prod: the current prod, then the history newest first.
    String v1Commit = ciOf(v1).commit();
    String v2Commit = ciOf(v2).commit();
    List<String> lines =
        cli("prod", "--data", dir.resolve("data").toString(), "--channel", "general");
    assertThat(lines.get(0))
        .matches("[0-9a-f-]{36} " + v1Commit + " " + java.util.regex.Pattern.quote(prodUrl()));
    assertThat(lines.subList(1, lines.size()))
        .hasSize(3)
        .satisfiesExactly(
            l ->
                assertThat(l)
                    .matches(
                        "\\S+Z rollback " + v1Commit + " by " + beaId + " approvals " + carlId),
            l ->
                assertThat(l)
                    .matches("\\S+Z promote " + v2Commit + " by " + beaId + " approvals " + carlId),
            l ->
                assertThat(l)
                    .matches(
                        "\\S+Z promote " + v1Commit + " by " + adminId + " approvals " + carlId));
  }

  static String prodUrl() {
    return "http://general.prod.localhost:" + URI.create(server.url()).getPort() + "/";
  }

  static String prod(String path) {
    return prodUrl() + path.substring(1);
  }

  static void react(MethodsClient who, String ts) throws Exception {
    assertThat(who.reactionsAdd(r -> r.channel(general).timestamp(ts).name("+1")).isOk()).isTrue();
  }

  static CiRun ciOf(String ts) throws Exception {
    return eventually(
        () ->
            server.ci().orElseThrow().store().list(general, null, 1000).stream()
                .filter(r -> ts.equals(r.messageTs()) && r.status().isFinal())
                .findFirst());
  }

  /**
   * The bot's private answer to the command message {@code ts} (read where the outbox keeps it).
   */
  static String answer(String ts) throws Exception {
    return eventually(
        () -> {
          String url = "jdbc:sqlite:" + dir.resolve("data").resolve("outbox.db");
          try (Connection c = DriverManager.getConnection(url);
              PreparedStatement q =
                  c.prepareStatement(
                      "SELECT payload FROM outbox WHERE idempotency_key LIKE ? AND"
                          + " idempotency_key NOT LIKE '%:react' AND state = 'sent'")) {
            q.setString(1, "prod:%:" + general + ":" + ts + ":%");
            try (ResultSet rows = q.executeQuery()) {
              return rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
            }
          } catch (java.sql.SQLException e) {
            return Optional.empty();
          }
        });
  }

  static List<String> opsMessages() {
    try {
      List<String> texts = new ArrayList<>();
      for (var m : admin.conversationsHistory(r -> r.channel(ops).limit(100)).getMessages()) {
        if (m.getText() != null && m.getText().startsWith("prod #general")) {
          texts.add(m.getText());
        }
      }
      java.util.Collections.reverse(texts);
      return texts;
    } catch (Exception e) {
      return List.of();
    }
  }

  static <T> T eventually(Supplier<Optional<T>> probe) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      Optional<T> found = probe.get();
      if (found.isPresent()) {
        return found.get();
      }
      Thread.sleep(100);
    }
    throw new AssertionError("timed out after 90 s");
  }

  /** curl resolves *.localhost to loopback by itself, as browsers do. */
  static String curl(String... args) throws IOException, InterruptedException {
    return ServeFixture.curl(args);
  }

  static List<String> cli(String... args) {
    return ServeFixture.cli(args);
  }
}
