package dev.threadbare.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the real-world captures kept in the repository's {@code testing/fixtures} by walking up
 * from the working directory, so tests run wherever the repository is cloned.
 */
public final class Fixtures {
  public static final ObjectMapper JSON = new ObjectMapper();

  private Fixtures() {}

  /**
   * The {@code testing/fixtures} folder: {@code -Dthreadbare.fixtures} or {@code
   * THREADBARE_FIXTURES} when set, else the nearest ancestor's {@code testing/fixtures}. The same
   * rule as the testing module's {@code Fixtures}, which core's tests cannot use (testing depends
   * on core).
   */
  public static Path root() {
    String configured =
        System.getProperty("threadbare.fixtures", System.getenv("THREADBARE_FIXTURES"));
    if (configured != null && !configured.isBlank()) {
      Path path = Path.of(configured).toAbsolutePath();
      if (!Files.isDirectory(path)) {
        throw new IllegalStateException(
            "fixtures folder "
                + path
                + " (from threadbare.fixtures or THREADBARE_FIXTURES) does not exist: point it at"
                + " the repository's testing/fixtures");
      }
      return path;
    }
    Path dir = Path.of("").toAbsolutePath();
    for (Path p = dir; p != null; p = p.getParent()) {
      Path candidate = p.resolve("testing").resolve("fixtures");
      if (Files.isRegularFile(candidate.resolve("README.md"))) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "no testing/fixtures folder above " + dir + ": run the tests inside the repository");
  }

  /** A fixture file, by its path under {@code testing/fixtures}. */
  public static Path path(String relative) {
    Path p = root().resolve(relative);
    if (!Files.isRegularFile(p)) {
      throw new IllegalStateException("fixture " + p + " is missing");
    }
    return p;
  }

  /** JSON text, parsed (a journal entry's payload, say). */
  public static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A JSON fixture, parsed. */
  public static JsonNode json(String relative) {
    try {
      return JSON.readTree(path(relative).toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
