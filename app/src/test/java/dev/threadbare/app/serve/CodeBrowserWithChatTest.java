package dev.threadbare.app.serve;

import static dev.threadbare.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import dev.threadbare.testing.Chromium;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The code browser inside {@code threadbare serve} on the local workspace: one sign-in with the
 * chat UI, message links that open our own chat, and blame that shows the conversation which wrote
 * a line, read from the chat. A person posts through the Slack SDK; Chromium (Debian's) browses.
 */
class CodeBrowserWithChatTest {
  @TempDir static Path dir;
  static ServeFixture serve;
  static Server server;
  static MethodsClient person;
  static String adminToken;
  static String general;
  static ChatPostMessageResponse root;
  static ChatPostMessageResponse reply;
  static final HttpClient http = HttpClient.newHttpClient();
  static final ObjectMapper json = new ObjectMapper();

  @BeforeAll
  static void start() throws Exception {
    serve = ServeFixture.start(Server.Settings.defaults(dir.resolve("data")).withDbPort(0));
    server = serve.server();
    adminToken = server.firstRunAdminToken();
    person = serve.person();
    general = serve.general();
    root =
        person.chatPostMessage(
            r ->
                r.channel(general)
                    .text(
                        "A greeting for the *app*\n`src/app.py`\n```\nimport os\n"
                            + "print(\"hello\")\n```"));
    assertThat(eventually(() -> reactions(root.getTs()).contains("white_check_mark"))).isTrue();
    reply =
        person.chatPostMessage(
            r ->
                r.channel(general)
                    .threadTs(root.getTs())
                    .text(
                        "Louder, as `ops` asked\n`src/app.py`\n```\nimport os\n"
                            + "print(\"HELLO\")\n```"));
    assertThat(eventually(() -> reactions(reply.getTs()).contains("white_check_mark"))).isTrue();
    person.reactionsAdd(r -> r.channel(general).timestamp(reply.getTs()).name("+1"));
  }

  @AfterAll
  static void stop() {
    if (serve != null) {
      serve.close();
    }
  }

  /** Signs in to the chat UI as the admin; returns the session cookie's value. */
  static String chatSession() throws Exception {
    HttpResponse<String> signIn =
        http.send(
            HttpRequest.newBuilder(URI.create(server.url() + "/ui/signin"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"token\":\"" + adminToken + "\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(signIn.statusCode()).as(signIn.body()).isEqualTo(200);
    String cookie = signIn.headers().firstValue("Set-Cookie").orElseThrow();
    return cookie.substring("tb_session=".length(), cookie.indexOf(';'));
  }

  static HttpResponse<String> get(String path, String session) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url() + path));
    if (session != null) {
      request.header("Cookie", "tb_session=" + session);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theChatSessionOpensTheCodeBrowserAndItsLinksOpenOurChat() throws Exception {
    String session = chatSession();
    HttpResponse<String> blame = get("/code/general/blame?rev=main&path=src/app.py", session);
    assertThat(blame.statusCode()).as(blame.body()).isEqualTo(200);
    String message = "/archives/" + general + "/p" + root.getTs().replace(".", "");
    assertThat(blame.body())
        .contains("href=\"" + server.url() + message + "\"")
        .doesNotContain("https://slack.com/archives");
    HttpResponse<String> opened = get(message, session);
    assertThat(opened.statusCode()).isEqualTo(302);
    assertThat(opened.headers().firstValue("Location"))
        .hasValue("/#/" + general + "/" + root.getTs());
    assertThat(get("/code/general/tree", null).statusCode()).isEqualTo(302);
    assertThat(get("/code/general/tree", "xoxc-not-a-session").statusCode()).isEqualTo(302);
  }

  @Test
  void blameReadsTheConversationThatWroteAVersionFromTheChat() throws Exception {
    String session = chatSession();
    JsonNode log =
        json.readTree(
            get("/api/v1/channels/general/log?rev=thread/" + root.getTs(), session).body());
    String replyCommit = log.get(0).get("id").asText();
    assertThat(eventually(() -> conversation(session, replyCommit).path("found").asBoolean()))
        .isTrue();
    JsonNode conversation = conversation(session, replyCommit);
    assertThat(conversation.get("threadTs").asText()).isEqualTo(root.getTs());
    JsonNode messages = conversation.get("messages");
    assertThat(messages.get(0).get("ts").asText()).isEqualTo(root.getTs());
    assertThat(messages.get(0).get("text").asText()).startsWith("A greeting for the *app*");
    assertThat(messages.get(0).get("focus").asBoolean()).isFalse();
    JsonNode replied =
        json.readTree(messages.toString()).findParents("ts").stream()
            .filter(m -> m.get("ts").asText().equals(reply.getTs()))
            .findFirst()
            .orElseThrow();
    assertThat(replied.get("focus").asBoolean()).isTrue();
    assertThat(replied.get("name").asText()).isEqualTo("admin");
    assertThat(eventually(() -> hasThumbsUp(session, replyCommit))).isTrue();
  }

  static JsonNode conversation(String session, String commit) {
    try {
      return json.readTree(
          get("/api/v1/channels/general/conversation?rev=" + commit, session).body());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static boolean hasThumbsUp(String session, String commit) {
    for (JsonNode m : conversation(session, commit).get("messages")) {
      for (JsonNode r : m.get("reactions")) {
        if (r.get("name").asText().equals("+1") && r.get("users").toString().contains("admin")) {
          return true;
        }
      }
    }
    return false;
  }

  @Test
  void inChromiumTheChatLinksToTheCodeAndBlameShowsTheThreadInPlace() throws Exception {
    Path shots = Files.createDirectories(Path.of("target", "screenshots"));
    WebDriver driver = chromium(dir.resolve("chromium"));
    try {
      driver.manage().window().setSize(new Dimension(1280, 800));
      WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(20));
      // One sign-in: the chat UI's.
      driver.get(server.url() + "/");
      wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("signin-token")))
          .sendKeys(adminToken);
      driver.findElement(By.id("signin-button")).click();
      // The chat links to the channel's code; the code browser needs no token.
      wait.until(ExpectedConditions.elementToBeClickable(By.id("channel-code"))).click();
      wait.until(ExpectedConditions.presenceOfElementLocated(By.id("tree")));
      assertThat(driver.getCurrentUrl()).contains("/code/general/tree");
      // ... and to the channel's page, which the same session opens.
      driver.navigate().back();
      wait.until(ExpectedConditions.elementToBeClickable(By.id("channel-page"))).click();
      wait.until(ExpectedConditions.presenceOfElementLocated(By.tagName("h1")));
      assertThat(driver.getCurrentUrl()).contains("/channels/general");
      assertThat(driver.findElement(By.tagName("h1")).getText()).contains("#general");

      driver.get(
          server.url() + "/code/general/blame?rev=thread/" + root.getTs() + "&path=src/app.py");
      WebElement line2 = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("L2")));
      new Actions(driver).moveToElement(line2.findElement(By.cssSelector("td.meta"))).perform();
      WebElement card =
          wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("conversation")));
      wait.until(ExpectedConditions.textToBePresentInElement(card, "Louder, as"));
      assertThat(card.findElement(By.cssSelector("li.focus")).getText())
          .contains("Louder, as ops asked", "wrote this line");
      assertThat(card.findElement(By.cssSelector("li.focus code")).getText()).isEqualTo("ops");
      assertThat(card.findElements(By.cssSelector("li.message")).get(0).getText())
          .contains("A greeting for the app");
      wait.until(
          ExpectedConditions.textToBePresentInElementLocated(
              By.cssSelector("#conversation li.focus .reactions"), ":+1:"));
      Files.copy(
          ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath(),
          shots.resolve("blame-conversation-hover.png"),
          StandardCopyOption.REPLACE_EXISTING);

      // Line 1 was written by the root message: its bubble pins the card for that message.
      WebElement line1 = driver.findElement(By.id("L1"));
      line1.findElement(By.cssSelector("button.why")).click();
      wait.until(
          ExpectedConditions.textToBePresentInElementLocated(
              By.cssSelector("#conversation.pinned li.focus"), "A greeting for the app"));
      Files.copy(
          ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath(),
          shots.resolve("blame-conversation-pinned.png"),
          StandardCopyOption.REPLACE_EXISTING);
      // From the card to the conversation in our own chat UI.
      driver.findElement(By.id("open-in-chat")).click();
      wait.until(ExpectedConditions.urlContains("/#/" + general));
      assertThat(driver.getCurrentUrl()).startsWith(server.url() + "/#/" + general);
    } finally {
      driver.quit();
    }
  }

  /**
   * Debian's Chromium, headless, through Debian's chromedriver, with its profile in {@code
   * profile}: the browser setup the serve tests share. The caller quits it.
   */
  static WebDriver chromium(Path profile) throws java.io.IOException {
    return Chromium.headless(profile);
  }

  private static List<String> reactions(String ts) {
    return serve.reactions(general, ts);
  }
}
