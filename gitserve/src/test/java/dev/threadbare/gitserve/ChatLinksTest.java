package dev.threadbare.gitserve;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Message links open where the chat lives (the local workspace's own UI, or the team's Slack), not
 * at the {@code slack.com} address a commit's trailer names; and a browser signed in to the chat
 * needs no token.
 */
class ChatLinksTest {
  @TempDir static Path temp;
  static Javalin server;
  static String base;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void serve() throws Exception {
    Path data = temp.resolve("data");
    Path repo = data.resolve("git/C0PUB.git");
    try (ChannelRepos repos = ChannelRepos.createBare(repo)) {
      repos.commitAt(
          "main",
          "U0ALICE",
          "Alice",
          "add app",
          Map.of("src/app.py", "a = 1\n"),
          "1712000100.000100",
          "https://slack.com/archives/C0PUB/p1712000100000100");
      repos.fork("thread/1712000100.000100");
      repos.commitAt(
          "thread/1712000100.000100",
          "U0BOB",
          "Bob",
          "reply",
          Map.of("src/app.py", "a = 2\n"),
          "1712000200.000200",
          "https://slack.com/archives/C0PUB/p1712000200000200"
              + "?thread_ts=1712000100.000100&cid=C0PUB");
    }
    GitServe gitServe =
        GitServe.create(
                data,
                name ->
                    name.equals("general")
                        ? Optional.of(ServedChannel.publicChannel("C0PUB", "general", repo))
                        : Optional.empty(),
                GitServe.Settings.defaults().withChatUrl("https://acme.slack.com/"))
            .signInWith(
                new ChatSessions() {
                  @Override
                  public String cookieName() {
                    return "tb_session";
                  }

                  @Override
                  public Optional<String> userOf(String session) {
                    return session.equals("xoxc-alice") ? Optional.of("U0ALICE") : Optional.empty();
                  }

                  @Override
                  public String signInPath() {
                    return "/";
                  }
                });
    server = gitServe.start(0);
    base = "http://127.0.0.1:" + server.port();
  }

  @AfterAll
  static void stop() {
    server.stop();
  }

  static HttpResponse<String> get(String path, String session) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path));
    if (session != null) {
      request.header("Cookie", "tb_session=" + session);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void messageAndThreadLinksOpenWhereTheChatLives() throws Exception {
    HttpResponse<String> blame =
        get("/code/general/blame?rev=thread/1712000100.000100&path=src/app.py", "xoxc-alice");
    assertThat(blame.statusCode()).isEqualTo(200);
    assertThat(blame.body())
        .contains(
            "href=\"https://acme.slack.com/archives/C0PUB/p1712000200000200"
                + "?thread_ts=1712000100.000100&amp;cid=C0PUB\"")
        .contains("href=\"https://acme.slack.com/archives/C0PUB/p1712000100000100\"")
        .contains("id=\"nav-chat\" href=\"https://acme.slack.com/archives/C0PUB\"")
        .doesNotContain("https://slack.com/archives");
    HttpResponse<String> blob =
        get("/code/general/blob?rev=thread/1712000100.000100&path=src/app.py", "xoxc-alice");
    assertThat(blob.body())
        .contains(
            "id=\"to-conversation\" href=\"https://acme.slack.com/archives/C0PUB/p1712000100000100\"");
  }

  @Test
  void aChatSessionSignsInToTheCodeBrowserButNotToGit() throws Exception {
    assertThat(get("/code/general/tree", "xoxc-alice").statusCode()).isEqualTo(200);
    assertThat(get("/api/v1/channels/general/tree", "xoxc-alice").statusCode()).isEqualTo(200);
    HttpResponse<String> stranger = get("/code/general/tree", "xoxc-nobody");
    assertThat(stranger.statusCode()).isEqualTo(302);
    HttpResponse<String> login = get("/code/login", null);
    assertThat(login.body()).contains("id=\"chat-sign-in\" href=\"/\"");
    assertThat(get("/git/general.git/info/refs?service=git-upload-pack", "xoxc-alice").statusCode())
        .isEqualTo(401);
  }
}
