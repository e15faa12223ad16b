package dev.threadbare.app.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import com.slack.api.model.Conversation;
import dev.threadbare.ci.CiRun;
import dev.threadbare.ci.RunStatus;
import dev.threadbare.deploy.Deployment;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deploys wait for green CI in {@code serve}: a Python app posted through the local workspace with
 * {@code [ci]} and {@code [deploy]} is deployed only once its tests passed (then its URL serves
 * it); a version whose tests fail, and one whose run was cancelled by a newer commit, get no
 * deployment. A version with {@code [deploy]} and no {@code [ci]} deploys at once.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class DeployAfterCiTest {

  @TempDir static Path dir;
  static Server server;
  static MethodsClient person;
  static String general;

  @BeforeAll
  static void start() throws Exception {
    // The sandbox runs deployments as nobody: their directory's ancestors must be traversable.
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
    server = Server.start(Server.Settings.defaults(dir.resolve("data")));
    SlackConfig config = new SlackConfig();
    config.setMethodsEndpointUrlPrefix(server.url() + "/api/");
    person = Slack.getInstance(config).methods(server.firstRunAdminToken());
    general =
        person.conversationsList(r -> r).getChannels().stream()
            .filter(c -> c.getName().equals("general"))
            .map(Conversation::getId)
            .findFirst()
            .orElseThrow();
    assertThat(server.ci()).as("bubblewrap must work here").isPresent();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  static String file(String path, String content) {
    return "`" + path + "`\n```\n" + content + "```\n";
  }

  static String resource(String name) throws IOException {
    return Files.readString(Path.of("src/test/resources/deploy-apps/greeter").resolve(name));
  }

  static String post(String text) throws Exception {
    ChatPostMessageResponse posted = person.chatPostMessage(r -> r.channel(general).text(text));
    assertThat(posted.isOk()).as(posted.getError()).isTrue();
    return posted.getTs();
  }

  static final String DEPLOY = "[deploy]\nrun = \"/usr/bin/python3 app.py\"\n";

  @Test
  void onlyVersionsWhoseCiPassedAreDeployed() throws Exception {
    String port = Integer.toString(URI.create(server.url()).getPort());

    // No [ci]: deployed at once, no run.
    post(
        "without tests\n"
            + file("app.py", resource("app.py"))
            + file("VERSION", "zero\n")
            + file("threadbare.toml", DEPLOY));
    Deployment untested = eventually("a deployment without CI", () -> first(server));
    assertThat(curl("http://" + untested.id() + ".localhost:" + port + "/"))
        .isEqualTo("200 hello from zero");

    // [ci] that passes: deployed once the run passed, and served.
    String green =
        post(
            "with tests\n"
                + file("test_app.py", resource("test_app.py"))
                + file("VERSION", "one\n")
                + file("threadbare.toml", "[ci]\ntest = \"python3 -m unittest -v\"\n" + DEPLOY));
    CiRun passed = reportedRun(green);
    assertThat(passed.status()).as(passed.detail()).isEqualTo(RunStatus.PASSED);
    Deployment deployed =
        server.deployer().forCommit(general, passed.commit()).orElseThrow(AssertionError::new);
    assertThat(curl("http://" + deployed.id() + ".localhost:" + port + "/"))
        .isEqualTo("200 hello from one");

    // [ci] that fails: no deployment.
    String red =
        post(
            "rude\n"
                + file("app.py", resource("app.py").replace("\"hello from \"", "\"go away, \"")));
    CiRun failed = reportedRun(red);
    assertThat(failed.status()).as(failed.detail()).isEqualTo(RunStatus.FAILED);
    assertThat(server.deployer().forCommit(general, failed.commit())).isEmpty();

    // Cancelled by a newer commit: no deployment; the newer one (green again) deploys.
    String slow =
        post(
            "slow tests\n"
                + file(
                    "threadbare.toml",
                    "[ci]\ntest = \"sleep 60 && python3 -m unittest\"\n" + DEPLOY)
                + file("app.py", resource("app.py")));
    eventually(
        "the slow run running",
        () -> Optional.ofNullable(runOf(slow)).filter(r -> r.status() == RunStatus.RUNNING));
    String fixed =
        post(
            "fixed\n"
                + file("VERSION", "two\n")
                + file("threadbare.toml", "[ci]\ntest = \"python3 -m unittest\"\n" + DEPLOY));
    CiRun cancelled = reportedRun(slow);
    assertThat(cancelled.status()).as(cancelled.detail()).isEqualTo(RunStatus.CANCELLED);
    assertThat(server.deployer().forCommit(general, cancelled.commit())).isEmpty();
    CiRun passedAgain = reportedRun(fixed);
    assertThat(passedAgain.status()).as(passedAgain.detail()).isEqualTo(RunStatus.PASSED);
    Deployment latest =
        server.deployer().forCommit(general, passedAgain.commit()).orElseThrow(AssertionError::new);
    assertThat(curl("http://" + latest.id() + ".localhost:" + port + "/"))
        .isEqualTo("200 hello from two");

    // Exactly the three versions that could deploy did, newest first.
    assertThat(server.deployer().list(general).stream().map(Deployment::commit))
        .containsExactly(passedAgain.commit(), passed.commit(), untested.commit());
  }

  // ---- helpers

  static Optional<Deployment> first(Server server) {
    return server.deployer().list(general).stream().findFirst();
  }

  static CiRun runOf(String ts) {
    return server.ci().orElseThrow().store().list(general, null, 1000).stream()
        .filter(r -> ts.equals(r.messageTs()))
        .findFirst()
        .orElse(null);
  }

  /**
   * The run of message {@code ts} once every listener (the deployer first) was told its final
   * status.
   */
  static CiRun reportedRun(String ts) throws InterruptedException {
    return eventually(
        "the CI run of " + ts + " reported",
        () -> Optional.ofNullable(runOf(ts)).filter(r -> r.status().isFinal() && r.reported()));
  }

  static <T> T eventually(String what, Supplier<Optional<T>> condition)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
    while (Instant.now().isBefore(deadline)) {
      Optional<T> found = condition.get();
      if (found.isPresent()) {
        return found.get();
      }
      Thread.sleep(100);
    }
    return condition.get().orElseThrow(() -> new AssertionError(what + " within 120 s"));
  }

  /** The status and body; curl resolves *.localhost to loopback by itself, as browsers do. */
  static String curl(String url) throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(List.of("curl", "-sS", "--max-time", "60", "-w", "\n%{http_code}", url));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    // -w writes after the body: move the status first.
    int end = out.lastIndexOf('\n');
    return out.substring(end + 1) + " " + out.substring(0, end);
  }
}
