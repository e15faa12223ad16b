package dev.threadbare.app.serve;

import static dev.threadbare.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.methods.MethodsClient;
import com.slack.api.model.Conversation;
import com.slack.api.model.Message;
import dev.threadbare.app.Main;
import dev.threadbare.workspace.LocalWorkspace;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Ops events reach an ops channel in another workspace, through its own token: the db layer's
 * automatic index, made by a query, is announced there.
 */
class OpsChannelTest {

  @TempDir Path dir;

  @Test
  void anAutomaticIndexIsAnnouncedInTheOpsChannelOfAnotherWorkspace() throws Exception {
    try (LocalWorkspace opsWorkspace = LocalWorkspace.open(dir.resolve("ops-workspace"))) {
      int opsPort = opsWorkspace.start(0);
      String opsApi = "http://127.0.0.1:" + opsPort + "/api/";
      SlackConfig config = new SlackConfig();
      config.setMethodsEndpointUrlPrefix(opsApi);
      MethodsClient opsReader =
          Slack.getInstance(config).methods(opsWorkspace.firstRunAdminToken().orElseThrow());
      String opsChannel =
          opsReader.conversationsList(r -> r).getChannels().stream()
              .filter(c -> c.getName().equals("general"))
              .map(Conversation::getId)
              .findFirst()
              .orElseThrow();
      Path data = dir.resolve("data");
      try (Server server =
          Server.start(
              Server.Settings.defaults(data)
                  .withOps(new Server.OpsChannel(opsChannel, opsWorkspace.botToken(), opsApi)))) {
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
                        messages(opsReader, opsChannel).stream()
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

  private static List<Message> messages(MethodsClient reader, String channel) {
    try {
      List<Message> messages = reader.conversationsHistory(r -> r.channel(channel)).getMessages();
      return messages == null ? List.of() : messages;
    } catch (Exception e) {
      return List.of();
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
    StringWriter out = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out));
    assertThat(cli.execute(args)).isZero();
    String[] lines = out.toString().strip().split("\\R");
    return lines[lines.length - 2].strip();
  }
}
