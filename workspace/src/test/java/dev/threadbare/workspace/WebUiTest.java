package dev.threadbare.workspace;

import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.methods.MethodsClient;
import com.slack.api.model.Message;
import com.slack.api.model.block.RichTextBlock;
import com.slack.api.model.block.element.RichTextPreformattedElement;
import com.slack.api.model.block.element.RichTextSectionElement;
import dev.threadbare.testing.Chromium;
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
    driver = Chromium.headless(Files.createTempDirectory(dir, "chrome"), "1280,900");
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
        ExpectedConditions.textToBePresentInElementLocated(By.id("channel-title"), "ui-secret"));
    assertThat(driver.findElement(By.cssSelector("#channel-title .icon")).getAttribute("style"))
        .contains("/ui/icons/lock-fill.svg");
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

  private static JavascriptExecutor js() {
    return driver;
  }

  private static Path screenshot(String name) throws Exception {
    Path dirOut = Path.of("target", "screenshots");
    Files.createDirectories(dirOut);
    Path file = dirOut.resolve(name + ".png");
    Files.write(file, driver.getScreenshotAs(org.openqa.selenium.OutputType.BYTES));
    return file;
  }

  private static String newChannel(String name) throws Exception {
    return ada.conversationsCreate(r -> r.name(name)).getChannel().getId();
  }

  @Test
  void aBusyChannelOpensAtTheNewestMessageAndScrollsItsListAlone() throws Exception {
    String busy = newChannel("busy");
    for (int i = 0; i < 130; i++) {
      String text = String.format(java.util.Locale.ROOT, "busy %03d", i);
      assertThat(ada.chatPostMessage(r -> r.channel(busy).text(text)).isOk()).isTrue();
    }
    driver.manage().window().setSize(new Dimension(1280, 800));
    try {
      signIn(driver, adaToken);
      driver.get(ws.base() + "/#/" + busy);
      wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("messages"), "busy 129"));
      // opens at the newest message, with the composer on screen
      wait.until(d -> inViewport(messageWithText("busy 129")));
      assertThat(inViewport(driver.findElement(By.id("message-input")))).isTrue();
      Number innerHeight = (Number) js().executeScript("return window.innerHeight");
      Number mainHeight =
          (Number) js().executeScript("return document.getElementById('main').offsetHeight");
      assertThat(mainHeight.intValue()).isLessThanOrEqualTo(innerHeight.intValue());
      // only the newest page is in the page; the list, not the window, scrolls
      int firstPage = driver.findElements(By.cssSelector("#messages .message")).size();
      assertThat(firstPage).isBetween(20, 100);
      assertThat(driver.getPageSource()).doesNotContain("busy 000");
      screenshot("busy-channel-newest");
      // scrolling up loads older history by cursor until the beginning
      wait.withTimeout(Duration.ofSeconds(30))
          .until(
              d -> {
                js().executeScript("document.getElementById('messages').scrollTop = 0");
                return d.findElement(By.id("messages")).getText().contains("busy 000")
                    && d.findElement(By.id("history-start")).getText().contains("beginning");
              });
      assertThat(driver.findElements(By.cssSelector("#messages .message"))).hasSize(130);
      Number windowScroll =
          (Number) js().executeScript("return document.scrollingElement.scrollTop");
      Number sidebarTop =
          (Number)
              js().executeScript(
                      "return document.getElementById('sidebar').getBoundingClientRect().top");
      assertThat(windowScroll.intValue()).isZero();
      assertThat(sidebarTop.intValue()).isZero();
      // no message twice, in order
      @SuppressWarnings("unchecked")
      List<String> texts =
          (List<String>)
              js().executeScript(
                      "return [...document.querySelectorAll('#messages .message .text')]"
                          + ".map(e => e.textContent)");
      assertThat(texts).isSorted().doesNotHaveDuplicates();
      screenshot("busy-channel-oldest");
    } finally {
      driver.manage().window().setSize(new Dimension(1280, 900));
    }
  }

  private static boolean inViewport(WebElement element) {
    return (Boolean)
        js().executeScript(
                "const r = arguments[0].getBoundingClientRect();"
                    + " return r.top >= 0 && r.bottom <= window.innerHeight && r.height > 0;",
                element);
  }

  @Test
  void enterAfterAPathLineOpensTheCodeBlock() throws Exception {
    String channel = newChannel("paths");
    signIn(driver, adaToken);
    driver.get(ws.base() + "/#/" + channel);
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("channel-title"), "paths"));
    WebElement input = driver.findElement(By.id("message-input"));
    assertThat(input.getAttribute("placeholder")).contains("path line");
    input.sendKeys("`src/x.py`", Keys.ENTER);
    assertThat(input.getAttribute("value")).isEqualTo("`src/x.py`\n```\n");
    input.sendKeys("print(1)", Keys.ENTER, "```", Keys.ENTER);
    wait.until(d -> !d.findElements(By.cssSelector("#messages pre code")).isEmpty());
    assertThat(ada.conversationsHistory(r -> r.channel(channel)).getMessages())
        .extracting(Message::getText)
        .containsExactly("`src/x.py`\n```\nprint(1)\n```");
  }

  @Test
  void aMessageOverTheLimitIsOfferedAsAFileWithItsExactBytes() throws Exception {
    String channel = newChannel("long");
    signIn(driver, adaToken);
    driver.get(ws.base() + "/#/" + channel);
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("channel-title"), "long"));
    String body = "`data/big.txt`\n" + "zeile ä & <x>\n".repeat(3_000);
    WebElement input = driver.findElement(By.id("message-input"));
    js().executeScript("arguments[0].value = arguments[1]", input, body);
    input.sendKeys(Keys.END, Keys.ENTER);
    WebElement error =
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.className("composer-error")));
    assertThat(error.getText()).contains("40,000");
    assertThat(driver.getPageSource()).doesNotContain("alert(");
    screenshot("msg-too-long");
    WebElement sendAsFile = error.findElement(By.className("send-as-file"));
    assertThat(sendAsFile.getText()).isEqualTo("Send as file big.txt");
    sendAsFile.click();
    wait.until(
        d ->
            d.findElements(By.cssSelector("#messages .file a")).stream()
                .anyMatch(a -> a.getText().equals("big.txt")));
    assertThat(driver.findElements(By.className("composer-error"))).isEmpty();
    assertThat(input.getAttribute("value")).isEmpty();
    Message shared = ada.conversationsHistory(r -> r.channel(channel)).getMessages().get(0);
    String url = shared.getFiles().get(0).getUrlPrivate();
    var response =
        ws.http.send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
                .header("Authorization", "Bearer " + adaToken)
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofByteArray());
    assertThat(response.body()).isEqualTo(body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void mrkdwnIsRenderedAsSlackRendersIt() throws Exception {
    String channel = newChannel("mrkdwn");
    String bobId = bob.authTest(r -> r).getUserId();
    String text =
        "*threadbare* is _really_ ~not~ `plain`: <https://example.com/a?b=1&amp;c=2|the site>,"
            + " <@"
            + bobId
            + ">, <#"
            + general
            + "> and :rocket: :no_such_emoji_here:\n"
            + "&gt; a quote with *bold*\n"
            + "• one\n"
            + "• two\n"
            + "1. first\n"
            + "2. second\n"
            + "the end";
    ada.chatPostMessage(r -> r.channel(channel).text(text));
    signIn(driver, adaToken);
    driver.get(ws.base() + "/#/" + channel);
    WebElement message = messageWithText("the end");
    WebElement rendered = message.findElement(By.className("text"));
    assertThat(rendered.findElement(By.cssSelector("strong")).getText()).isEqualTo("threadbare");
    assertThat(rendered.findElement(By.cssSelector("em")).getText()).isEqualTo("really");
    assertThat(rendered.findElement(By.cssSelector("del")).getText()).isEqualTo("not");
    assertThat(rendered.findElement(By.cssSelector("code")).getText()).isEqualTo("plain");
    WebElement link = rendered.findElement(By.cssSelector("a[target=_blank]"));
    assertThat(link.getText()).isEqualTo("the site");
    assertThat(link.getAttribute("href")).isEqualTo("https://example.com/a?b=1&c=2");
    assertThat(rendered.findElement(By.className("mention")).getText()).isEqualTo("@bob");
    assertThat(rendered.findElement(By.className("channel-mention")).getText())
        .isEqualTo("#general");
    WebElement rocket = rendered.findElement(By.cssSelector("img.emoji[data-name=rocket]"));
    wait.until(
        d ->
            ((Number) js().executeScript("return arguments[0].naturalWidth", rocket)).intValue()
                > 0);
    wait.until(d -> rendered.getText().contains(":no_such_emoji_here:"));
    assertThat(rendered.findElement(By.cssSelector("blockquote")).getText())
        .isEqualTo("a quote with bold");
    assertThat(rendered.findElement(By.cssSelector("blockquote strong")).getText())
        .isEqualTo("bold");
    assertThat(rendered.findElements(By.cssSelector("ul > li")))
        .extracting(WebElement::getText)
        .containsExactly("one", "two");
    assertThat(rendered.findElements(By.cssSelector("ol > li")))
        .extracting(WebElement::getText)
        .containsExactly("first", "second");
    assertThat(rendered.getText()).doesNotContain("*").doesNotContain("&gt;").doesNotContain("~");
    screenshot("mrkdwn");
  }

  @Test
  void iconsAndEmojiComeFromTheAppNotFromFonts() throws Exception {
    String channel = newChannel("icons");
    String ts = ada.chatPostMessage(r -> r.channel(channel).text("react to me")).getTs();
    bob.conversationsJoin(r -> r.channel(channel));
    for (String name : List.of("white_check_mark", "x", "arrows_counterclockwise", "question")) {
      bob.reactionsAdd(r -> r.channel(channel).timestamp(ts).name(name));
    }
    signIn(driver, adaToken);
    driver.get(ws.base() + "/#/" + channel);
    WebElement message = messageWithText("react to me");
    wait.until(d -> message.findElements(By.cssSelector(".reaction img.emoji")).size() == 4);
    wait.until(
        d ->
            (Boolean)
                js().executeScript(
                        "return [...document.querySelectorAll('img.emoji')]"
                            + ".every(i => i.complete && i.naturalWidth > 0)"));
    // every control is an SVG icon served by the app; no glyph needs an emoji font
    String visible = (String) js().executeScript("return document.body.textContent");
    assertThat(visible)
        .doesNotContainPattern("[\\x{1F300}-\\x{1FAFF}\\x{2600}-\\x{27BF}\\x{2630}]");
    @SuppressWarnings("unchecked")
    List<String> icons =
        (List<String>)
            js().executeScript(
                    "return [...document.querySelectorAll('.icon')]"
                        + ".map(e => getComputedStyle(e).maskImage || getComputedStyle(e).webkitMaskImage)");
    assertThat(icons).isNotEmpty().allMatch(m -> m.contains("/ui/icons/"));
    for (String mask : new java.util.TreeSet<>(icons)) {
      String url = mask.replaceFirst("^url\\(\"?", "").replaceFirst("\"?\\)$", "");
      var response =
          ws.http.send(
              java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(url).isEqualTo(200);
      assertThat(response.body()).as(url).startsWith("<svg");
    }
    new Actions(driver).moveToElement(message).perform();
    screenshot("icons-and-emoji");
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
