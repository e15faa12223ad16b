package dev.threadbare.gitserve;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.Javalin;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitHttpTest {
  @TempDir static Path temp;
  static GitServe gitServe;
  static Javalin server;
  static GitCli git;
  static String base;
  static RevCommit publicHead;
  static RevCommit privateHead;
  static RevCommit threadHead;
  static String aliceToken;
  static String bobToken;

  @BeforeAll
  static void serve() throws IOException {
    Path data = temp.resolve("data");
    Path publicRepo = data.resolve("git/C0PUB.git");
    Path privateRepo = data.resolve("git/C0PRIV.git");
    try (ChannelRepos repos = ChannelRepos.createBare(publicRepo)) {
      repos.commit("main", "U0ALICE", "Alice", "first", Map.of("src/app.py", "print('hi')\n"));
      repos.fork("thread/1712000060.000100");
      threadHead =
          repos.commit(
              "thread/1712000060.000100",
              "U0BOB",
              "Bob",
              "in a thread",
              Map.of("src/app.py", "print('hi from the thread')\n"));
      publicHead = repos.commit("main", "U0BOB", "Bob", "second", Map.of("README.md", "# Hello\n"));
    }
    try (ChannelRepos repos = ChannelRepos.createBare(privateRepo)) {
      privateHead =
          repos.commit("main", "U0ALICE", "Alice", "secret", Map.of("secret.txt", "s3cret\n"));
    }
    Map<String, ServedChannel> channels =
        Map.of(
            "general", ServedChannel.publicChannel("C0PUB", "general", publicRepo),
            "hideout",
                ServedChannel.privateChannel("C0PRIV", "hideout", privateRepo, Set.of("U0ALICE")));
    gitServe =
        GitServe.create(
            data,
            name ->
                Optional.ofNullable(channels.get(name))
                    .or(
                        () ->
                            channels.values().stream()
                                .filter(c -> c.id().equals(name))
                                .findFirst()));
    server = gitServe.start(0);
    base = "http://127.0.0.1:" + server.port();
    aliceToken = gitServe.addToken("U0ALICE");
    bobToken = gitServe.addToken("U0BOB");
    git = new GitCli(GitCli.emptyHome(temp));
  }

  @AfterAll
  static void stop() {
    server.stop();
  }

  /** Runs git with curl tracing to a file and appends the trace to the output. */
  static GitCli.Result traced(Path work, String... args) throws Exception {
    Path trace = Files.createTempFile(temp, "curl", ".trace");
    GitCli.Result result = git.run(work, Map.of("GIT_TRACE_CURL", trace.toString()), args);
    return new GitCli.Result(result.exit(), result.output() + Files.readString(trace));
  }

  static String url(String token, String channel) {
    return base.replace("http://", "http://x:" + token + "@") + "/git/" + channel + ".git";
  }

  @Test
  void clonesFetchesAndListsAPublicChannelWithAnyToken() throws Exception {
    Path work = Files.createTempDirectory(temp, "clone");
    GitCli.Result clone = git.run(work, "clone", url(bobToken, "general"), "general");
    assertThat(clone.exit()).as(clone.output()).isZero();
    Path checkout = work.resolve("general");
    assertThat(Files.readString(checkout.resolve("src/app.py"))).isEqualTo("print('hi')\n");
    assertThat(git.run(checkout, "rev-parse", "HEAD").output().strip())
        .isEqualTo(publicHead.name());
    GitCli.Result branches = git.run(checkout, "branch", "-r");
    assertThat(branches.output()).contains("origin/main", "origin/thread/1712000060.000100");

    GitCli.Result fetch = git.run(checkout, "-c", "protocol.version=2", "fetch", "origin");
    assertThat(fetch.exit()).as(fetch.output()).isZero();

    GitCli.Result lsRemote =
        git.run(work, "-c", "protocol.version=2", "ls-remote", url(bobToken, "C0PUB"));
    assertThat(lsRemote.exit()).as(lsRemote.output()).isZero();
    assertThat(lsRemote.output())
        .contains(publicHead.name() + "\trefs/heads/main")
        .contains(threadHead.name() + "\trefs/heads/thread/1712000060.000100");
  }

  @Test
  void speaksProtocolVersionTwo() throws Exception {
    Path work = Files.createTempDirectory(temp, "v2");
    GitCli.Result trace =
        git.run(
            work,
            Map.of("GIT_TRACE_PACKET", "1"),
            "-c",
            "protocol.version=2",
            "ls-remote",
            url(bobToken, "general"));
    assertThat(trace.exit()).as(trace.output()).isZero();
    assertThat(trace.output()).contains("git< version 2").contains("ls-refs");
  }

  @Test
  void shallowClonesAtDepthOne() throws Exception {
    Path work = Files.createTempDirectory(temp, "shallow");
    GitCli.Result clone =
        git.run(
            work,
            "-c",
            "protocol.version=2",
            "clone",
            "--depth",
            "1",
            "--no-single-branch",
            url(aliceToken, "general"),
            "shallow");
    assertThat(clone.exit()).as(clone.output()).isZero();
    Path checkout = work.resolve("shallow");
    assertThat(git.run(checkout, "rev-list", "--count", "HEAD").output().strip()).isEqualTo("1");
    assertThat(Files.readString(checkout.resolve(".git/shallow"))).contains(publicHead.name());
  }

  @Test
  void clonesAPrivateChannelOnlyForMembers() throws Exception {
    Path work = Files.createTempDirectory(temp, "private");
    GitCli.Result member = git.run(work, "clone", url(aliceToken, "hideout"), "mine");
    assertThat(member.exit()).as(member.output()).isZero();
    assertThat(Files.readString(work.resolve("mine/secret.txt"))).isEqualTo("s3cret\n");

    GitCli.Result outsider = git.run(work, "clone", url(bobToken, "hideout"), "theirs");
    assertThat(outsider.exit()).isNotZero();
    assertThat(outsider.output()).contains("not found").doesNotContain(privateHead.name());
    assertThat(work.resolve("theirs/secret.txt")).doesNotExist();
  }

  @Test
  void refusesAPrivateCloneWithoutATokenOrWithARevokedOne() throws Exception {
    Path work = Files.createTempDirectory(temp, "denied");
    GitCli.Result anonymous = traced(work, "clone", base + "/git/hideout.git", "anonymous");
    assertThat(anonymous.exit()).isNotZero();
    assertThat(anonymous.output())
        .contains("HTTP/1.1 401", "WWW-Authenticate: Basic realm=\"threadbare\"")
        .doesNotContain(privateHead.name());
    assertThat(work.resolve("anonymous/secret.txt")).doesNotExist();

    String doomed = gitServe.addToken("U0ALICE");
    GitCli.Result before = git.run(work, "ls-remote", url(doomed, "hideout"));
    assertThat(before.output()).contains(privateHead.name());
    AccessToken issued = gitServe.listTokens("U0ALICE").stream().reduce((a, b) -> b).orElseThrow();
    gitServe.revokeToken(issued.id());
    GitCli.Result revoked = traced(work, "clone", url(doomed, "hideout"), "revoked");
    assertThat(revoked.exit()).isNotZero();
    assertThat(revoked.output())
        .contains("HTTP/1.1 401", "WWW-Authenticate: Basic realm=\"threadbare\"")
        .doesNotContain(privateHead.name());
    assertThat(work.resolve("revoked")).doesNotExist();
  }

  @Test
  void anonymousReadsOfPublicChannelsAreOffByDefault() throws Exception {
    Path work = Files.createTempDirectory(temp, "anon");
    GitCli.Result anonymous = traced(work, "ls-remote", base + "/git/general.git");
    assertThat(anonymous.exit()).isNotZero();
    assertThat(anonymous.output())
        .contains("HTTP/1.1 401", "WWW-Authenticate: Basic realm=\"threadbare\"");
  }

  @Test
  void refusesPushesWithAnExplanation() throws Exception {
    Path work = Files.createTempDirectory(temp, "push");
    assertThat(git.run(work, "clone", url(aliceToken, "general"), "c").exit()).isZero();
    Path checkout = work.resolve("c");
    Files.writeString(checkout.resolve("new.txt"), "new\n");
    git.run(checkout, "add", "new.txt");
    assertThat(git.run(checkout, "commit", "-m", "sneaky").exit()).isZero();
    GitCli.Result push = git.run(checkout, "push", "origin", "HEAD:main");
    assertThat(push.exit()).isNotZero();
    assertThat(push.output()).contains("code gets in by posting it in the channel");
    GitCli.Result remote = git.run(work, "ls-remote", url(aliceToken, "general"), "main");
    assertThat(remote.output()).contains(publicHead.name());
  }
}
