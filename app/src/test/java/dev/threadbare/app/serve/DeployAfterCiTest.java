package dev.threadbare.app.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import com.slack.api.model.Reaction;
import dev.threadbare.ci.CiRun;
import dev.threadbare.ci.RunStatus;
import dev.threadbare.deploy.Deployment;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Deploys wait for green CI in {@code serve}: a Python app posted through the local workspace with
 * {@code [ci]} and {@code [deploy]} is deployed only once its tests passed (then its URL serves
 * it); a version whose tests fail, and one whose run was cancelled by a newer commit, get no
 * deployment. A version with {@code [deploy]} and no {@code [ci]} deploys at once.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class DeployAfterCiTest {

  @TempDir static Path dir;
  static ServeFixture serve;
  static Server server;
  static MethodsClient person;
  static String general;

  @BeforeAll
  static void start() throws Exception {
    // The sandbox runs deployments as nobody: their directory's ancestors must be traversable.
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
    serve = ServeFixture.start(Server.Settings.defaults(dir.resolve("data")));
    server = serve.server();
    person = serve.person();
    general = serve.general();
    assertThat(server.ci()).as("bubblewrap must work here").isPresent();
  }

  @AfterAll
  static void stop() {
    if (serve != null) {
      serve.close();
    }
  }

  static String file(String path, String content) {
    return ServeFixture.file(path, content);
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

    // The deployments pages: the failed and the cancelled versions have none (404).
    String token = token();
    assertThat(page("/deploys/channels/general/" + failed.commit(), token).statusCode())
        .isEqualTo(404);
    assertThat(page("/deploys/channels/general/" + cancelled.commit(), token).statusCode())
        .isEqualTo(404);
    HttpResponse<String> greenPage = page("/deploys/channels/general/" + passed.commit(), token);
    assertThat(greenPage.statusCode()).isEqualTo(200);
    assertThat(greenPage.body()).contains(deployed.id().toString()).contains("running");
    assertThat(page("/deploys/channels/general", null).statusCode()).isEqualTo(401);

    // Exactly the three versions that could deploy did, newest first.
    assertThat(server.deployer().list(general).stream().map(Deployment::commit))
        .containsExactly(passedAgain.commit(), passed.commit(), untested.commit());
  }

  @Test
  void theChatHearsOfDeploysQuietly() throws Exception {
    String apps = person.conversationsCreate(r -> r.name("apps")).getChannel().getId();
    String port = Integer.toString(URI.create(server.url()).getPort());
    int humans = 0;

    ChatPostMessageResponse green =
        postIn(
            apps,
            null,
            "the greeter\n"
                + file("app.py", resource("app.py"))
                + file("test_app.py", resource("test_app.py"))
                + file("VERSION", "chat\n")
                + file("threadbare.toml", "[ci]\ntest = \"python3 -m unittest\"\n" + DEPLOY));
    humans++;
    eventually(
        "🚀 on the green message",
        () -> Optional.of(reactions(apps, green.getTs())).filter(r -> r.contains("rocket")));
    Deployment deployed = server.deployer().list(apps).get(0);
    String url = "http://" + deployed.id() + ".localhost:" + port + "/";

    // `url` in the message's thread: the thread has no commits of its own, so main's head.
    ChatPostMessageResponse askUrl = postIn(apps, green.getTs(), "url");
    humans++;
    String told = ephemeral(key(askUrl, 0));
    assertThat(told).contains(url).contains(server.url() + "/deploys/" + deployed.id() + "/log");
    assertThat(curl(url)).isEqualTo("200 hello from chat");

    // A version whose tests fail: 🔴, no 🚀; `url` says why there is no deployment.
    ChatPostMessageResponse red =
        postIn(
            apps,
            null,
            "rude\n" + file("app.py", resource("app.py").replace("\"hello from \"", "\"bye \"")));
    humans++;
    reportedRun(apps, red.getTs());
    ChatPostMessageResponse askRed = postIn(apps, null, "url");
    humans++;
    assertThat(ephemeral(key(askRed, 0)))
        .contains("is not deployed")
        .contains("CI: failed")
        .doesNotContain("http://");
    assertThat(reactions(apps, red.getTs())).contains("red_circle").doesNotContain("rocket");

    // `deploy VERSION` of the green commit: it is deployed already, at the same URL.
    ChatPostMessageResponse askDeploy =
        postIn(apps, null, "deploy " + deployed.commit().substring(0, 10));
    humans++;
    assertThat(ephemeral(key(askDeploy, 0))).contains(url);
    // and of the red one: refused, it did not pass.
    ChatPostMessageResponse askDeployRed =
        postIn(apps, null, "deploy " + runOf(apps, red.getTs()).commit());
    humans++;
    assertThat(ephemeral(key(askDeployRed, 0))).contains("CI: failed");
    assertThat(server.deployer().list(apps)).hasSize(1);

    // Quieter than the people: visible bot messages (the diff of app.py's new version, CI's
    // failure reply) and private answers (one per ask), against six human messages.
    eventually(
        "the outbox drained for #apps",
        () ->
            outboxRows("SELECT state FROM outbox WHERE channel = ? AND state <> 'sent'", apps)
                    .isEmpty()
                ? Optional.of(true)
                : Optional.empty());
    Map<String, Integer> sent = sentByMethod(apps);
    int visible = sent.getOrDefault("chat.postMessage", 0);
    int ephemeral = sent.getOrDefault("chat.postEphemeral", 0);
    assertThat(ephemeral).isEqualTo(4);
    assertThat(visible).isLessThan(humans);
    assertThat(visible + ephemeral).isLessThanOrEqualTo(humans);
    assertThat(reactionCount(apps, green.getTs(), "rocket")).isEqualTo(1);
  }

  @Test
  void theDeploymentsPageInChromium() throws Exception {
    String web = person.conversationsCreate(r -> r.name("web")).getChannel().getId();
    String port = Integer.toString(URI.create(server.url()).getPort());
    postIn(
        web,
        null,
        "the web greeter\n"
            + file("app.py", resource("app.py"))
            + file("VERSION", "the browser\n")
            + file("threadbare.toml", DEPLOY));
    Deployment d =
        eventually("a deployment in #web", () -> server.deployer().list(web).stream().findFirst());
    String url = "http://" + d.id() + ".localhost:" + port + "/";
    assertThat(curl(url)).isEqualTo("200 hello from the browser");

    WebDriver driver = CodeBrowserWithChatTest.chromium(dir.resolve("chromium"));
    try {
      WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(30));
      driver.get(server.url() + "/healthz");
      driver.manage().addCookie(new Cookie("threadbare_token", token()));
      driver.get(server.url() + "/deploys/channels/web");
      WebElement row =
          wait.until(ExpectedConditions.presenceOfElementLocated(By.id("d-" + d.id())));
      assertThat(row.findElement(By.cssSelector(".uuid")).getText()).isEqualTo(d.id().toString());
      assertThat(d.commit()).startsWith(row.findElement(By.cssSelector(".commit")).getText());
      assertThat(row.findElement(By.cssSelector(".state")).getText()).isEqualTo("running");
      assertThat(row.findElement(By.cssSelector(".url a")).getAttribute("href")).isEqualTo(url);
      assertThat(row.findElement(By.cssSelector(".last-request")).getText()).endsWith(" UTC");
      assertThat(row.findElement(By.cssSelector(".cold-start")).getText()).matches("\\d+ ms");
      Files.createDirectories(Path.of("target", "screenshots"));
      Files.copy(
          ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath(),
          Path.of("target", "screenshots", "deployments.png"),
          StandardCopyOption.REPLACE_EXISTING);
      // The log link shows the deployer's notes; the URL opens the app itself.
      row.findElement(By.cssSelector(".log a")).click();
      wait.until(ExpectedConditions.urlContains("/deploys/" + d.id() + "/log"));
      assertThat(driver.findElement(By.tagName("body")).getText()).contains("listening after");
      driver.navigate().back();
      wait.until(ExpectedConditions.presenceOfElementLocated(By.id("d-" + d.id())))
          .findElement(By.cssSelector(".url a"))
          .click();
      wait.until(
          ExpectedConditions.textToBePresentInElementLocated(
              By.tagName("body"), "hello from the browser"));
    } finally {
      driver.quit();
    }
  }

  // ---- helpers

  /** A personal token of the person (as {@code threadbare git add-token} gives). */
  static String token() throws Exception {
    String user = person.authTest(r -> r).getUserId();
    String data = dir.resolve("data").toString();
    return ServeFixture.cliLastLine("git", "add-token", "--data", data, "--user", user);
  }

  static HttpResponse<String> page(String path, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url() + path));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  static ChatPostMessageResponse postIn(String channel, String threadTs, String text)
      throws Exception {
    ChatPostMessageResponse posted =
        person.chatPostMessage(r -> r.channel(channel).threadTs(threadTs).text(text));
    assertThat(posted.isOk()).as(posted.getError()).isTrue();
    return posted;
  }

  /** The outbox key of the private answer to the {@code n}th deploy/url command of a message. */
  static String key(ChatPostMessageResponse asked, int n) {
    return "deploys:"
        + asked.getMessage().getTeam()
        + ":"
        + asked.getChannel()
        + ":"
        + asked.getTs()
        + "::"
        + n;
  }

  /** The text of the ephemeral answer the outbox sent under {@code key}, once sent. */
  static String ephemeral(String key) throws InterruptedException {
    return eventually(
        "the private answer " + key,
        () ->
            outboxRows(
                    "SELECT payload FROM outbox WHERE idempotency_key = ? AND state = 'sent'", key)
                .stream()
                .findFirst());
  }

  static Map<String, Integer> sentByMethod(String channel) {
    Map<String, Integer> sent = new TreeMap<>();
    for (String method :
        outboxRows("SELECT method FROM outbox WHERE channel = ? AND state = 'sent'", channel)) {
      sent.merge(method, 1, Integer::sum);
    }
    return sent;
  }

  static List<String> outboxRows(String sql, String parameter) {
    String url = "jdbc:sqlite:" + dir.resolve("data").resolve("outbox.db");
    List<String> rows = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(url);
        PreparedStatement q = c.prepareStatement(sql)) {
      q.setString(1, parameter);
      try (ResultSet r = q.executeQuery()) {
        while (r.next()) {
          rows.add(r.getString(1));
        }
      }
      return rows;
    } catch (SQLException e) {
      throw new AssertionError("reading the outbox: " + e.getMessage(), e);
    }
  }

  static List<String> reactions(String channel, String ts) {
    return serve.reactions(channel, ts);
  }

  static int reactionCount(String channel, String ts, String name) throws Exception {
    return person.conversationsReplies(r -> r.channel(channel).ts(ts)).getMessages().stream()
        .filter(m -> ts.equals(m.getTs()))
        .flatMap(m -> m.getReactions() == null ? Stream.empty() : m.getReactions().stream())
        .filter(r -> r.getName().equals(name))
        .mapToInt(Reaction::getCount)
        .sum();
  }

  static Optional<Deployment> first(Server server) {
    return server.deployer().list(general).stream().findFirst();
  }

  static CiRun runOf(String ts) {
    return runOf(general, ts);
  }

  static CiRun runOf(String channel, String ts) {
    return server.ci().orElseThrow().store().list(channel, null, 1000).stream()
        .filter(r -> ts.equals(r.messageTs()))
        .findFirst()
        .orElse(null);
  }

  /**
   * The run of message {@code ts} once every listener (the deployer first) was told its final
   * status.
   */
  static CiRun reportedRun(String ts) throws InterruptedException {
    return reportedRun(general, ts);
  }

  static CiRun reportedRun(String channel, String ts) throws InterruptedException {
    return eventually(
        "the CI run of " + ts + " reported",
        () ->
            Optional.ofNullable(runOf(channel, ts))
                .filter(r -> r.status().isFinal() && r.reported()));
  }

  static <T> T eventually(String what, Supplier<Optional<T>> condition)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
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
