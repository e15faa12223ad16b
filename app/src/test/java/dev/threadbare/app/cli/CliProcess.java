package dev.threadbare.app.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The {@code threadbare} CLI as an OS process of its own (this JVM's {@code java}, the test class
 * path), for tests where two processes meet on one data directory. Its output lines are collected
 * as they come. Test support; not thread safe.
 */
final class CliProcess implements AutoCloseable {

  private final Process process;
  private final List<String> lines = new ArrayList<>();
  private final Thread pump;

  private CliProcess(Process process) {
    this.process = process;
    this.pump =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                  }
                }
              } catch (IOException e) {
                // the process is gone
              }
            },
            "cli-output");
    pump.setDaemon(true);
    pump.start();
  }

  /** Starts {@code threadbare args…} (standard error merged into standard output). */
  static CliProcess start(String... args) {
    String classPath = System.getProperty("surefire.test.class.path");
    if (classPath == null || classPath.isBlank()) {
      classPath = System.getProperty("java.class.path");
    }
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                classPath,
                "dev.threadbare.app.Main"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    for (String name :
        List.of(
            "SLACK_APP_TOKEN",
            "SLACK_BOT_TOKEN",
            "SLACK_SIGNING_SECRET",
            "THREADBARE_JOURNAL_URL",
            "THREADBARE_DB_POSTGRES")) {
      builder.environment().remove(name);
    }
    try {
      return new CliProcess(builder.start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs {@code threadbare args…} to its end (at most two minutes). */
  static Finished run(String... args) {
    try (CliProcess cli = start(args)) {
      return cli.awaitExit(Duration.ofMinutes(2));
    }
  }

  /** A process's end: its exit status and output. */
  record Finished(int status, String output) {
    String lastLine() {
      List<String> all = output.lines().toList();
      return all.isEmpty() ? "" : all.getLast();
    }
  }

  long pid() {
    return process.pid();
  }

  /** The first output line matching {@code wanted}, waiting up to {@code timeout} for it. */
  Optional<String> awaitLine(Predicate<String> wanted, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lines) {
      while (true) {
        Optional<String> found = lines.stream().filter(wanted).findFirst();
        long left = deadline - System.nanoTime();
        if (found.isPresent() || left <= 0 || (!process.isAlive() && !pump.isAlive())) {
          return found;
        }
        try {
          lines.wait(Math.max(1, Math.min(200, left / 1_000_000)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return Optional.empty();
        }
      }
    }
  }

  /** Everything printed so far. */
  String output() {
    synchronized (lines) {
      return String.join("\n", lines);
    }
  }

  /** Waits for the process to end by itself. */
  Finished awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("still running after " + timeout + ":\n" + output());
      }
      pump.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return new Finished(process.exitValue(), output());
  }

  /** SIGTERM, as Ctrl-C or a service manager stops it, and waits for the end. */
  Finished stop() {
    process.destroy();
    return awaitExit(Duration.ofSeconds(60));
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
