package dev.threadbare.workspace;

import static org.assertj.core.api.Assertions.assertThat;

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

  @Test
  void aWorkspaceFromBeforeHashingMovesItsTokensOut() throws Exception {
    String userToken;
    String botToken;
    try (LocalWorkspace workspace = LocalWorkspace.open(dir)) {
      userToken = workspace.addUser("ada", false);
      botToken = workspace.botToken();
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
    try (LocalWorkspace workspace = LocalWorkspace.open(dir)) {
      assertThat(workspace.botToken()).isEqualTo(botToken);
      int port = workspace.start(0);
      assertThat(authTest(port, userToken)).contains("\"ok\":true");
    }
    assertThat(everyText(dir.resolve("workspace.db")))
        .noneMatch(text -> text.contains(userToken) || text.contains(botToken));
  }
}
