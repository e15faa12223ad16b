package dev.threadbare.gitserve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadbare.testing.Chromium;
import io.javalin.Javalin;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/** The code browser in a real (headless) Chromium: Debian's chromium and chromedriver. */
class CodeBrowserChromiumTest {
  static final String THREAD_TS = "1712000500.000200";
  @TempDir static Path temp;
  static Javalin app;
  static String base;
  static String token;
  static WebDriver driver;
  static WebDriverWait wait;
  static RevCommit v1;
  static RevCommit v3;
  static RevCommit reply;

  @BeforeAll
  static void start() throws Exception {
    Path data = temp.resolve("data");
    Path repo = data.resolve("git/C0PUB.git");
    GitServe gitServe =
        GitServe.create(
            data,
            name ->
                name.equals("general")
                    ? Optional.of(ServedChannel.publicChannel("C0PUB", "general", repo))
                    : Optional.empty());
    // The app's own Javalin, configured by gitServe, with a stand-in for the chat's permalinks.
    app =
        Javalin.create(
                config -> {
                  config.showJavalinBanner = false;
                  gitServe.configure(config);
                })
            .get(
                "/archives/{channel}/{message}",
                ctx ->
                    ctx.html(
                        "<h1 id=\"chat-message\">message "
                            + ctx.pathParam("message")
                            + "</h1><p id=\"thread-ts\">"
                            + ctx.queryParam("thread_ts")
                            + "</p>"))
            .start("127.0.0.1", 0);
    base = "http://127.0.0.1:" + app.port();
    try (ChannelRepos repos = ChannelRepos.createBare(repo)) {
      v1 =
          commit(
              repos,
              "main",
              "U0ALICE",
              "Alice",
              "add app",
              "a = 1\nb = 2\n",
              "1712000100.000100",
              null);
      commit(
          repos, "main", "U0BOB", "Bob", "change b", "a = 1\nb = 20\n", "1712000200.000100", null);
      repos.fork("thread/" + THREAD_TS);
      reply =
          commit(
              repos,
              "thread/" + THREAD_TS,
              "U0CAROL",
              "Carol",
              "idea",
              "a = 1\nb = 20\nc = 30\n",
              "1712000600.000300",
              THREAD_TS);
      v3 =
          commit(
              repos,
              "main",
              "U0ALICE",
              "Alice",
              "import",
              "import os\na = 1\nb = 200\n",
              "1712000700.000100",
              null);
    }
    token = gitServe.addToken("U0BOB");

    driver = Chromium.headless(temp.resolve("chromium"));
    wait = new WebDriverWait(driver, Duration.ofSeconds(15));
  }

  static RevCommit commit(
      ChannelRepos repos,
      String branch,
      String user,
      String name,
      String text,
      String content,
      String ts,
      String threadTs)
      throws Exception {
    String permalink =
        base
            + "/archives/C0PUB/p"
            + ts.replace(".", "")
            + (threadTs == null ? "" : "?thread_ts=" + threadTs + "&cid=C0PUB");
    return repos.commitAt(branch, user, name, text, Map.of("src/app.py", content), ts, permalink);
  }

  @AfterAll
  static void stop() {
    if (driver != null) {
      driver.quit();
    }
    if (app != null) {
      app.stop();
    }
  }

  static void signInAt(String path) {
    driver.manage().deleteAllCookies();
    driver.get(base + path);
    wait.until(ExpectedConditions.urlContains("/code/login"));
    driver.findElement(By.id("token")).sendKeys(token);
    driver.findElement(By.id("sign-in")).click();
    wait.until(ExpectedConditions.not(ExpectedConditions.urlContains("/code/login")));
  }

  @Test
  void opensAFileFollowsBlameToTheMessageViewsADiffAndSwitchesToAThread() {
    signInAt("/code/general/blob?rev=main&path=src/app.py");

    // The file, highlighted, with line numbers.
    WebElement source = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("source")));
    wait.until(ExpectedConditions.attributeContains(source, "class", "hljs"));
    assertThat(source.findElements(By.cssSelector(".hljs-keyword")))
        .extracting(WebElement::getText)
        .contains("import");
    assertThat(driver.findElement(By.id("L3")).getText()).isEqualTo("3");
    assertThat(driver.findElement(By.id("clone-url")).getAttribute("value"))
        .isEqualTo(base + "/git/general.git");
    assertThat(driver.findElement(By.id("permalink")).getAttribute("href")).contains(v3.name());

    // Blame: line 2 ("a = 1") was written by v1; follow it to its chat message.
    driver.findElement(By.id("to-blame")).click();
    WebElement line2 = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("L2")));
    assertThat(line2.getAttribute("data-commit")).isEqualTo(v1.name());
    assertThat(line2.findElement(By.cssSelector(".who")).getAttribute("textContent"))
        .isEqualTo("Alice");
    String blameUrl = driver.getCurrentUrl();
    line2.findElement(By.cssSelector("a.msg")).click();
    WebElement message =
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("chat-message")));
    assertThat(message.getText()).isEqualTo("message p1712000100000100");

    // The history of line 3 ("b = 200"), back to where it was added.
    driver.get(blameUrl);
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("L3")))
        .findElement(By.cssSelector("a.line-history"))
        .click();
    WebElement lineLog = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("line-log")));
    assertThat(lineLog.findElements(By.cssSelector("td.code")))
        .extracting(WebElement::getText)
        .containsExactly("b = 200", "b = 20", "b = 2");

    // A diff between two versions, from the file's history.
    driver.findElement(By.id("nav-log")).click();
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("log")))
        .findElement(By.cssSelector("tr a.diff"))
        .click();
    WebElement diff = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("diff")));
    assertThat(diff.findElements(By.cssSelector(".add")))
        .extracting(WebElement::getText)
        .contains("+b = 200", "+import os");
    assertThat(diff.findElements(By.cssSelector(".del")))
        .extracting(WebElement::getText)
        .contains("-b = 20");

    // Switch to the thread's branch: the file as the thread has it, blamed to the reply.
    driver.get(base + "/code/general/blob?rev=main&path=src/app.py");
    new Select(wait.until(ExpectedConditions.presenceOfElementLocated(By.id("branch"))))
        .selectByVisibleText("thread/" + THREAD_TS);
    wait.until(ExpectedConditions.urlContains("rev=thread/" + THREAD_TS));
    assertThat(driver.findElement(By.id("source")).getText()).contains("c = 30");
    driver.findElement(By.id("to-blame")).click();
    WebElement threadLine = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("L3")));
    assertThat(threadLine.getAttribute("data-commit")).isEqualTo(reply.name());
    threadLine.findElement(By.cssSelector("a.thread")).click();
    WebElement root =
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("chat-message")));
    assertThat(root.getText()).isEqualTo("message p" + THREAD_TS.replace(".", ""));
  }

  @Test
  void aDiffIsSingleSpaced() {
    signInAt("/code/general/diff?from=" + v1.name() + "&to=" + v3.name());
    WebElement patch =
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("pre.patch")));
    int lines = patch.findElements(By.tagName("span")).size();
    double lineHeight =
        ((Number)
                ((org.openqa.selenium.JavascriptExecutor) driver)
                    .executeScript(
                        "return parseFloat(getComputedStyle(arguments[0].firstElementChild)"
                            + ".lineHeight)",
                        patch))
            .doubleValue();
    // Each line one line high (borders aside): no blank line between them.
    assertThat(lines).isGreaterThan(4);
    assertThat(patch.getRect().getHeight()).isLessThanOrEqualTo((int) (lines * lineHeight) + 4);
  }

  @Test
  void copiesTheCloneUrl() {
    signInAt("/code/general");
    WebElement copy = wait.until(ExpectedConditions.elementToBeClickable(By.id("copy-clone")));
    copy.click();
    wait.until(ExpectedConditions.textToBePresentInElement(copy, "Copied"));
  }
}
