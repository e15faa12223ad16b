import dev.threadbare.chat.events.SlackSignature;
import dev.threadbare.testing.TestDatabase;
import dev.threadbare.testing.TestPostgres;
import dev.threadbare.workspace.LocalWorkspace;
import dev.threadbare.workspace.RateLimits;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Events a second through one {@code serve} node against two on one PostgreSQL journal (embedded,
 * fsync on), the baseline being the one node in the same run. Each configuration gets a fresh
 * journal database and data directories; events (signed, as Slack sends them, one file message
 * each) go round-robin to the nodes from {@code clients} concurrent senders, closed loop. Two
 * figures per configuration: acknowledged (journal-durable) events a second, and events a second
 * until every node has materialized all of them into its own git store (lag 0 on every node's
 * /metrics) and the outbox is empty.
 *
 * <p>Usage: TwoNodesBench [events=2000] [clients=8]
 */
public final class TwoNodesBench {
  private static final String SECRET = "bench-secret";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  public static void main(String[] args) throws Exception {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int clients = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    System.setProperty(TestPostgres.FSYNC_PROPERTY, "true");
    Path dir = Files.createTempDirectory("threadbare-bench-twonodes");
    LocalWorkspace workspace = LocalWorkspace.open(dir.resolve("workspace"));
    workspace.setRateLimits(RateLimits.unlimited());
    String apiUrl = "http://127.0.0.1:" + workspace.start(0) + "/api/";
    double[] one = run(dir.resolve("one"), 1, events, clients, workspace, apiUrl, 1_000_000);
    double[] two = run(dir.resolve("two"), 2, events, clients, workspace, apiUrl, 2_000_000);
    System.out.printf(
        Locale.ROOT,
        "events=%d clients=%d fsync=%s%n"
            + "one node : acked %.1f events/s, materialized everywhere %.1f events/s%n"
            + "two nodes: acked %.1f events/s, materialized everywhere %.1f events/s%n"
            + "ratio two/one: acked %.2f, materialized %.2f%n",
        events,
        clients,
        TestPostgres.fsync(),
        one[0],
        one[1],
        two[0],
        two[1],
        two[0] / one[0],
        two[1] / one[1]);
    workspace.close();
  }

  private static double[] run(
      Path dir,
      int nodeCount,
      int events,
      int clients,
      LocalWorkspace workspace,
      String apiUrl,
      long tsBase)
      throws Exception {
    TestDatabase journal = TestPostgres.newDatabase();
    List<Process> processes = new ArrayList<>();
    List<String> urls = new ArrayList<>();
    try {
      for (int n = 0; n < nodeCount; n++) {
        Path data = dir.resolve("node-" + n);
        Files.createDirectories(data);
        Process p = serve(data, journal, workspace, apiUrl);
        processes.add(p);
        urls.add(listening(p, data.resolve("serve.log")));
      }
      SlackSignature signer = SlackSignature.create(SECRET, Clock.systemUTC());
      AtomicInteger next = new AtomicInteger();
      long start = System.nanoTime();
      List<CompletableFuture<Void>> senders = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        senders.add(
            CompletableFuture.runAsync(
                () -> {
                  int i;
                  while ((i = next.getAndIncrement()) < events) {
                    send(signer, urls.get(i % urls.size()), i, tsBase);
                  }
                }));
      }
      CompletableFuture.allOf(senders.toArray(CompletableFuture[]::new)).join();
      double ackSeconds = (System.nanoTime() - start) / 1e9;
      while (!urls.stream().allMatch(u -> settled(u))) {
        Thread.sleep(20);
      }
      double allSeconds = (System.nanoTime() - start) / 1e9;
      return new double[] {events / ackSeconds, events / allSeconds};
    } finally {
      for (Process p : processes) {
        p.destroy();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor();
        }
      }
    }
  }

  private static void send(SlackSignature signer, String url, int i, long tsBase) {
    String ts = String.format(Locale.ROOT, "1700%06d.%06d", tsBase / 1_000_000 + i / 1000, i);
    String body =
        "{\"type\":\"event_callback\",\"team_id\":\"TBENCH\",\"event_id\":\"Ev"
            + i
            + "\",\"event_time\":1700000000,\"event\":{\"type\":\"message\",\"channel\":\"CBENCH\","
            + "\"user\":\"UBENCH\",\"ts\":\""
            + ts
            + "\",\"text\":\"`src/app"
            + (i % 50)
            + ".py`\\n```print("
            + i
            + ")```\"}}";
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    long now = System.currentTimeMillis() / 1000;
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url + "/slack/events"))
            .header("X-Slack-Request-Timestamp", Long.toString(now))
            .header("X-Slack-Signature", signer.sign(now, bytes))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
            .build();
    try {
      int status = HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
      if (status != 200) {
        throw new IllegalStateException("HTTP " + status + " from " + url);
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean settled(String url) {
    try {
      String metrics =
          HTTP.send(
                  HttpRequest.newBuilder(URI.create(url + "/metrics")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      return gauge(metrics, "threadbare_journal_lag_entries") == 0
          && gauge(metrics, "threadbare_outbox_depth") == 0;
    } catch (Exception e) {
      return false;
    }
  }

  private static double gauge(String metrics, String name) {
    Matcher m = Pattern.compile("(?m)^" + name + "(?:\\{[^}]*\\})? (\\S+)$").matcher(metrics);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  private static Process serve(
      Path data, TestDatabase journal, LocalWorkspace workspace, String apiUrl) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder builder =
        new ProcessBuilder(
                java.toString(),
                "-Xmx512m",
                "-cp",
                System.getProperty("java.class.path"),
                "dev.threadbare.app.Main",
                "serve",
                "--data",
                data.toString(),
                "--port",
                Integer.toString(freePort()),
                "--db-port",
                "-1")
            .redirectErrorStream(true);
    builder.environment().put("SLACK_BOT_TOKEN", workspace.botToken());
    builder.environment().put("SLACK_SIGNING_SECRET", SECRET);
    builder.environment().put("SLACK_API_URL", apiUrl);
    builder.environment().put("THREADBARE_OUTBOX_PER_MINUTE", "600000");
    builder
        .environment()
        .put("THREADBARE_JOURNAL_URL", journal.jdbcUrl() + "?user=" + journal.user());
    return builder.start();
  }

  private static String listening(Process p, Path log) throws Exception {
    Pattern listening = Pattern.compile("threadbare listening on (\\S+)");
    BufferedReader in =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      Matcher m = listening.matcher(line);
      if (m.find()) {
        String url = m.group(1);
        Thread drain =
            new Thread(
                () -> {
                  try (var out = Files.newBufferedWriter(log)) {
                    String l;
                    while ((l = in.readLine()) != null) {
                      out.write(l);
                      out.newLine();
                    }
                  } catch (Exception e) {
                    // the process ended
                  }
                });
        drain.setDaemon(true);
        drain.start();
        return url;
      }
    }
    throw new IllegalStateException("serve exited before listening");
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
