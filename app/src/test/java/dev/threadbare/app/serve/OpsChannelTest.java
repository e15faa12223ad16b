package dev.threadbare.app.serve;

import static dev.threadbare.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ops events reach an ops channel in another workspace, through its own token: the db layer's
 * automatic index, made by a query, is announced there.
 */
class OpsChannelTest {

  @TempDir Path dir;

  @Test
  void anAutomaticIndexIsAnnouncedInTheOpsChannelOfAnotherWorkspace() throws Exception {
    try (ServeFixture.OpsWorkspace ops =
        ServeFixture.OpsWorkspace.open(dir.resolve("ops-workspace"))) {
      Path data = dir.resolve("data");
      try (ServeFixture serve =
          ServeFixture.start(Server.Settings.defaults(data).withOps(ops.opsChannel()))) {
        Server server = serve.server();
        String token =
            secondToLastLine(
                "db",
                "add-credentials",
                "--data",
                data.toString(),
                "--database",
                "prod",
                "--version",
                "v1");
        sql(server, token, "INSERT INTO orders (customer, total) VALUES ('ada', 10)");
        sql(server, token, "SELECT total FROM orders WHERE customer = 'ada'");

        assertThat(
                eventually(
                    () ->
                        ops.messages().stream()
                            .anyMatch(
                                m ->
                                    m.getText().contains("prod")
                                        && m.getText().contains("orders")
                                        && m.getText().contains("customer"))))
            .as("an index-created report in the ops workspace's channel")
            .isTrue();
      }
    }
  }

  private static void sql(Server server, String token, String sql) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(server.url() + "/db/prod/sql"))
                    .header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"sql\": \"" + sql.replace("\"", "\\\"") + "\"}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
  }

  /** Runs the CLI and returns the line before its last (add-credentials: the bearer token). */
  private static String secondToLastLine(String... args) {
    List<String> lines = ServeFixture.cli(args);
    return lines.get(lines.size() - 2).strip();
  }
}
