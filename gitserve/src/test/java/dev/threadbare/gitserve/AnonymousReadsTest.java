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
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnonymousReadsTest {
  @TempDir Path data;

  @Test
  void whenConfiguredAnonymousCallersReadPublicChannelsOnly() throws Exception {
    Path pub = data.resolve("git/C0PUB.git");
    Path priv = data.resolve("git/C0PRIV.git");
    try (ChannelRepos repos = ChannelRepos.createBare(pub)) {
      repos.commit("main", "U0A", "A", "one", Map.of("a.txt", "a\n"));
    }
    try (ChannelRepos repos = ChannelRepos.createBare(priv)) {
      repos.commit("main", "U0A", "A", "one", Map.of("b.txt", "b\n"));
    }
    Map<String, ServedChannel> channels =
        Map.of(
            "open", ServedChannel.publicChannel("C0PUB", "open", pub),
            "closed", ServedChannel.privateChannel("C0PRIV", "closed", priv, Set.of("U0A")));
    GitServe gitServe =
        GitServe.create(
            data,
            name -> Optional.ofNullable(channels.get(name)),
            new GitServe.Settings(true, "https://code.example.org/"));
    Javalin server = gitServe.start(0);
    try {
      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + server.port();
      HttpResponse<String> open =
          http.send(
              HttpRequest.newBuilder(
                      URI.create(base + "/git/open.git/info/refs?service=git-upload-pack"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(open.statusCode()).isEqualTo(200);
      assertThat(open.body()).contains("refs/heads/main");
      HttpResponse<String> closed =
          http.send(
              HttpRequest.newBuilder(
                      URI.create(base + "/git/closed.git/info/refs?service=git-upload-pack"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(closed.statusCode()).isEqualTo(401);
      HttpResponse<String> page =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/code/open/tree?rev=main")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.body()).contains("value=\"https://code.example.org/git/open.git\"");
    } finally {
      server.stop();
    }
  }
}
