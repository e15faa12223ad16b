package dev.threadbare.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.threadbare.app.ServedPorts;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One writer per data directory, with real processes: while {@code serve} runs, a second serve,
 * {@code rebuild} and {@code ingest} are refused at once naming it (pid, command), and the
 * read-only commands work beside it; {@code db add-credentials} uses serve's db port; the admin's
 * sign-in token is printed at every start until an admin has signed in.
 */
class OneWriterTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration START = Duration.ofSeconds(120);

  @TempDir Path dir;

  private final HttpClient http = HttpClient.newHttpClient();

  private static String group(String line, String regex) {
    Matcher m = Pattern.compile(regex).matcher(line);
    assertThat(m.find()).as("%s in %s", regex, line).isTrue();
    return m.group(1);
  }

  private JsonNode api(String url, String token, String method, Map<String, String> form)
      throws Exception {
    String body =
        form.entrySet().stream()
            .map(
                e ->
                    URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)
                        + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
            .collect(Collectors.joining("&"));
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(url + "/api/" + method))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(response.body());
  }

  /**
   * Serve on {@code data} with free ports, once it has printed all it prints at start (the admin's
   * token, when printed, comes before the db lines).
   */
  private static CliProcess serve(Path data) {
    CliProcess serve =
        CliProcess.start("serve", "--data", data.toString(), "--port", "0", "--db-port", "0");
    assertThat(serve.awaitLine(l -> l.startsWith("threadbare db TLS"), START))
        .as("serve's output:\n%s", serve.output())
        .isPresent();
    return serve;
  }

  private static String signInToken(CliProcess serve) {
    String line =
        serve
            .awaitLine(l -> l.startsWith("Sign in to "), Duration.ofSeconds(30))
            .orElseThrow(() -> new AssertionError("no sign-in token in:\n" + serve.output()));
    return group(line, "Sign in to .* as admin .*: (xoxp-\\S+)");
  }

  @Test
  void aSecondWriterIsRefusedNamingServeWhileReadOnlyCommandsWorkBesideIt() throws Exception {
    Path data = dir.resolve("data");
    try (CliProcess serve = serve(data)) {
      String url =
          group(
              serve.awaitLine(l -> l.contains("listening on http"), START).orElseThrow(),
              "listening on (\\S+)");
      int dbPort =
          Integer.parseInt(
              group(serve.output(), "threadbare db listening on postgresql://[^:]+:(\\d+)"));
      String token = signInToken(serve);

      // A file through the Web API; the bot's ✅ says it is in git.
      String general = "";
      for (JsonNode c : api(url, token, "conversations.list", Map.of()).path("channels")) {
        if (c.path("name").asText().equals("general")) {
          general = c.path("id").asText();
        }
      }
      JsonNode posted =
          api(
              url,
              token,
              "chat.postMessage",
              Map.of("channel", general, "text", "`app.py`\n```\nprint(\"beside serve\")\n```"));
      assertThat(posted.path("ok").asBoolean()).as(posted.toString()).isTrue();
      Instant deadline = Instant.now().plusSeconds(60);
      String reactions = "";
      while (!reactions.contains("white_check_mark") && Instant.now().isBefore(deadline)) {
        Thread.sleep(200);
        reactions =
            api(
                    url,
                    token,
                    "reactions.get",
                    Map.of("channel", general, "timestamp", posted.path("ts").asText()))
                .toString();
      }
      assertThat(reactions).contains("white_check_mark");

      String holder = "is in use by `threadbare serve` (pid " + serve.pid() + ", since ";
      CliProcess.Finished second =
          CliProcess.run("serve", "--data", data.toString(), "--port", "0", "--db-port", "0");
      assertThat(second.status()).as(second.output()).isNotZero();
      assertThat(second.output()).contains(holder).doesNotContain("threadbare listening");
      CliProcess.Finished rebuild = CliProcess.run("rebuild", "--data", data.toString());
      assertThat(rebuild.status()).isNotZero();
      assertThat(rebuild.output()).contains("data directory " + data + " " + holder);
      Path events = Files.writeString(dir.resolve("events.jsonl"), "\n");
      CliProcess.Finished ingest =
          CliProcess.run("ingest", "--data", data.toString(), events.toString());
      assertThat(ingest.status()).isNotZero();
      assertThat(ingest.output()).contains(holder);

      CliProcess.Finished show =
          CliProcess.run("show", "--data", data.toString(), "--channel", "general", "app.py");
      assertThat(show.status()).as(show.output()).isZero();
      assertThat(show.output()).contains("print(\"beside serve\")");
      CliProcess.Finished tree =
          CliProcess.run("tree", "--data", data.toString(), "--channel", "general");
      assertThat(tree.status()).as(tree.output()).isZero();
      assertThat(tree.output()).contains("app.py\t");
      CliProcess.Finished log =
          CliProcess.run("log", "--data", data.toString(), "--channel", "general");
      assertThat(log.status()).as(log.output()).isZero();
      assertThat(log.output()).contains("main@1");

      CliProcess.Finished credentials =
          CliProcess.run(
              "db",
              "add-credentials",
              "--data",
              data.toString(),
              "--database",
              "prod",
              "--version",
              "v1");
      assertThat(credentials.status()).as(credentials.output()).isZero();
      assertThat(credentials.lastLine()).contains("@127.0.0.1:" + dbPort + "/");
      assertThat(ServedPorts.readFrom(data)).map(ServedPorts::dbPort).contains(dbPort);

      assertThat(serve.stop().status()).isIn(0, 143);
    }
    assertThat(data.resolve(ServedPorts.FILE)).doesNotExist();
    CliProcess.Finished rebuild = CliProcess.run("rebuild", "--data", data.toString());
    assertThat(rebuild.status()).as(rebuild.output()).isZero();
    assertThat(rebuild.output()).contains("rebuilt 1 channel repositories");
    CliProcess.Finished credentials =
        CliProcess.run(
            "db",
            "add-credentials",
            "--data",
            data.toString(),
            "--database",
            "prod",
            "--version",
            "v2");
    assertThat(credentials.lastLine()).contains("@127.0.0.1:5433/");
  }

  @Test
  void theAdminsTokenIsPrintedAtEveryStartUntilAnAdminHasSignedIn() throws Exception {
    Path data = dir.resolve("data");
    String token;
    String url;
    try (CliProcess first = serve(data)) {
      url = group(first.output(), "listening on (\\S+)");
      token = signInToken(first);
      assertThat(first.output()).contains("threadbare workspace add-user --admin");
      first.stop();
    }
    try (CliProcess second = serve(data)) {
      url = group(second.output(), "listening on (\\S+)");
      assertThat(group(second.output(), "Sign in to .* as admin .*: (xoxp-\\S+)"))
          .as("not signed in yet: printed again")
          .isEqualTo(token);
      second.stop();
    }
    try (CliProcess third = serve(data)) {
      url = group(third.output(), "listening on (\\S+)");
      HttpResponse<String> signIn =
          http.send(
              HttpRequest.newBuilder(URI.create(url + "/ui/signin"))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"token\":\"" + token + "\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(signIn.statusCode()).as(signIn.body()).isEqualTo(200);
      third.stop();
    }
    try (CliProcess fourth = serve(data)) {
      assertThat(fourth.output()).doesNotContain("Sign in to").doesNotContain(token);
      fourth.stop();
    }
    assertThat(url).startsWith("http://127.0.0.1:");
  }
}
