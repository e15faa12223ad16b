import dev.threadbare.workspace.LocalWorkspace;
import dev.threadbare.workspace.RateLimits;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Message posted through the Web API (chat.postMessage) -> signed Events API delivery received and
 * verified by a local receiver, at a fixed rate (open loop: latency counts from each message's
 * scheduled send time). Baseline in the same process: the client POSTing a signed envelope of the
 * same size straight to the same receiver (one HTTP hop, no workspace).
 *
 * <p>Usage: PostToEventBench [messagesPerSecond=50] [seconds=20]
 */
public final class PostToEventBench {
  private static final String SECRET = "bench-signing-secret";
  private static final Pattern SEQ = Pattern.compile("bench (\\d+)");

  public static void main(String[] args) throws Exception {
    int rate = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    Path dir = Files.createTempDirectory("threadbare-bench-workspace");
    ConcurrentHashMap<Integer, Long> received = new ConcurrentHashMap<>();
    HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    receiver.createContext(
        "/events",
        exchange -> {
          long now = System.nanoTime();
          String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          String timestamp = exchange.getRequestHeaders().getFirst("X-Slack-Request-Timestamp");
          String signature = exchange.getRequestHeaders().getFirst("X-Slack-Signature");
          if (!("v0=" + hmac("v0:" + timestamp + ":" + body)).equals(signature)) {
            throw new IllegalStateException("bad signature on " + body);
          }
          byte[] answer = new byte[0];
          if (body.contains("\"url_verification\"")) {
            Matcher challenge = Pattern.compile("\"challenge\":\"([^\"]+)\"").matcher(body);
            challenge.find();
            answer = challenge.group(1).getBytes(StandardCharsets.UTF_8);
          } else {
            Matcher seq = SEQ.matcher(body);
            if (seq.find()) {
              received.putIfAbsent(Integer.parseInt(seq.group(1)), now);
            }
          }
          exchange.sendResponseHeaders(200, answer.length == 0 ? -1 : answer.length);
          if (answer.length > 0) {
            exchange.getResponseBody().write(answer);
          }
          exchange.close();
        });
    receiver.start();
    String receiverUrl = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/events";

    try (LocalWorkspace workspace = LocalWorkspace.open(dir);
        HttpClient http = HttpClient.newHttpClient()) {
      workspace.setRateLimits(RateLimits.unlimited());
      int port = workspace.start(0);
      workspace.setEventsRequestUrl(receiverUrl, SECRET);
      String token = workspace.addUser("bench", false);
      String api = "http://127.0.0.1:" + port + "/api/";
      String channel =
          post(http, api + "conversations.create", token, "name=bench").replaceAll("(?s).*\"id\":\"(C[A-Z0-9]+)\".*", "$1");

      // warm-up (JIT, connection pools, SQLite pages): not measured
      run(http, api, token, channel, receiverUrl, received, rate, 3, 900_000, true);
      run(http, api, token, channel, receiverUrl, received, rate, 3, 800_000, false);

      Result baseline = run(http, api, token, channel, receiverUrl, received, rate, seconds, 100_000, false);
      Result workspaceRun = run(http, api, token, channel, receiverUrl, received, rate, seconds, 200_000, true);
      System.out.printf(
          Locale.ROOT,
          "rate %d msg/s for %d s (%d messages), SQLite, one JVM, loopback%n",
          rate,
          seconds,
          rate * seconds);
      print("baseline: signed POST client -> receiver", baseline.event());
      print("chat.postMessage -> API answer", workspaceRun.api());
      print("chat.postMessage -> signed event received", workspaceRun.event());
      System.out.printf(
          Locale.ROOT,
          "ratio post->event / baseline hop: p50 %.1fx, p99 %.1fx; lost events: %d%n",
          pct(workspaceRun.event(), 50) / pct(baseline.event(), 50),
          pct(workspaceRun.event(), 99) / pct(baseline.event(), 99),
          workspaceRun.lost());
    } finally {
      receiver.stop(0);
    }
  }

  record Result(List<Double> api, List<Double> event, int lost) {}

  static Result run(
      HttpClient http,
      String api,
      String token,
      String channel,
      String receiverUrl,
      ConcurrentHashMap<Integer, Long> received,
      int rate,
      int seconds,
      int firstSeq,
      boolean throughWorkspace)
      throws Exception {
    int count = rate * seconds;
    long[] scheduled = new long[count];
    List<Double> apiLatencies = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch answered = new CountDownLatch(count);
    long start = System.nanoTime() + 50_000_000L;
    String padding = "x".repeat(1400);
    for (int i = 0; i < count; i++) {
      scheduled[i] = start + (long) (i * 1e9 / rate);
      long wait = scheduled[i] - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      int seq = firstSeq + i;
      long sent = scheduled[i];
      HttpRequest request;
      if (throughWorkspace) {
        request =
            HttpRequest.newBuilder(URI.create(api + "chat.postMessage"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "channel=" + channel + "&text=" + URLEncoder.encode("bench " + seq, StandardCharsets.UTF_8)))
                .build();
      } else {
        String body = "{\"type\":\"event_callback\",\"event\":{\"text\":\"bench " + seq + "\",\"pad\":\"" + padding + "\"}}";
        String ts = Long.toString(System.currentTimeMillis() / 1000);
        request =
            HttpRequest.newBuilder(URI.create(receiverUrl))
                .header("Content-Type", "application/json")
                .header("X-Slack-Request-Timestamp", ts)
                .header("X-Slack-Signature", "v0=" + hmac("v0:" + ts + ":" + body))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
      }
      http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
          .whenComplete(
              (response, failure) -> {
                if (failure == null && response.statusCode() == 200) {
                  apiLatencies.add((System.nanoTime() - sent) / 1e6);
                }
                answered.countDown();
              });
    }
    answered.await(60, TimeUnit.SECONDS);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline && countReceived(received, firstSeq, count) < count) {
      Thread.sleep(20);
    }
    List<Double> eventLatencies = new ArrayList<>();
    int lost = 0;
    for (int i = 0; i < count; i++) {
      Long at = received.get(firstSeq + i);
      if (at == null) {
        lost++;
      } else {
        eventLatencies.add((at - scheduled[i]) / 1e6);
      }
    }
    return new Result(apiLatencies, eventLatencies, lost);
  }

  static int countReceived(ConcurrentHashMap<Integer, Long> received, int first, int count) {
    int n = 0;
    for (int i = 0; i < count; i++) {
      if (received.containsKey(first + i)) {
        n++;
      }
    }
    return n;
  }

  static String post(HttpClient http, String url, String token, String form) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  static String hmac(String payload) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static double pct(List<Double> values, double p) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }

  static void print(String name, List<Double> values) {
    System.out.printf(
        Locale.ROOT,
        "%-45s n=%5d  p50 %7.2f ms  p90 %7.2f ms  p99 %7.2f ms  max %7.2f ms%n",
        name,
        values.size(),
        pct(values, 50),
        pct(values, 90),
        pct(values, 99),
        pct(values, 100));
  }
}
