package dev.threadbare.app.workspace;

import static org.assertj.core.api.Assertions.assertThat;

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

/** {@code threadbare workspace …} against a workspace whose server is running. */
class WorkspaceCommandTest {

  @TempDir Path dir;

  private record Run(int status, String out, String err) {
    String lastLine() {
      List<String> lines = out.lines().toList();
      return lines.get(lines.size() - 1);
    }
  }

  private static Run run(String... args) {
    CommandLine cli = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int status = cli.execute(args);
    return new Run(status, out.toString(), err.toString());
  }

  private static String authTest(int port, String token) throws Exception {
    try (HttpClient http = HttpClient.newHttpClient()) {
      return http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/auth.test"))
                  .header("Authorization", "Bearer " + token)
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    }
  }

  @Test
  void addUserAndBotTokenWorkWhileTheServerRuns() throws Exception {
    try (LocalWorkspace running = LocalWorkspace.open(dir)) {
      int port = running.start(0);
      Run added = run("workspace", "add-user", "--data", dir.toString(), "ada", "--admin");
      assertThat(added.status()).as(added.err()).isZero();
      assertThat(added.lastLine()).startsWith("xoxp-");
      assertThat(authTest(port, added.lastLine()))
          .contains("\"ok\":true")
          .contains("\"user\":\"ada\"");

      Run bot = run("workspace", "bot-token", "--data", dir.toString());
      assertThat(bot.status()).isZero();
      assertThat(bot.lastLine()).isEqualTo(running.botToken());

      Run again = run("workspace", "add-user", "--data", dir.toString(), "ada");
      assertThat(again.status()).isEqualTo(1);
      assertThat(again.err()).contains("`ada` is taken");
      Run bad = run("workspace", "add-user", "--data", dir.toString(), "Ada Lovelace");
      assertThat(bad.err()).contains("`Ada Lovelace` is not allowed");
    }
  }

  @Test
  void addAppPrintsItsCredentialsAndTheRunningServerDeliversToIt() throws Exception {
    java.util.concurrent.BlockingQueue<String> bodies =
        new java.util.concurrent.LinkedBlockingQueue<>();
    com.sun.net.httpserver.HttpServer receiver =
        com.sun.net.httpserver.HttpServer.create(
            new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
    receiver.createContext(
        "/slack/events",
        exchange -> {
          bodies.add(
              new String(
                  exchange.getRequestBody().readAllBytes(),
                  java.nio.charset.StandardCharsets.UTF_8));
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    receiver.start();
    try (LocalWorkspace running = LocalWorkspace.open(dir)) {
      int port = running.start(0);
      String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/slack/events";
      Run added =
          run("workspace", "add-app", "--data", dir.toString(), "my-bolt", "--events-url", url);
      assertThat(added.status()).as(added.err()).isZero();
      List<String> lines = added.out().lines().toList();
      assertThat(lines).anyMatch(l -> l.startsWith("SLACK_SIGNING_SECRET="));
      assertThat(lines).anyMatch(l -> l.startsWith("SLACK_APP_TOKEN=xapp-"));
      assertThat(added.lastLine()).startsWith("SLACK_BOT_TOKEN=xoxb-");
      String botToken = added.lastLine().substring("SLACK_BOT_TOKEN=".length());
      assertThat(authTest(port, botToken)).contains("\"ok\":true").contains("\"user\":\"my-bolt\"");

      String ada = running.addUser("ada", false);
      try (HttpClient http = HttpClient.newHttpClient()) {
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/chat.postMessage"))
                .header("Authorization", "Bearer " + ada)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("channel=general&text=hello+apps"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
      }
      String delivered = bodies.poll(10, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(delivered).contains("hello apps").contains("\"type\":\"event_callback\"");

      Run taken = run("workspace", "add-app", "--data", dir.toString(), "my-bolt");
      assertThat(taken.status()).isEqualTo(1);
      assertThat(taken.err()).contains("`my-bolt` is taken");
    } finally {
      receiver.stop(0);
    }
  }
}
