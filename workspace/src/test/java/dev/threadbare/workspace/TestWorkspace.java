package dev.threadbare.workspace;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.methods.MethodsClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** A workspace on a temporary SQLite file, served on a free loopback port, with SDK clients. */
final class TestWorkspace implements AutoCloseable {

  static final ObjectMapper JSON = new ObjectMapper();

  final LocalWorkspace workspace;
  final int port;
  final Slack slack;
  final HttpClient http = HttpClient.newHttpClient();

  TestWorkspace(LocalWorkspace workspace) {
    this.workspace = workspace;
    this.port = workspace.start(0);
    SlackConfig config = new SlackConfig();
    config.setMethodsEndpointUrlPrefix(base() + "/api/");
    config.setPrettyResponseLoggingEnabled(false);
    this.slack = Slack.getInstance(config);
  }

  static TestWorkspace sqlite(Path dir) {
    return new TestWorkspace(LocalWorkspace.open(dir));
  }

  String base() {
    return "http://127.0.0.1:" + port;
  }

  MethodsClient methods(String token) {
    return slack.methods(token);
  }

  MethodsClient bot() {
    return methods(workspace.botToken());
  }

  /**
   * Signs in to the web UI with {@code userToken} and returns the session ({@code xoxc-}) token.
   */
  String session(String userToken) throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(base() + "/ui/signin"))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"token\":\"" + userToken + "\"}", StandardCharsets.UTF_8))
                .build(),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    assertThat(response.statusCode()).isEqualTo(200);
    return JSON.readTree(response.body()).path("token").asText();
  }

  /** POSTs a form to {@code /api/<method>} and returns the status and parsed body. */
  HttpResponse<String> raw(String method, String token, String form)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base() + "/api/" + method))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form, StandardCharsets.UTF_8));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  static JsonNode json(HttpResponse<String> response) throws IOException {
    return JSON.readTree(response.body());
  }

  @Override
  public void close() {
    http.close();
    workspace.close();
  }
}
