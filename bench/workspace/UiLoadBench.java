import dev.threadbare.testing.Chromium;
import dev.threadbare.workspace.LocalWorkspace;
import dev.threadbare.workspace.RateLimits;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web UI's first page load in headless Chromium, signed in, on a channel of 200 messages (a
 * quarter with code blocks): bytes fetched (static assets vs Web API answers) and time to
 * interactive (navigation start to the page's `threadbare-ready` mark, after history and live feed
 * are up). Each load starts with an empty browser cache. Baseline in the same browser: the sign-in
 * page (same HTML, CSS and script, no session), which measures the browser and loopback alone.
 *
 * <p>Usage: UiLoadBench [loads=10]
 */
public final class UiLoadBench {

  public static void main(String[] args) throws Exception {
    int loads = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    Path dir = Files.createTempDirectory("threadbare-bench-ui");
    try (LocalWorkspace workspace = LocalWorkspace.open(dir);
        HttpClient http = HttpClient.newHttpClient()) {
      workspace.setRateLimits(RateLimits.unlimited());
      int port = workspace.start(0);
      String base = "http://127.0.0.1:" + port;
      String token = workspace.addUser("reader", false);
      String general = null;
      String list = call(http, base, token, "conversations.list", "");
      general = list.replaceAll("(?s).*\"id\":\"(C[A-Z0-9]+)\",\"name\":\"general\".*", "$1");
      for (int i = 0; i < 200; i++) {
        String text =
            i % 4 == 0
                ? "`src/file" + i + ".py`\n```\ndef f" + i + "(x):\n    return x * " + i + " if x < 3 else None\n```"
                : "message " + i + " about the build & the <https://example.com|docs>";
        call(http, base, token, "chat.postMessage", "channel=" + general + "&text=" + URLEncoder.encode(text, StandardCharsets.UTF_8));
      }
      ChromeDriver driver = Chromium.headless(Files.createTempDirectory(dir, "chrome"), "1280,900");
      try {
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(30));
        driver.get(base + "/");
        driver.findElement(By.id("signin-token")).sendKeys(token);
        driver.findElement(By.id("signin-button")).click();
        wait.until(ExpectedConditions.attributeToBe(By.tagName("body"), "data-ready", "true"));

        List<Double> baseline = new ArrayList<>();
        List<Double> tti = new ArrayList<>();
        long staticBytes = 0;
        long apiBytes = 0;
        long staticRaw = 0;
        String session = driver.manage().getCookieNamed("tb_session").getValue();
        for (int i = 0; i < loads + 1; i++) {
          // baseline: the sign-in page, cold cache, no session
          driver.executeCdpCommand("Network.enable", Map.of());
          driver.executeCdpCommand("Network.clearBrowserCache", Map.of());
          driver.manage().deleteCookieNamed("tb_session");
          driver.get(base + "/");
          wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("signin-token")));
          double signIn = ((Number) driver.executeScript(
              "const n = performance.getEntriesByType('navigation')[0]; return n.loadEventEnd - n.startTime;")).doubleValue();
          // the app, cold cache, signed in
          driver.executeCdpCommand("Network.clearBrowserCache", Map.of());
          driver.manage().addCookie(new org.openqa.selenium.Cookie("tb_session", session, "/"));
          driver.get(base + "/#/" + general);
          driver.navigate().refresh();
          wait.until(ExpectedConditions.attributeToBe(By.tagName("body"), "data-ready", "true"));
          wait.until(d -> !d.findElements(By.cssSelector("pre code.hljs")).isEmpty());
          @SuppressWarnings("unchecked")
          Map<String, Object> m = (Map<String, Object>) driver.executeScript(
              "const ready = performance.getEntriesByName('threadbare-ready')[0].startTime;"
                  + "const all = performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'));"
                  + "const isApi = e => e.name.includes('/api/') || e.name.includes('/ui/session') || e.name.includes('/ui/live');"
                  + "return {ready, stat: all.filter(e => !isApi(e)).reduce((s, e) => s + e.encodedBodySize, 0),"
                  + " statRaw: all.filter(e => !isApi(e)).reduce((s, e) => s + e.decodedBodySize, 0),"
                  + " api: all.filter(isApi).reduce((s, e) => s + e.encodedBodySize, 0)};");
          if (i == 0) {
            continue; // warm-up: JIT in the server
          }
          baseline.add(signIn);
          tti.add(((Number) m.get("ready")).doubleValue());
          staticBytes = ((Number) m.get("stat")).longValue();
          apiBytes = ((Number) m.get("api")).longValue();
          staticRaw = ((Number) m.get("statRaw")).longValue();
        }
        System.out.printf(Locale.ROOT, "%d cold loads, headless Chromium, loopback, channel of 200 messages%n", loads);
        System.out.printf(
            Locale.ROOT,
            "first load bytes on the wire: static %d B (HTML, CSS, JS, highlight.js; %d B uncompressed), Web API answers %d B%n",
            staticBytes,
            staticRaw,
            apiBytes);
        print("baseline: sign-in page load (loadEventEnd)", baseline);
        print("time to interactive (signed in, history)", tti);
        System.out.printf(Locale.ROOT, "ratio TTI / sign-in page: p50 %.1fx%n", pct(tti, 50) / pct(baseline, 50));
      } finally {
        driver.quit();
      }
    }
  }

  static String call(HttpClient http, String base, String token, String method, String form) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create(base + "/api/" + method))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  static double pct(List<Double> values, double p) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }

  static void print(String name, List<Double> values) {
    System.out.printf(Locale.ROOT, "%-45s n=%3d  p50 %7.1f ms  max %7.1f ms%n", name, values.size(), pct(values, 50), pct(values, 100));
  }
}
