package dev.threadbare.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Reads the real-world captures kept in the repository's {@code testing/fixtures} (see its README
 * for where each came from and under which licence), wherever the repository was cloned: the folder
 * is found by walking up from the working directory to the first ancestor holding {@code
 * testing/fixtures}, or taken from the system property {@code threadbare.fixtures} or the
 * environment variable {@code THREADBARE_FIXTURES}.
 *
 * <p>Stateless and thread safe. Fixtures are read only; never write to them.
 */
public final class Fixtures {

  /** The system property naming the fixtures folder explicitly. */
  public static final String PROPERTY = "threadbare.fixtures";

  /** The environment variable naming the fixtures folder explicitly. */
  public static final String ENVIRONMENT = "THREADBARE_FIXTURES";

  private Fixtures() {}

  /** The folder holding the fixtures in the repository, relative to its root. */
  public static final Path IN_REPOSITORY = Path.of("testing", "fixtures");

  /** The fixtures folder, e.g. {@code /home/ada/threadbare/testing/fixtures}. */
  public static Path root() {
    String configured = System.getProperty(PROPERTY, System.getenv(ENVIRONMENT));
    if (configured != null && !configured.isBlank()) {
      Path path = Path.of(configured).toAbsolutePath();
      if (!Files.isDirectory(path)) {
        throw new IllegalStateException(
            "fixtures folder "
                + path
                + " (from "
                + PROPERTY
                + " or "
                + ENVIRONMENT
                + ") does not exist: point it at the repository's testing/fixtures");
      }
      return path;
    }
    Path start = Path.of("").toAbsolutePath();
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve(IN_REPOSITORY);
      if (Files.isRegularFile(candidate.resolve("README.md"))) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "no "
            + IN_REPOSITORY
            + " folder in "
            + start
            + " or any of its parents: run the tests inside the repository, or set -D"
            + PROPERTY
            + "=<path>");
  }

  /**
   * The path of a fixture, relative to the fixtures folder, e.g. {@code
   * "slack-web-events/message_deleted.json"}.
   */
  public static Path path(String relative) {
    Objects.requireNonNull(relative, "relative");
    Path root = root();
    Path path = root.resolve(relative).normalize();
    if (!path.startsWith(root)) {
      throw new IllegalArgumentException(
          "fixture `" + relative + "` leaves the fixtures folder: name it relative to " + root);
    }
    if (!Files.isRegularFile(path)) {
      throw new IllegalArgumentException(
          "no fixture `" + relative + "` in " + root + ": see its README.md for what exists");
    }
    return path;
  }

  /** The fixture's bytes. */
  public static byte[] bytes(String relative) {
    Path path = path(relative);
    try {
      return Files.readAllBytes(path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read fixture " + path + ": " + e.getMessage(), e);
    }
  }

  /** The fixture decoded as UTF-8. */
  public static String string(String relative) {
    return new String(bytes(relative), StandardCharsets.UTF_8);
  }
}
