import dev.threadbare.chat.Chat;
import dev.threadbare.chat.events.EventIntake;
import dev.threadbare.chat.events.SlackSignature;
import dev.threadbare.core.chat.SlackEvents;
import dev.threadbare.core.journal.Journal;
import dev.threadbare.core.journal.JournalEntry;
import dev.threadbare.journal.Journals;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Event received -> journal-durable ack, at a fixed arrival rate (open loop: latency is measured
 * from each event's scheduled send time, so a slow ack delays nobody's clock). Baselines in the
 * same process: the same HTTP round trip to a handler that acks at once, and Journal.append alone.
 *
 * <p>Usage: EventAckBench [eventsPerSecond=50] [seconds=20]
 */
public final class EventAckBench {
  private static final String SECRET = "bench-secret";

  public static void main(String[] args) throws Exception {
    int rate = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    Path dir = Files.createTempDirectory("threadbare-bench-chat");
    try (Journal journal = Journals.sqlite(dir.resolve("journal.db"))) {
      EventIntake intake = Chat.intake(journal);
      AtomicInteger heard = new AtomicInteger();
      intake.onJournaled(e -> heard.addAndGet(e.size()));
      Javalin server = Javalin.create();
      Chat.eventsEndpoint(SECRET, intake).register(server);
      server.post("/baseline", ctx -> ctx.status(200).result(""));
      server.start("127.0.0.1", 0);
      String base = "http://127.0.0.1:" + server.port();
      HttpClient http = HttpClient.newHttpClient();
      SlackSignature signer = SlackSignature.create(SECRET, Clock.systemUTC());

      // Warm-up (JIT, connection pool, SQLite pages): not measured.
      run(http, signer, base + "/slack/events", rate, 3, 9_000_000);
      run(http, signer, base + "/baseline", rate, 3, 8_000_000);

      List<Double> baseline = run(http, signer, base + "/baseline", rate, seconds, 1_000_000);
      List<Double> endpoint = run(http, signer, base + "/slack/events", rate, seconds, 2_000_000);
      List<Double> append = appendAlone(journal, rate * seconds);

      intake.awaitHandOff();
      int expected = rate * seconds + rate * 3;
      System.out.printf(
          Locale.ROOT,
          "journal entries: %d (expected %d), handed off: %d%n",
          journal.lastSeq() - (long) rate * seconds,
          expected,
          heard.get());
      print("baseline: HTTP ack without verification or journal", baseline);
      print("Journal.append alone (SQLite, durable)", append);
      print("endpoint: verify + convert + journal-durable ack", endpoint);
      System.out.printf(
          Locale.ROOT,
          "ratio endpoint/baseline: p50 %.1fx, p99 %.1fx; endpoint p99 %.2f ms (target < 50 ms at"
              + " %d events/s): %s%n",
          pct(endpoint, 50) / pct(baseline, 50),
          pct(endpoint, 99) / pct(baseline, 99),
          pct(endpoint, 99),
          rate,
          pct(endpoint, 99) < 50 ? "PASS" : "FAIL");
      server.stop();
      intake.close();
    }
  }

  private static List<Double> run(
      HttpClient http, SlackSignature signer, String url, int rate, int seconds, long tsBase)
      throws Exception {
    int total = rate * seconds;
    long intervalNanos = 1_000_000_000L / rate;
    List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
    List<CompletableFuture<?>> pending = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < total; i++) {
      long scheduled = start + i * intervalNanos;
      long wait = scheduled - System.nanoTime();
      if (wait > 0) {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      }
      String ts = String.format(Locale.ROOT, "1700%06d.%06d", tsBase / 1_000_000 + i / 1000, i);
      String body =
          "{\"type\":\"event_callback\",\"team_id\":\"TBENCH\",\"event_id\":\"Ev"
              + i
              + "\",\"event_time\":1700000000,\"event\":{\"type\":\"message\",\"channel\":\"CBENCH\","
              + "\"user\":\"UBENCH\",\"ts\":\""
              + ts
              + "\",\"text\":\"`src/app"
              + i
              + ".py`\\n```print("
              + i
              + ")```\"}}";
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      long now = System.currentTimeMillis() / 1000;
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(url))
              .header("X-Slack-Request-Timestamp", Long.toString(now))
              .header("X-Slack-Signature", signer.sign(now, bytes))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
              .build();
      pending.add(
          http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
              .thenAccept(
                  r -> {
                    if (r.statusCode() != 200) {
                      throw new IllegalStateException("HTTP " + r.statusCode() + " for " + url);
                    }
                    latencies.add((System.nanoTime() - scheduled) / 1e6);
                  }));
    }
    CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
    return latencies;
  }

  private static List<Double> appendAlone(Journal journal, int count) {
    List<Double> latencies = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String body =
          "{\"type\":\"event_callback\",\"team_id\":\"TBENCH\",\"event\":{\"type\":\"message\","
              + "\"channel\":\"CALONE\",\"user\":\"UBENCH\",\"ts\":\"1800000000."
              + String.format(Locale.ROOT, "%06d", i)
              + "\",\"text\":\"hi\"}}";
      List<JournalEntry> entries;
      try {
        entries = SlackEvents.toEntries(new com.fasterxml.jackson.databind.ObjectMapper().readTree(body));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      long t0 = System.nanoTime();
      journal.append(entries);
      latencies.add((System.nanoTime() - t0) / 1e6);
    }
    return latencies;
  }

  private static double pct(List<Double> values, double p) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1)));
  }

  private static void print(String name, List<Double> latencies) {
    System.out.printf(
        Locale.ROOT,
        "%-52s n=%5d  p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms%n",
        name,
        latencies.size(),
        pct(latencies, 50),
        pct(latencies, 99),
        pct(latencies, 100));
  }
}
