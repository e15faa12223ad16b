package dev.threadbare.workspace;

import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.methods.MethodsClient;
import com.slack.api.model.Message;
import com.slack.api.model.block.RichTextBlock;
import com.slack.api.model.block.element.RichTextPreformattedElement;
import com.slack.api.model.block.element.RichTextSectionElement;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/** The web UI in headless Chromium (Debian's chromium and chromedriver). */
class WebUiTest {

  @TempDir static Path dir;
  static TestWorkspace ws;
  static ChromeDriver driver;
  static WebDriverWait wait;
  static String adaToken;
  static MethodsClient ada;
  static MethodsClient bob;
  static String general;

  @BeforeAll
  static void start() throws Exception {
    ws = TestWorkspace.sqlite(dir);
    ws.workspace.setRateLimits(RateLimits.unlimited());
    adaToken = ws.workspace.addUser("ada", false);
    ada = ws.methods(adaToken);
    bob = ws.methods(ws.workspace.addUser("bob", false));
    general =
        ada.conversationsList(r -> r).getChannels().stream()
            .filter(c -> c.getName().equals("general"))
            .findFirst()
            .orElseThrow()
            .getId();
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File("/usr/bin/chromedriver"))
            .usingAnyFreePort()
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary("/usr/bin/chromium");
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,900",
        "--user-data-dir=" + Files.createTempDirectory(dir, "chrome"));
    driver = new ChromeDriver(service, options);
    wait = new WebDriverWait(driver, Duration.ofSeconds(15));
    // the page re-renders a message when it changes: look it up again rather than fail
    wait.ignoring(StaleElementReferenceException.class);
  }

  @AfterAll
  static void stop() {
    if (driver != null) {
      driver.quit();
    }
    ws.close();
  }

  private static void signIn(WebDriver browser, String token) {
    browser.manage().deleteAllCookies();
    browser.get(ws.base() + "/");
    WebElement input =
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("signin-token")));
    input.sendKeys(token);
    browser.findElement(By.id("signin-button")).click();
    wait.until(ExpectedConditions.attributeToBe(By.tagName("body"), "data-ready", "true"));
    wait.until(ExpectedConditions.attributeToBe(By.tagName("body"), "data-live", "connected"));
  }

  private static WebElement messageWithText(String text) {
    return wait.until(
        d ->
            d.findElements(By.cssSelector("#messages .message")).stream()
                .filter(m -> m.findElement(By.className("text")).getText().contains(text))
                .findFirst()
                .orElse(null));
  }

  private static void act(String text, String button) {
    wait.until(
        d -> {
          WebElement message = messageWithText(text);
          new Actions(d).moveToElement(message).perform();
          message.findElement(By.className(button)).click();
          return true;
        });
  }

  @Test
  void aPersonWorksInTheChannelAndSeesOthersLive() throws Exception {
    signIn(driver, adaToken);
    assertThat(driver.findElement(By.id("channel-title")).getText()).contains("general");

    // a path line and a code block, typed as a person would (Shift+Enter for new lines)
    WebElement input = driver.findElement(By.id("message-input"));
    input.sendKeys(
        "`src/app.py`",
        Keys.chord(Keys.SHIFT, Keys.ENTER),
        "```",
        Keys.chord(Keys.SHIFT, Keys.ENTER));
    input.sendKeys(
        "if 1 < 2:",
        Keys.chord(Keys.SHIFT, Keys.ENTER),
        "    print(\"a & b\")",
        Keys.chord(Keys.SHIFT, Keys.ENTER),
        "```",
        Keys.ENTER);
    WebElement code =
        wait.until(d -> messageWithText("src/app.py").findElement(By.cssSelector("pre code.hljs")));
    assertThat(code.getText()).isEqualTo("if 1 < 2:\n    print(\"a & b\")");
    assertThat(code.findElements(By.cssSelector("span[class^=hljs-]"))).isNotEmpty();
    Message stored = ada.conversationsHistory(r -> r.channel(general)).getMessages().get(0);
    assertThat(stored.getText())
        .isEqualTo("`src/app.py`\n```\nif 1 &lt; 2:\n    print(\"a &amp; b\")\n```");
    assertThat(stored.getClientMsgId()).isNotBlank();
    RichTextPreformattedElement pre =
        ((RichTextBlock) stored.getBlocks().get(0))
            .getElements().stream()
                .filter(RichTextPreformattedElement.class::isInstance)
                .map(RichTextPreformattedElement.class::cast)
                .findFirst()
                .orElseThrow();
    assertThat(((RichTextSectionElement.Text) pre.getElements().get(0)).getText())
        .isEqualTo("if 1 < 2:\n    print(\"a & b\")");

    // reply in a thread
    act("src/app.py", "reply-button");
    WebElement threadInput =
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("thread-input")));
    threadInput.sendKeys("looks good", Keys.ENTER);
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(By.id("thread-messages"), "looks good"));
    wait.until(
        d ->
            messageWithText("src/app.py").findElements(By.className("thread-link")).stream()
                .anyMatch(e -> e.getText().equals("1 reply")));
    assertThat(ada.conversationsReplies(r -> r.channel(general).ts(stored.getTs())).getMessages())
        .extracting(Message::getText)
        .containsExactly(stored.getText(), "looks good");
    driver.findElement(By.id("close-thread")).click();

    // react
    act("src/app.py", "react-button");
    wait.until(
        d -> {
          messageWithText("src/app.py")
              .findElement(By.cssSelector("[data-emoji=thumbsup]"))
              .click();
          return true;
        });
    wait.until(
        d ->
            messageWithText("src/app.py")
                .findElements(By.cssSelector(".reaction[data-name=thumbsup]"))
                .stream()
                .anyMatch(e -> e.getText().endsWith("1")));
    assertThat(
            ada.reactionsGet(r -> r.channel(general).timestamp(stored.getTs()))
                .getMessage()
                .getReactions())
        .extracting(com.slack.api.model.Reaction::getName)
        .containsExactly("thumbsup");

    // edit and delete own messages
    driver.findElement(By.id("message-input")).sendKeys("typo hree", Keys.ENTER);
    act("typo hree", "edit-button");
    WebElement editor =
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.className("edit-input")));
    editor.clear();
    editor.sendKeys("typo here");
    driver.findElement(By.className("save-edit")).click();
    wait.until(d -> !messageWithText("typo here").findElements(By.className("edited")).isEmpty());
    assertThat(messageWithText("typo here").getText()).doesNotContain("hree");

    driver.findElement(By.id("message-input")).sendKeys("delete me", Keys.ENTER);
    act("delete me", "delete-button");
    wait.until(ExpectedConditions.alertIsPresent()).accept();
    wait.until(
        d ->
            d.findElements(By.cssSelector("#messages .message")).stream()
                .noneMatch(m -> m.getText().contains("delete me")));
    assertThat(ada.conversationsHistory(r -> r.channel(general)).getMessages())
        .extracting(Message::getText)
        .doesNotContain("delete me");

    // upload a file
    Path file = dir.resolve("notes.txt");
    Files.writeString(file, "hello file\n", StandardCharsets.UTF_8);
    driver.findElement(By.id("file-input")).sendKeys(file.toString());
    wait.until(
        d ->
            d.findElements(By.cssSelector("#messages .file a")).stream()
                .anyMatch(a -> a.getText().equals("notes.txt")));
    WebElement preview = driver.findElement(By.cssSelector("#messages .file pre"));
    assertThat(preview.getText()).isEqualTo("hello file");

    // a second user's message appears live
    bob.conversationsJoin(r -> r.channel(general));
    bob.chatPostMessage(r -> r.channel(general).text("hello from bob"));
    WebElement fromBob = messageWithText("hello from bob");
    assertThat(fromBob.findElement(By.cssSelector(".meta strong")).getText()).isEqualTo("bob");
    assertThat(fromBob.findElements(By.className("edit-button"))).isEmpty();

    // the first page load stays small
    Object bytes =
        ((JavascriptExecutor) driver)
            .executeScript(
                "return performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))"
                    + ".filter(e => !e.name.includes('/api/') && !e.name.includes('/ui/live'))"
                    + ".reduce((sum, e) => sum + e.encodedBodySize, 0)");
    assertThat(((Number) bytes).longValue()).isBetween(10_000L, 300_000L);
  }

  @Test
  void privateChannelsAreCreatedAndSharedFromTheUi() throws Exception {
    signIn(driver, adaToken);
    driver.findElement(By.id("new-channel")).click();
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("channel-name")))
        .sendKeys("ui-secret");
    driver.findElement(By.id("channel-private")).click();
    driver.findElement(By.id("channel-create")).click();
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(By.id("channel-title"), "🔒 ui-secret"));
    String id =
        driver
            .findElement(By.cssSelector(".channel-link[data-name=ui-secret]"))
            .getAttribute("data-id");
    assertThat(bob.conversationsInfo(r -> r.channel(id)).getError()).isEqualTo("channel_not_found");
    driver.findElement(By.id("invite-button")).click();
    var prompt = wait.until(ExpectedConditions.alertIsPresent());
    prompt.sendKeys("bob");
    prompt.accept();
    wait.until(d -> bobSees(id));
    assertThat(ada.conversationsMembers(r -> r.channel(id)).getMembers()).hasSize(2);
  }

  private static boolean bobSees(String channel) {
    try {
      return bob.conversationsInfo(r -> r.channel(channel)).isOk();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void worksOnAPhoneSizedScreen() {
    driver.manage().window().setSize(new Dimension(390, 844));
    try {
      signIn(driver, adaToken);
      assertThat(driver.findElement(By.id("sidebar")).isDisplayed()).isFalse();
      driver.findElement(By.id("show-sidebar")).click();
      WebElement link =
          wait.until(
              ExpectedConditions.elementToBeClickable(
                  By.cssSelector(".channel-link[data-name=general]")));
      link.click();
      wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("sidebar")));
      assertThat(driver.findElement(By.id("message-input")).isDisplayed()).isTrue();
      assertThat(driver.findElement(By.id("message-input")).getSize().getWidth())
          .isLessThanOrEqualTo(390);
    } finally {
      driver.manage().window().setSize(new Dimension(1280, 900));
    }
  }

  @Test
  void wrongTokensAreRefusedOnTheSignInPage() {
    driver.manage().deleteAllCookies();
    driver.get(ws.base() + "/");
    WebElement input =
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("signin-token")));
    input.sendKeys("xoxp-wrong");
    driver.findElement(By.id("signin-button")).click();
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(By.id("signin-error"), "add-user"));
    List<WebElement> app = driver.findElements(By.cssSelector("#app:not([hidden])"));
    assertThat(app).isEmpty();
  }
}
