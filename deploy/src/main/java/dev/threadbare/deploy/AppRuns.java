package dev.threadbare.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every runner of a posted app does around the process: the notes threadbare adds to the app's
 * log, a loopback port for {@code $PORT}, and removing an old build before a new one. Shared by the
 * deploy supervisor and prod's server. Stateless and thread-safe.
 */
public final class AppRuns {

  private static final Logger log = LoggerFactory.getLogger(AppRuns.class);

  private AppRuns() {}

  /**
   * Appends {@code [threadbare <now>] line} to the app's log {@code logFile}, making its folder; a
   * write that fails is logged, never thrown: a note must not stop the app.
   */
  public static void note(Path logFile, String line) {
    try {
      Files.createDirectories(logFile.toAbsolutePath().getParent());
      Files.writeString(
          logFile,
          "[threadbare " + Instant.now() + "] " + line + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      log.warn("cannot write {}: {}", logFile, e.toString());
    }
  }

  /** A loopback port free now, for an app's {@code $PORT}. */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port: " + e.getMessage(), e);
    }
  }

  /** Deletes {@code dir} and everything below it; nothing when it does not exist. */
  public static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
