package dev.threadbare.gitserve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CodeBrowserTest {
  @TempDir static Path temp;
  static Javalin server;
  static GitServe gitServe;
  static String base;
  static String aliceToken;
  static String bobToken;
  static RevCommit v1;
  static RevCommit v2;
  static RevCommit v3;
  static RevCommit threadReply;
  static final HttpClient http = HttpClient.newHttpClient();
  static final ObjectMapper json = new ObjectMapper();
  static final String THREAD_TS = "1712000500.000200";

  @BeforeAll
  static void serve() throws Exception {
    Path data = temp.resolve("data");
    Path repo = data.resolve("git/C0PUB.git");
    Path privateRepo = data.resolve("git/C0PRIV.git");
    try (ChannelRepos repos = ChannelRepos.createBare(repo)) {
      v1 =
          repos.commit(
              "main", "U0ALICE", "Alice", "add app", Map.of("src/app.py", "a = 1\nb = 2\nc = 3\n"));
      v2 =
          repos.commit(
              "main",
              "U0BOB",
              "Bob",
              "change b",
              Map.of("src/app.py", "a = 1\nb = 20\nc = 3\n", "README.md", "# App\n"));
      repos.fork("thread/" + THREAD_TS);
      String replyTs = "1712000600.000300";
      threadReply =
          repos.commitAt(
              "thread/" + THREAD_TS,
              "U0CAROL",
              "Carol",
              "thread idea",
              Map.of("src/app.py", "a = 1\nb = 20\nc = 3\nd = 4\n"),
              replyTs,
              ChannelRepos.permalink("C0PUB", replyTs) + "?thread_ts=" + THREAD_TS + "&cid=C0PUB");
      v3 =
          repos.commit(
              "main",
              "U0ALICE",
              "Alice",
              "insert and change",
              Map.of("src/app.py", "import os\na = 1\nb = 200\nc = 3\n"));
    }
    try (ChannelRepos repos = ChannelRepos.createBare(privateRepo)) {
      repos.commit("main", "U0ALICE", "Alice", "secret", Map.of("s.txt", "s\n"));
    }
    Map<String, ServedChannel> channels = new HashMap<>();
    channels.put("general", ServedChannel.publicChannel("C0PUB", "general", repo));
    channels.put(
        "hideout",
        ServedChannel.privateChannel("C0PRIV", "hideout", privateRepo, Set.of("U0ALICE")));
    gitServe = GitServe.create(data, name -> Optional.ofNullable(channels.get(name)));
    server = gitServe.start(0);
    base = "http://127.0.0.1:" + server.port();
    aliceToken = gitServe.addToken("U0ALICE");
    bobToken = gitServe.addToken("U0BOB");
  }

  @AfterAll
  static void stop() {
    server.stop();
  }

  static HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode getJson(String path) throws Exception {
    HttpResponse<String> response = get(path, bobToken);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return json.readTree(response.body());
  }

  @Test
  void blameNamesTheVersionAndMessageOfEveryLine() throws Exception {
    JsonNode blame = getJson("/api/v1/channels/general/blame?rev=main&path=src/app.py");
    assertThat(blame).hasSize(4);
    assertThat(blame.get(0).get("text").asText()).isEqualTo("import os");
    assertThat(blame.get(0).get("version").get("id").asText()).isEqualTo(v3.name());
    assertThat(blame.get(1).get("version").get("id").asText()).isEqualTo(v1.name());
    assertThat(blame.get(1).get("version").get("user").asText()).isEqualTo("U0ALICE");
    assertThat(blame.get(2).get("version").get("id").asText()).isEqualTo(v3.name());
    assertThat(blame.get(3).get("version").get("permalink").asText())
        .isEqualTo(v1.getFooterLines("Chat-Message").get(0));
  }

  @Test
  void blameOnAThreadLinksTheThread() throws Exception {
    JsonNode blame =
        getJson("/api/v1/channels/general/blame?rev=thread/" + THREAD_TS + "&path=src/app.py");
    JsonNode last = blame.get(3).get("version");
    assertThat(last.get("id").asText()).isEqualTo(threadReply.name());
    assertThat(last.get("threadTs").asText()).isEqualTo(THREAD_TS);
    assertThat(last.get("threadPermalink").asText())
        .isEqualTo(ChannelRepos.permalink("C0PUB", THREAD_TS));
  }

  @Test
  void lineHistoryFollowsOneLineBackToTheVersionThatAddedIt() throws Exception {
    JsonNode history = getJson("/api/v1/channels/general/line?rev=main&path=src/app.py&line=3");
    assertThat(history).hasSize(3);
    assertThat(history.get(0).get("text").asText()).isEqualTo("b = 200");
    assertThat(history.get(0).get("version").get("id").asText()).isEqualTo(v3.name());
    assertThat(history.get(1).get("text").asText()).isEqualTo("b = 20");
    assertThat(history.get(1).get("line").asInt()).isEqualTo(2);
    assertThat(history.get(1).get("version").get("id").asText()).isEqualTo(v2.name());
    assertThat(history.get(2).get("text").asText()).isEqualTo("b = 2");
    assertThat(history.get(2).get("version").get("id").asText()).isEqualTo(v1.name());

    JsonNode unchanged = getJson("/api/v1/channels/general/line?rev=main&path=src/app.py&line=4");
    assertThat(unchanged).hasSize(1);
    assertThat(unchanged.get(0).get("version").get("id").asText()).isEqualTo(v1.name());
  }

  @Test
  void diffsAnyTwoVersions() throws Exception {
    JsonNode diff = getJson("/api/v1/channels/general/diff?from=" + v1.name() + "&to=" + v3.name());
    assertThat(diff).hasSize(2);
    String patch = diff.findValuesAsText("patch").toString();
    assertThat(patch).contains("-b = 2\n", "+b = 200", "+import os", "+# App");
    JsonNode onePath =
        getJson(
            "/api/v1/channels/general/diff?from="
                + v1.name().substring(0, 8)
                + "&to=main&path=README.md");
    assertThat(onePath).hasSize(1);
    assertThat(onePath.get(0).get("change").asText()).isEqualTo("add");
  }

  @Test
  void treeLogAndBlobAtAnyVersion() throws Exception {
    JsonNode root = getJson("/api/v1/channels/general/tree?rev=" + v1.name());
    assertThat(root.get("entries").findValuesAsText("path")).containsExactly("src");
    JsonNode blob = getJson("/api/v1/channels/general/blob?rev=" + v2.name() + "&path=src/app.py");
    assertThat(blob.get("text").asText()).isEqualTo("a = 1\nb = 20\nc = 3\n");
    JsonNode log = getJson("/api/v1/channels/general/log?rev=main&path=README.md");
    assertThat(log.findValuesAsText("id")).containsExactly(v2.name());
    JsonNode branches = getJson("/api/v1/channels/general/branches");
    assertThat(branches.findValuesAsText("name")).containsExactly("main", "thread/" + THREAD_TS);
  }

  @Test
  void versionsAreAddressedByBranchNumberAndByMessagePermalink() throws Exception {
    assertThat(getJson("/api/v1/channels/general/tree?rev=main@1").get("commit").asText())
        .isEqualTo(v1.name());
    assertThat(getJson("/api/v1/channels/general/tree?rev=main@3").get("commit").asText())
        .isEqualTo(v3.name());
    assertThat(
            getJson("/api/v1/channels/general/tree?rev=thread/" + THREAD_TS + "@1")
                .get("commit")
                .asText())
        .isEqualTo(threadReply.name());
    String permalink = v2.getFooterLines("Chat-Message").get(0);
    assertThat(
            getJson(
                    "/api/v1/channels/general/tree?rev="
                        + java.net.URLEncoder.encode(
                            permalink, java.nio.charset.StandardCharsets.UTF_8))
                .get("commit")
                .asText())
        .isEqualTo(v2.name());
    HttpResponse<String> tooFar = get("/api/v1/channels/general/tree?rev=main@9", bobToken);
    assertThat(tooFar.statusCode()).isEqualTo(404);
    assertThat(tooFar.body()).contains("main@9", "has 3 commits");
  }

  @Test
  void badVersionsPathsAndLinesAreNamed() throws Exception {
    HttpResponse<String> version = get("/api/v1/channels/general/tree?rev=nope", bobToken);
    assertThat(version.statusCode()).isEqualTo(404);
    assertThat(version.body()).contains("version `nope` not found");
    HttpResponse<String> path =
        get("/api/v1/channels/general/blob?rev=main&path=../etc/passwd", bobToken);
    assertThat(path.statusCode()).isEqualTo(404);
    assertThat(path.body()).contains("../etc/passwd", "`..`");
    HttpResponse<String> line =
        get("/api/v1/channels/general/line?rev=main&path=src/app.py&line=99", bobToken);
    assertThat(line.body()).contains("line 99", "has 4 lines");
  }

  @Test
  void aWellFormedCommitIdThatIsNotInTheRepositoryIsNotFound() throws Exception {
    String absent = "0123456789abcdef0123456789abcdef01234567";
    for (String path :
        new String[] {
          "/code/general/tree?rev=" + absent,
          "/code/general/blame?rev=" + absent + "&path=src/app.py",
          "/code/general/diff?to=" + absent,
          "/api/v1/channels/general/tree?rev=" + absent,
          "/api/v1/channels/general/diff?from=" + absent + "&to=main"
        }) {
      HttpResponse<String> response = get(path, bobToken);
      assertThat(response.statusCode()).as(path).isEqualTo(404);
      assertThat(response.body()).as(path).contains("version `" + absent + "` not found");
    }
  }

  @Test
  void aDiffHasOneLineOfMarkupPerLineOfPatch() throws Exception {
    HttpResponse<String> diff =
        get("/code/general/diff?from=" + v1.name() + "&to=" + v3.name(), bobToken);
    assertThat(diff.statusCode()).isEqualTo(200);
    String patches = diff.body().substring(diff.body().indexOf("<div id=\"diff\">"));
    // Each line is a block of its own: a newline between the blocks would show as a blank line.
    assertThat(patches)
        .contains("<span class=\"add\">+import os</span>")
        .doesNotContain("</span>\n");
  }

  @Test
  void sameAccessRulesAsGit() throws Exception {
    HttpResponse<String> anonymous = get("/api/v1/channels/general/tree", null);
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.headers().firstValue("WWW-Authenticate"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("Basic realm=\"threadbare\""));
    HttpResponse<String> page = get("/code/general/tree", null);
    assertThat(page.statusCode()).isEqualTo(302);
    assertThat(page.headers().firstValue("Location"))
        .hasValue("/code/login?next=/code/general/tree");
    assertThat(get("/api/v1/channels/hideout/tree", bobToken).statusCode()).isEqualTo(404);
    assertThat(get("/api/v1/channels/nowhere/tree", bobToken).statusCode()).isEqualTo(404);
    assertThat(get("/api/v1/channels/hideout/tree", aliceToken).statusCode()).isEqualTo(200);
    assertThat(get("/api/v1/channels/hideout/export.bundle", bobToken).statusCode()).isEqualTo(404);
  }

  @Test
  void pagesRenderWithPermalinksAndCloneUrl() throws Exception {
    HttpResponse<String> blob = get("/code/general/blob?rev=main&path=src/app.py", bobToken);
    assertThat(blob.statusCode()).isEqualTo(200);
    assertThat(blob.body())
        .contains("/git/general.git")
        .contains(
            "id=\"permalink\" href=\"/code/general/blob?rev="
                + v3.name()
                + "&amp;path=src/app.py\"")
        .contains("import os")
        .contains("language-python");
    HttpResponse<String> blame = get("/code/general/blame?rev=main&path=src/app.py", bobToken);
    assertThat(blame.body()).contains(v1.getFooterLines("Chat-Message").get(0));
    HttpResponse<String> log = get("/code/general/log?rev=main&path=src/app.py", bobToken);
    assertThat(log.body()).contains(v2.name(), v2.getFooterLines("Chat-Message").get(0));
  }

  @Test
  void exportsAGitBundleThatGitClones() throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(base + "/api/v1/channels/general/export.bundle"))
            .header("Authorization", "Bearer " + bobToken)
            .build();
    Path bundle = temp.resolve("general.bundle");
    HttpResponse<Path> response = http.send(request, HttpResponse.BodyHandlers.ofFile(bundle));
    assertThat(response.statusCode()).isEqualTo(200);
    GitCli git = new GitCli(GitCli.emptyHome(temp.resolve("bundle-home")));
    Path work = Files.createDirectories(temp.resolve("from-bundle"));
    GitCli.Result verify = git.run(work, "bundle", "list-heads", bundle.toString());
    assertThat(verify.output())
        .contains(v3.name() + " refs/heads/main")
        .contains(threadReply.name() + " refs/heads/thread/" + THREAD_TS);
    GitCli.Result clone = git.run(work, "clone", bundle.toString(), "c");
    assertThat(clone.exit()).as(clone.output()).isZero();
    assertThat(Files.readString(work.resolve("c/src/app.py"))).startsWith("import os\n");
  }
}
