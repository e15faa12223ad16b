import dev.threadbare.testing.Chromium;
import dev.threadbare.workspace.LocalWorkspace;
import dev.threadbare.workspace.RateLimits;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Opening a busy channel in the web UI (headless Chromium, 1280x800): a channel of 10,000
 * messages (a tenth with code blocks) against a baseline channel of 25 messages in the same
 * browser and server. Measured: switching to the channel (hash change to its newest message
 * rendered, in the page's own clock), and a cold signed-in page load straight into it (navigation
 * start to the page's `threadbare-ready` mark). Then scrolling to the top once: how many pages of
 * older history the list loads per scroll and how long one page takes.
 *
 * <p>Usage: BusyChannelBench [messages=10000] [opens=10]
 */
public final class BusyChannelBench {

  public static void main(String[] args) throws Exception {
    int messages = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int opens = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    Path dir = Files.createTempDirectory("threadbare-bench-busy");
    try (LocalWorkspace workspace = LocalWorkspace.open(dir);
        HttpClient http = HttpClient.newHttpClient()) {
      workspace.setRateLimits(RateLimits.unlimited());
      int port = workspace.start(0);
      String base = "http://127.0.0.1:" + port;
      String token = workspace.addUser("reader", false);
      String busy = create(http, base, token, "busy");
      String small = create(http, base, token, "small");
      long posting = System.nanoTime();
      String busyLast = fill(http, base, token, busy, messages);
      String smallLast = fill(http, base, token, small, 25);
      System.out.printf(
          Locale.ROOT,
          "posted %d messages in %.1f s%n",
          messages + 25,
          (System.nanoTime() - posting) / 1e9);
      ChromeDriver driver = Chromium.headless(Files.createTempDirectory(dir, "chrome"), "1280,800");
      try {
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(60));
        driver.get(base + "/");
        driver.findElement(By.id("signin-token")).sendKeys(token);
        driver.findElement(By.id("signin-button")).click();
        wait.until(ExpectedConditions.attributeToBe(By.tagName("body"), "data-ready", "true"));
        List<Double> toSmall = new ArrayList<>();
        List<Double> toBusy = new ArrayList<>();
        List<Double> coldBusy = new ArrayList<>();
        for (int i = 0; i < opens + 1; i++) {
          double s = open(driver, small, smallLast);
          double b = open(driver, busy, busyLast);
          driver.get(base + "/#/" + busy);
          driver.navigate().refresh();
          wait.until(ExpectedConditions.attributeToBe(By.tagName("body"), "data-ready", "true"));
          double cold =
              ((Number)
                      driver.executeScript(
                          "return performance.getEntriesByName('threadbare-ready')[0].startTime"))
                  .doubleValue();
          if (i == 0) {
            continue; // warm-up
          }
          toSmall.add(s);
          toBusy.add(b);
          coldBusy.add(cold);
        }
        Number rendered =
            (Number)
                driver.executeScript("return document.querySelectorAll('#messages .message').length");
        System.out.printf(
            Locale.ROOT,
            "%d opens each, headless Chromium 1280x800, loopback; %d messages rendered on opening the"
                + " busy channel%n",
            opens,
            rendered.intValue());
        Object composer =
            driver.executeScript(
                "const r = document.getElementById('message-input').getBoundingClientRect();"
                    + " return r.bottom <= innerHeight && r.height > 0;");
        System.out.println("composer on screen after opening the busy channel: " + composer);
        print("baseline: switch to a 25-message channel", toSmall);
        print("switch to the " + messages + "-message channel", toBusy);
        print("cold page load into the " + messages + "-message channel", coldBusy);
        System.out.printf(
            Locale.ROOT,
            "ratio busy / baseline switch: p50 %.2fx%n",
            pct(toBusy, 50) / pct(toSmall, 50));
        // one scroll to the top: older history arrives a page at a time
        double older;
        try {
          older =
            ((Number)
                    driver.executeAsyncScript(
                        "const done = arguments[0]; const list = document.getElementById('messages');"
                            + " const before = list.querySelectorAll('.message').length; const t0 = performance.now();"
                            + " list.scrollTop = 0;"
                            + " const check = () => list.querySelectorAll('.message').length > before"
                            + " ? done(performance.now() - t0) : setTimeout(check, 5); check();"))
                .doubleValue();
        } catch (org.openqa.selenium.ScriptTimeoutException e) {
          older = Double.NaN; // this UI loads no older history on scroll-up
        }
        System.out.printf(Locale.ROOT, "one page of older history on scroll-up: %.1f ms%n", older);
      } finally {
        driver.quit();
      }
    }
  }

  /** Switches to {@code channel} and answers the ms until its newest message is rendered. */
  static double open(ChromeDriver driver, String channel, String lastText) {
    return ((Number)
            driver.executeAsyncScript(
                "const [id, last, done] = arguments; const t0 = performance.now();"
                    + " location.hash = '#/' + id;"
                    + " const check = () => { const t = document.querySelectorAll('#messages .message .text');"
                    + " if (t.length && t[t.length - 1].textContent.includes(last)) done(performance.now() - t0);"
                    + " else setTimeout(check, 2); }; check();",
                channel,
                lastText))
        .doubleValue();
  }

  static String create(HttpClient http, String base, String token, String name) throws Exception {
    String body = call(http, base, token, "conversations.create", "name=" + name);
    return body.replaceAll("(?s).*?\"id\":\"(C[A-Z0-9]+)\".*", "$1");
  }

  static String fill(HttpClient http, String base, String token, String channel, int count)
      throws Exception {
    String last = null;
    for (int i = 0; i < count; i++) {
      String text =
          i % 10 == 0
              ? "`src/f" + i + ".py`\n```\ndef f(x):\n    return x * " + i + "\n```"
              : "message " + i + " of #" + channel + " about *the build* & <https://example.com|docs> :tada:";
      call(http, base, token, "chat.postMessage", "channel=" + channel + "&text=" + URLEncoder.encode(text, StandardCharsets.UTF_8));
      last = i % 10 == 0 ? "return x * " + i : "message " + i + " of #" + channel;
    }
    return last;
  }

  /** A Web API call (form-encoded), as {@link UiLoadBench} makes it; the answer's body. */
  static String call(HttpClient http, String base, String token, String method, String form) throws Exception {
    return UiLoadBench.call(http, base, token, method, form);
  }

  static double pct(List<Double> values, double p) {
    return UiLoadBench.pct(values, p);
  }

  static void print(String name, List<Double> values) {
    System.out.printf(Locale.ROOT, "%-50s n=%3d  p50 %7.1f ms  max %7.1f ms%n", name, values.size(), pct(values, 50), pct(values, 100));
  }
}
