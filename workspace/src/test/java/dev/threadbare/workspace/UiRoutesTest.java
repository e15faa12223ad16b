package dev.threadbare.workspace;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The web UI's HTTP routes: sessions, assets, permalinks. */
class UiRoutesTest {

  @TempDir static Path dir;
  static TestWorkspace ws;
  static String adaToken;

  @BeforeAll
  static void start() {
    ws = TestWorkspace.sqlite(dir);
    adaToken = ws.workspace.addUser("ada", false);
  }

  @AfterAll
  static void stop() {
    ws.close();
  }

  private static HttpResponse<String> get(String path, String cookie) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(ws.base() + path));
    if (cookie != null) {
      request.header("Cookie", cookie);
    }
    return ws.http.send(
        request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private static HttpResponse<String> signIn(String body) throws Exception {
    return ws.http.send(
        HttpRequest.newBuilder(URI.create(ws.base() + "/ui/signin"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  @Test
  void sessionsComeFromUserTokensAndEndAtSignOut() throws Exception {
    HttpResponse<String> refused = signIn("{\"token\":\"" + ws.workspace.botToken() + "\"}");
    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(refused.body()).contains("add-user");
    assertThat(signIn("not json").statusCode()).isEqualTo(401);
    assertThat(get("/ui/session", null).statusCode()).isEqualTo(401);

    HttpResponse<String> signedIn = signIn("{\"token\":\"" + adaToken + "\"}");
    assertThat(signedIn.statusCode()).isEqualTo(200);
    String setCookie = signedIn.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(setCookie).contains("HttpOnly").containsIgnoringCase("SameSite=Strict");
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));
    String session = TestWorkspace.json(signedIn).path("token").asText();
    assertThat(session).startsWith("xoxc-");

    HttpResponse<String> current = get("/ui/session", cookie);
    assertThat(TestWorkspace.json(current).path("user").path("name").asText()).isEqualTo("ada");
    assertThat(TestWorkspace.json(ws.raw("auth.test", session, "")).path("user").asText())
        .isEqualTo("ada");

    ws.http.send(
        HttpRequest.newBuilder(URI.create(ws.base() + "/ui/signout"))
            .header("Cookie", cookie)
            .POST(HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.discarding());
    assertThat(get("/ui/session", cookie).statusCode()).isEqualTo(401);
    assertThat(TestWorkspace.json(ws.raw("auth.test", session, "")).path("error").asText())
        .isEqualTo("invalid_auth");
  }

  @Test
  void assetsAreServedAndNothingElse() throws Exception {
    HttpResponse<String> page = get("/", null);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<script type=\"module\" src=\"/ui/app.js\">");
    HttpResponse<String> script = get("/ui/app.js", null);
    assertThat(script.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("text/javascript");
    assertThat(get("/ui/vendor/highlight.min.js", null).body()).contains("hljs");
    assertThat(get("/ui/vendor/github.min.css", null).statusCode()).isEqualTo(200);
    assertThat(get("/ui/vendor/other.js", null).statusCode()).isEqualTo(404);
    assertThat(get("/ui/missing.js", null).statusCode()).isEqualTo(404);
    assertThat(get("/ui/%2e%2e%2fapp.js", null).statusCode()).isEqualTo(404);
  }

  @Test
  void permalinksOpenTheMessageInTheUi() throws Exception {
    HttpClient noRedirects =
        HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    try (noRedirects) {
      HttpResponse<Void> root =
          noRedirects.send(
              HttpRequest.newBuilder(URI.create(ws.base() + "/archives/C0123/p1663966382046509"))
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      assertThat(root.statusCode()).isEqualTo(302);
      assertThat(root.headers().firstValue("Location")).hasValue("/#/C0123/1663966382.046509");
      HttpResponse<Void> reply =
          noRedirects.send(
              HttpRequest.newBuilder(
                      URI.create(
                          ws.base()
                              + "/archives/C0123/p1663966399000100?thread_ts=1663966382.046509&cid=C0123"))
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      assertThat(reply.headers().firstValue("Location")).hasValue("/#/C0123/1663966382.046509");
    }
  }
}
