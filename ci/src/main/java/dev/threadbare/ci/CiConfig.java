package dev.threadbare.ci;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tomlj.Toml;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlTable;

/**
 * The {@code [ci]} section of a commit's {@code threadbare.toml}.
 *
 * @param test the shell command ({@code sh -c}) that tests the commit
 * @param timeout the wall-clock limit of a run (default 10m)
 */
public record CiConfig(String test, Duration timeout) {

  /** The file that configures a repository. */
  public static final String FILE = "threadbare.toml";

  /** The timeout when {@code [ci] timeout} is absent. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);

  private static final Duration MAX_TIMEOUT = Duration.ofHours(6);
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

  public CiConfig {
    Objects.requireNonNull(test, "test");
    Objects.requireNonNull(timeout, "timeout");
  }

  /**
   * The CI settings of {@code toml}, or empty when it has no {@code [ci]} section (or no {@code
   * test} in it): no run.
   *
   * @throws CiConfigException naming the key and the rule when the file or a value is malformed
   */
  public static Optional<CiConfig> parse(String toml) {
    TomlParseResult result = Toml.parse(toml);
    if (result.hasErrors()) {
      throw new CiConfigException(
          FILE + " is not valid TOML: " + result.errors().get(0).toString());
    }
    if (!result.contains("ci")) {
      return Optional.empty();
    }
    if (!result.isTable("ci")) {
      throw new CiConfigException(FILE + ": `ci` must be a table ([ci])");
    }
    TomlTable ci = Objects.requireNonNull(result.getTable("ci"));
    if (!ci.contains("test")) {
      return Optional.empty();
    }
    if (!ci.isString("test")) {
      throw new CiConfigException(
          FILE + ": [ci] test must be a string, the shell command, like test = \"make test\"");
    }
    String test = Objects.requireNonNull(ci.getString("test")).strip();
    if (test.isEmpty()) {
      return Optional.empty();
    }
    Duration timeout = DEFAULT_TIMEOUT;
    if (ci.contains("timeout")) {
      if (!ci.isString("timeout")) {
        throw new CiConfigException(
            FILE + ": [ci] timeout must be a string such as \"90s\", \"10m\" or \"1h\"");
      }
      timeout = parseDuration(Objects.requireNonNull(ci.getString("timeout")));
    }
    return Optional.of(new CiConfig(test, timeout));
  }

  /** {@code 90s}, {@code 10m}, {@code 1h}, {@code 500ms}: between 1 s and 6 h. */
  static Duration parseDuration(String text) {
    Matcher m = DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new CiConfigException(
          FILE
              + ": [ci] timeout `"
              + text
              + "` is not a duration: write a number and a unit, such as \"90s\", \"10m\" or \"1h\"");
    }
    long n = Long.parseLong(m.group(1));
    Duration d =
        switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          default -> Duration.ofHours(n);
        };
    if (d.compareTo(Duration.ofSeconds(1)) < 0 || d.compareTo(MAX_TIMEOUT) > 0) {
      throw new CiConfigException(
          FILE + ": [ci] timeout `" + text + "` is out of range: from 1s to 6h");
    }
    return d;
  }
}
