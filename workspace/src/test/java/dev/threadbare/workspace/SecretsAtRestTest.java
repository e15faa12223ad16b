package dev.threadbare.workspace;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An attacker who reads {@code workspace.db} (a copied file, another process) finds no token that
 * works: tokens are kept as hashes, and the bot's own token lives in an owner-only file.
 */
class SecretsAtRestTest {

  @TempDir Path dir;

  /** Every text value in every table of the SQLite file, as another process reads it. */
  private static List<String> everyText(Path db) throws Exception {
    List<String> texts = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement s = c.createStatement()) {
      List<String> tables = new ArrayList<>();
      try (ResultSet t = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table'")) {
        while (t.next()) {
          tables.add(t.getString(1));
        }
      }
      for (String table : tables) {
        try (ResultSet rows = c.createStatement().executeQuery("SELECT * FROM \"" + table + "\"")) {
          int columns = rows.getMetaData().getColumnCount();
          while (rows.next()) {
            for (int i = 1; i <= columns; i++) {
              Object value = rows.getObject(i);
              if (value != null) {
                texts.add(value.toString());
              }
            }
          }
        }
      }
    }
    return texts;
  }

  private static String authTest(int port, String token) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/auth.test"))
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  @Test
  void workspaceDbHoldsNoUsableToken() throws Exception {
    String botToken;
    String userToken;
    String adminToken;
    try (LocalWorkspace workspace = LocalWorkspace.open(dir)) {
      botToken = workspace.botToken();
      adminToken = workspace.firstRunAdminToken().orElseThrow();
      userToken = workspace.addUser("ada", false);
      int port = workspace.start(0);
      assertThat(authTest(port, userToken)).contains("\"ok\":true");
      assertThat(authTest(port, botToken)).contains("\"ok\":true");
    }
    List<String> stolen = everyText(dir.resolve("workspace.db"));
    assertThat(stolen).isNotEmpty();
    for (String token : List.of(botToken, userToken, adminToken)) {
      assertThat(stolen).noneMatch(text -> text.contains(token));
    }
    assertThat(stolen).noneMatch(text -> text.matches("(?s).*xox[pbc]-.*"));

    // What was read is useless: a hash is not a token.
    try (LocalWorkspace workspace = LocalWorkspace.open(dir)) {
      int port = workspace.start(0);
      String hashed =
          stolen.stream().filter(t -> t.startsWith("sha256:")).findFirst().orElseThrow();
      assertThat(authTest(port, hashed)).contains("\"ok\":false").contains("invalid_auth");
      // The bot's token is presented from its owner-only file, the same across opens.
      assertThat(workspace.botToken()).isEqualTo(botToken);
      assertThat(workspace.adminSignInToken()).contains(adminToken);
    }
    Path secret = dir.resolve("secrets").resolve(LocalWorkspace.BOT_TOKEN_SECRET);
    assertThat(Files.readString(secret, StandardCharsets.UTF_8)).isEqualTo(botToken);
    assertThat(Files.getPosixFilePermissions(secret))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.getPosixFilePermissions(secret.getParent()))
        .isEqualTo(PosixFilePermissions.fromString("rwx------"));
  }

  /** Every byte of the database's files (the file, its WAL, its shared memory) as Latin-1 text. */
  private static String rawBytes(Path dir) throws Exception {
    StringBuilder all = new StringBuilder();
    try (var files = Files.list(dir)) {
      for (Path file :
          files.filter(f -> f.getFileName().toString().startsWith("workspace.db")).toList()) {
        all.append(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
      }
    }
    return all.toString();
  }

  /**
   * Signing secrets are HMAC keys, which the workspace must present: they are kept owner-only with
   * the bot's token, and nothing that reads workspace.db (its tables, or its raw bytes) finds them.
   */
  @Test
  void signing_secrets_live_in_the_owner_only_secrets_not_in_workspace_db() throws Exception {
    AppRegistration app;
    String eventsSecret = "0123456789abcdef0123456789abcdef";
    // A receiver that answers the url_verification handshake by echoing its challenge.
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext(
        "/",
        exchange -> {
          byte[] body = exchange.getRequestBody().readAllBytes();
          String challenge = new ObjectMapper().readTree(body).path("challenge").asText("");
          byte[] answer = challenge.getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, answer.length);
          exchange.getResponseBody().write(answer);
          exchange.close();
        });
    receiver.start();
    try (LocalWorkspace workspace = LocalWorkspace.open(dir)) {
      String url = "http://127.0.0.1:" + receiver.getAddress().getPort();
      app = workspace.addApp("bolty", url + "/slack/events");
      workspace.setEventsRequestUrl(url + "/threadbare/events", eventsSecret);
      workspace.addApp("quiet", null);
    } finally {
      receiver.stop(0);
    }
    assertThat(app.signingSecret()).hasSize(32);
    List<String> stolen = everyText(dir.resolve("workspace.db"));
    assertThat(stolen).isNotEmpty().contains("bolty");
    assertThat(stolen)
        .noneMatch(text -> text.contains(app.signingSecret()) || text.contains(eventsSecret));
    String raw = rawBytes(dir);
    assertThat(raw)
        .contains("bolty")
        .doesNotContain(app.signingSecret())
        .doesNotContain(eventsSecret);

    Path secrets = dir.resolve("secrets");
    Path appSecret = secrets.resolve("app-" + app.appId() + "-signing-secret");
    assertThat(Files.readString(appSecret, StandardCharsets.UTF_8)).isEqualTo(app.signingSecret());
    assertThat(
            Files.readString(secrets.resolve(LocalWorkspace.EVENTS_SECRET), StandardCharsets.UTF_8))
        .isEqualTo(eventsSecret);
    for (Path secret : List.of(appSecret, secrets.resolve(LocalWorkspace.EVENTS_SECRET))) {
      assertThat(Files.getPosixFilePermissions(secret))
          .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }
  }

  @Test
  void aWorkspaceFromBeforeHashingMovesItsTokensOut() throws Exception {
    String userToken;
    String botToken;
    AppRegistration app;
    try (LocalWorkspace workspace = LocalWorkspace.open(dir)) {
      userToken = workspace.addUser("ada", false);
      botToken = workspace.botToken();
      app = workspace.addApp("bolty", null);
    }
    // As an older threadbare left it: plaintext tokens, no secrets folder.
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("workspace.db"));
        Statement s = c.createStatement()) {
      s.executeUpdate("DELETE FROM ws_tokens");
      s.executeUpdate(
          "INSERT INTO ws_tokens (token, user_id, kind, created) SELECT '"
              + botToken
              + "', id, 'bot', 1 FROM ws_users WHERE name = 'threadbare'");
      s.executeUpdate(
          "INSERT INTO ws_tokens (token, user_id, kind, created) SELECT '"
              + userToken
              + "', id, 'user', 1 FROM ws_users WHERE name = 'ada'");
    }
    Files.delete(dir.resolve("secrets").resolve(LocalWorkspace.BOT_TOKEN_SECRET));
    // ... and its signing secrets in the database.
    Path appSecret = dir.resolve("secrets").resolve("app-" + app.appId() + "-signing-secret");
    Files.delete(appSecret);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("workspace.db"));
        Statement s = c.createStatement()) {
      s.executeUpdate(
          "UPDATE ws_apps SET signing_secret = '" + app.signingSecret() + "' WHERE name = 'bolty'");
      s.executeUpdate(
          "INSERT INTO ws_meta (meta_key, meta_value) VALUES ('events_secret', 'old-events-secret')");
    }
    try (LocalWorkspace workspace = LocalWorkspace.open(dir)) {
      assertThat(workspace.botToken()).isEqualTo(botToken);
      int port = workspace.start(0);
      assertThat(authTest(port, userToken)).contains("\"ok\":true");
    }
    assertThat(everyText(dir.resolve("workspace.db")))
        .noneMatch(
            text ->
                text.contains(userToken)
                    || text.contains(botToken)
                    || text.contains(app.signingSecret())
                    || text.contains("old-events-secret"));
    assertThat(Files.readString(appSecret, StandardCharsets.UTF_8)).isEqualTo(app.signingSecret());
    assertThat(
            Files.readString(
                dir.resolve("secrets").resolve(LocalWorkspace.EVENTS_SECRET),
                StandardCharsets.UTF_8))
        .isEqualTo("old-events-secret");
  }
}
