package dev.threadbare.app.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import dev.threadbare.app.Main;
import dev.threadbare.ci.CiRun;
import dev.threadbare.ci.RunStatus;
import dev.threadbare.deploy.Deployment;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
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
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import picocli.CommandLine;

/**
 * The channel's page in {@code serve}, against real CI runs, a real deployment and a real
 * promotion: a token or nothing (401), prod's version and URL, the deploys, CI runs and open
 * threads, and, in Chromium, uPlot's charts drawn (a canvas each, with points) for commits, CI,
 * cold starts, database sizes and the TODO/FIXME burndown.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class ChannelPageTest {

  @TempDir static Path dir;
  static Server server;
  static MethodsClient person;
  static String channel;

  @BeforeAll
  static void start() throws Exception {
    // The sandbox runs apps as nobody: their directory's ancestors must be traversable.
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
    server = Server.start(Server.Settings.defaults(dir.resolve("data")));
    person = Slack.getInstance(config()).methods(server.firstRunAdminToken());
    channel = person.conversationsCreate(r -> r.name("dash")).getChannel().getId();
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

  static String post(String threadTs, String text) throws Exception {
    ChatPostMessageResponse posted =
        person.chatPostMessage(r -> r.channel(channel).threadTs(threadTs).text(text));
    assertThat(posted.isOk()).as(posted.getError()).isTrue();
    return posted.getTs();
  }

  @Test
  void thePageShowsProdAndDrawsItsCharts() throws Exception {
    String app =
        Files.readString(Path.of("src/test/resources/deploy-apps/greeter").resolve("app.py"));
    String v1 =
        post(
            null,
            "the greeter\n"
                + file("app.py", app)
                + file("VERSION", "one\n")
                + file("notes.txt", "TODO: say goodbye too\n")
                + file("more.txt", "FIXME: and wave\n")
                + file(
                    "threadbare.toml",
                    "[ci]\ntest = \"/usr/bin/python3 -m py_compile app.py\"\n"
                        + "[deploy]\nrun = \"/usr/bin/python3 app.py\"\n"));
    CiRun run = ciOf(v1);
    assertThat(run.status()).isEqualTo(RunStatus.PASSED);
    Deployment d =
        eventually(
            () ->
                server.deployer().list(channel).stream()
                    .filter(x -> x.commit().equals(run.commit()))
                    .findFirst());
    String port = Integer.toString(URI.create(server.url()).getPort());
    // A request starts it: the cold start is measured.
    assertThat(curl("http://" + d.id() + ".localhost:" + port + "/")).isEqualTo("hello from one");
    // The burndown goes down: one marker fixed.
    String fixed = post(null, file("notes.txt", "said goodbye\n"));
    ciOf(fixed);
    // Promotion needs an approval (the default before the first promotion) from someone else.
    MethodsClient bob =
        Slack.getInstance(config()).methods(server.workspace().orElseThrow().addUser("bob", false));
    assertThat(bob.reactionsAdd(r -> r.channel(channel).timestamp(v1).name("+1")).isOk()).isTrue();
    String promote = post(null, "promote main@1");
    // An open thread with code in it.
    String root = post(null, "a thread about waving");
    post(root, file("wave.txt", "o/\n"));
    // A merged thread is not open any more.
    String merged = post(null, "a thread to merge");
    post(merged, file("merged.txt", "in\n"));
    post(merged, "merge");

    String token = token();
    assertThat(page("/channels/dash", null).statusCode()).isEqualTo(401);
    String[] last = {""};
    String html =
        eventually(
            () -> {
              HttpResponse<String> r = page("/channels/dash", token);
              last[0] =
                  r.statusCode()
                      + " "
                      + r.body().replaceAll("(?s)<style>.*?</style>|<script>.*?</script>", "")
                      + " prod said: "
                      + prodAnswer(promote);
              return r.statusCode() == 200
                      && r.body().contains("prod-commit")
                      && openThreads(r.body()).contains("thread/" + root)
                      && r.body().contains("<td>thread/" + merged + "</td>") // its CI ran
                      && !openThreads(r.body()).contains("thread/" + merged)
                  ? Optional.of(r.body())
                  : Optional.empty();
            },
            last);
    assertThat(html)
        .contains("<code class=\"prod-commit\">" + run.commit().substring(0, 10) + "</code>")
        .contains("http://dash.prod.localhost:" + port + "/")
        .contains("promoted by <span class=\"prod-by\">")
        .contains("<table id=\"deploys\">")
        .contains(run.shortCommit());
    assertThat(promote).isNotBlank();
    assertThat(
            curl("-o", "/dev/null", "-w", "%{http_code}", server.url() + "/static/uplot/LICENSE"))
        .isEqualTo("200");

    WebDriver driver = CodeBrowserWithChatTest.chromium(dir.resolve("chromium"));
    try {
      driver.manage().window().setSize(new Dimension(1400, 1400));
      WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(30));
      driver.get(server.url() + "/healthz");
      driver.manage().addCookie(new Cookie("threadbare_token", token));
      driver.get(server.url() + "/channels/dash");
      wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#chart-todo canvas")));
      assertThat(driver.findElement(By.id("prod")).getText())
          .contains(run.commit().substring(0, 10))
          .contains("dash.prod.localhost");
      for (String chart : List.of("commits", "ci-rate", "ci-duration", "cold", "dbsize", "todo")) {
        assertThat(driver.findElements(By.cssSelector("#chart-" + chart + " canvas")))
            .as("a canvas for %s", chart)
            .hasSize(1);
        assertThat(
                Integer.parseInt(
                    driver.findElement(By.id("chart-" + chart)).getAttribute("data-points")))
            .as("points on %s", chart)
            .isPositive();
      }
      // The burndown's series, as drawn: 2 files with markers, then 1 (same UTC day: the last).
      Object todo =
          ((JavascriptExecutor) driver)
              .executeScript(
                  "return JSON.parse(document.getElementById('channel-data').textContent)"
                      + ".todoFiles");
      assertThat(todo.toString()).isEqualTo("[1]");
      Files.createDirectories(Path.of("target", "screenshots"));
      Files.copy(
          ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath(),
          Path.of("target", "screenshots", "channel-page.png"),
          StandardCopyOption.REPLACE_EXISTING);
      // The page links to the code browser.
      driver.findElement(By.id("to-code")).click();
      wait.until(ExpectedConditions.urlContains("/code/dash/tree"));
    } finally {
      driver.quit();
    }
  }

  // ---- helpers

  static SlackConfig config() {
    SlackConfig config = new SlackConfig();
    config.setMethodsEndpointUrlPrefix(server.url() + "/api/");
    return config;
  }

  /** The bot's answers kept in the outbox for the message {@code ts} (for a failure's message). */
  static String prodAnswer(String ts) {
    String url = "jdbc:sqlite:" + dir.resolve("data").resolve("outbox.db");
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(url);
        java.sql.PreparedStatement q =
            c.prepareStatement("SELECT payload FROM outbox WHERE idempotency_key LIKE ?")) {
      q.setString(1, "%" + ts + "%");
      StringBuilder out = new StringBuilder();
      try (java.sql.ResultSet rows = q.executeQuery()) {
        while (rows.next()) {
          out.append(rows.getString(1)).append('\n');
        }
      }
      return out.toString();
    } catch (java.sql.SQLException e) {
      return e.toString();
    }
  }

  static CiRun ciOf(String ts) throws Exception {
    return eventually(
        () ->
            server.ci().orElseThrow().store().list(channel, null, 1000).stream()
                .filter(r -> ts.equals(r.messageTs()) && r.status().isFinal())
                .findFirst());
  }

  /** The page's table of open threads. */
  static String openThreads(String html) {
    int from = html.indexOf("<table id=\"threads\">");
    return from < 0 ? "" : html.substring(from, html.indexOf("</table>", from));
  }

  /** A personal token of the person (as {@code threadbare git add-token} gives). */
  static String token() throws Exception {
    String user = person.authTest(r -> r).getUserId();
    StringWriter out = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out));
    String data = dir.resolve("data").toString();
    assertThat(cli.execute("git", "add-token", "--data", data, "--user", user)).isZero();
    List<String> lines = out.toString().strip().lines().toList();
    return lines.get(lines.size() - 1).strip();
  }

  static HttpResponse<String> page(String path, String token) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url() + path));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    try {
      return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static <T> T eventually(Supplier<Optional<T>> probe) throws InterruptedException {
    return eventually(probe, new String[] {""});
  }

  static <T> T eventually(Supplier<Optional<T>> probe, String[] seen) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline) {
      Optional<T> found = probe.get();
      if (found.isPresent()) {
        return found.get();
      }
      Thread.sleep(100);
    }
    throw new AssertionError("timed out after 120 s; last seen: " + seen[0]);
  }

  static String curl(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "60"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }
}
