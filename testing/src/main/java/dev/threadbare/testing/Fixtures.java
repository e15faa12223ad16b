package dev.threadbare.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Reads the real-world captures in {@code shared/fixtures} (see its README), wherever the
 * repository was cloned: the folder is found by walking up from the working directory to the first
 * ancestor holding {@code shared/fixtures}, or taken from the system property {@code
 * threadbare.fixtures} or the environment variable {@code THREADBARE_FIXTURES}.
 *
 * <p>Stateless and thread safe. Fixtures are read only; never write to them.
 */
public final class Fixtures {

  /** The system property naming the fixtures folder explicitly. */
  public static final String PROPERTY = "threadbare.fixtures";

  /** The environment variable naming the fixtures folder explicitly. */
  public static final String ENVIRONMENT = "THREADBARE_FIXTURES";

  private Fixtures() {}

  /** The fixtures folder, e.g. {@code /work/shared/fixtures}. */
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
                + ") does not exist: point it at the repository's shared/fixtures");
      }
      return path;
    }
    Path start = Path.of("").toAbsolutePath();
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("shared").resolve("fixtures");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "no shared/fixtures folder in "
            + start
            + " or any of its parents: clone shared/ beside the repository, or set -D"
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
