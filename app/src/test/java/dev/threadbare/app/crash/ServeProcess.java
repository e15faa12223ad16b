package dev.threadbare.app.crash;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code threadbare serve} as its own OS process, started with this JVM's {@code java} and test
 * class path, its output copied to a log file. Test support; not thread safe.
 */
final class ServeProcess {

  private static final Pattern LISTENING = Pattern.compile("threadbare listening on (\\S+)");
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final Process process;
  private final String url;

  private ServeProcess(Process process, String url) {
    this.process = process;
    this.url = url;
  }

  /**
   * Starts {@code serve --data data --port port --db-port -1} with {@code env} added to this
   * process's environment (Slack and journal settings removed first), and waits until it listens.
   */
  static ServeProcess start(Path data, int port, Map<String, String> env, Path log)
      throws IOException {
    String classPath = System.getProperty("surefire.test.class.path");
    if (classPath == null || classPath.isBlank()) {
      classPath = System.getProperty("java.class.path");
    }
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command =
        new ArrayList<>(
            List.of(
                java.toString(),
                "-Xmx384m",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                classPath,
                "dev.threadbare.app.Main",
                "serve",
                "--data",
                data.toString(),
                "--port",
                String.valueOf(port),
                "--db-port",
                "-1"));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    Map<String, String> environment = builder.environment();
    for (String name :
        List.of(
            "SLACK_APP_TOKEN",
            "SLACK_BOT_TOKEN",
            "SLACK_SIGNING_SECRET",
            "SLACK_API_URL",
            "THREADBARE_JOURNAL_URL")) {
      environment.remove(name);
    }
    environment.putAll(env);
    Process process = builder.start();
    CompletableFuture<String> listening = new CompletableFuture<>();
    Thread pump =
        new Thread(
            () -> {
              try (BufferedReader in =
                      new BufferedReader(
                          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                  PrintWriter out =
                      new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true)) {
                String line;
                while ((line = in.readLine()) != null) {
                  out.println(line);
                  Matcher m = LISTENING.matcher(line);
                  if (m.find()) {
                    listening.complete(m.group(1));
                  }
                }
              } catch (IOException e) {
                listening.completeExceptionally(new UncheckedIOException(e));
              }
              listening.completeExceptionally(
                  new IllegalStateException("serve exited before listening; see " + log));
            },
            "serve-output-" + log.getFileName());
    pump.setDaemon(true);
    pump.start();
    try {
      return new ServeProcess(process, listening.get(90, TimeUnit.SECONDS));
    } catch (Exception e) {
      process.destroyForcibly();
      throw new IllegalStateException("serve did not start: " + e + "\n" + tail(log), e);
    }
  }

  /** The HTTP base URL serve printed. */
  String url() {
    return url;
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** SIGKILL ({@link Process#destroyForcibly()} on Linux), and waits until the process is gone. */
  void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * SIGTERM (a clean shutdown through serve's hook), and waits; SIGKILL after 30 s. Returns how it
   * ended: whether it exited by itself, with which status, after how long.
   */
  Stopped stop() throws InterruptedException {
    long start = System.nanoTime();
    process.destroy();
    boolean exited = process.waitFor(30, TimeUnit.SECONDS);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    if (!exited) {
      kill();
    }
    return new Stopped(exited, exited ? process.exitValue() : -1, took);
  }

  /**
   * How a SIGTERM ended serve: by itself ({@code exited}) with {@code status}, after {@code took}.
   * The JVM exits with 143 (128 + SIGTERM) after its shutdown hooks ran.
   */
  record Stopped(boolean exited, int status, Duration took) {
    /** Whether serve ran its shutdown and exited on SIGTERM, within the 30 s grace. */
    boolean cleanly() {
      return exited && (status == 0 || status == 143);
    }
  }

  /** Whether the journal is materialized and the outbox empty, per {@code /metrics}. */
  boolean drained() {
    try {
      String metrics =
          HTTP.send(
                  HttpRequest.newBuilder(URI.create(url + "/metrics"))
                      .timeout(Duration.ofSeconds(5))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      return gauge(metrics, "threadbare_outbox_depth") == 0
          && gauge(metrics, "threadbare_journal_lag_entries") == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static double gauge(String metrics, String name) {
    Matcher m = Pattern.compile("(?m)^" + name + "(?:\\{[^}]*\\})? (\\S+)$").matcher(metrics);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }
}
