package dev.threadbare.deploy;

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
 * A version's {@code [deploy]} and {@code [db]} settings, read from its {@code threadbare.toml}.
 * Immutable.
 *
 * @param build the build command run once per version before the first start ("" for none)
 * @param run the command that must listen on {@code $PORT}
 * @param idleStop how long without a request before the deployment is stopped
 * @param previewLimitBytes the cap of the deployment's own database
 * @param hasCi whether the file has a {@code [ci]} section (the version deploys once CI passes)
 */
public record DeployConfig(
    String build, String run, Duration idleStop, long previewLimitBytes, boolean hasCi) {

  /** The file that configures a repository. */
  public static final String FILE = "threadbare.toml";

  public static final Duration DEFAULT_IDLE_STOP = Duration.ofMinutes(10);
  public static final long DEFAULT_PREVIEW_LIMIT = 64L * 1024 * 1024;

  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KB|MB|GB|KiB|MiB|GiB)?");

  public DeployConfig {
    Objects.requireNonNull(build, "build");
    Objects.requireNonNull(run, "run");
    Objects.requireNonNull(idleStop, "idleStop");
    if (run.isBlank()) {
      throw new DeployException(
          "[deploy] run is empty in " + FILE + ": it must start a server listening on $PORT");
    }
    if (idleStop.isNegative() || idleStop.isZero()) {
      throw new DeployException("[deploy] idle_stop " + idleStop + " must be positive");
    }
    if (previewLimitBytes <= 0) {
      throw new DeployException("[db] preview_limit " + previewLimitBytes + " must be positive");
    }
  }

  /**
   * The settings in {@code toml}, or empty when it has no {@code [deploy]} section with a {@code
   * run} command.
   *
   * @throws DeployException naming the key and the rule when a value is malformed
   */
  public static Optional<DeployConfig> parse(String toml) {
    TomlParseResult parsed = Toml.parse(toml);
    if (parsed.hasErrors()) {
      throw new DeployException(FILE + " is not valid TOML: " + parsed.errors().get(0));
    }
    TomlTable deploy = parsed.getTable("deploy");
    if (deploy == null || !deploy.contains("run")) {
      return Optional.empty();
    }
    String run = string(deploy, "run", "deploy");
    String build = deploy.contains("build") ? string(deploy, "build", "deploy") : "";
    Duration idle =
        deploy.contains("idle_stop")
            ? duration(string(deploy, "idle_stop", "deploy"))
            : DEFAULT_IDLE_STOP;
    TomlTable db = parsed.getTable("db");
    long limit =
        db != null && db.contains("preview_limit")
            ? size(string(db, "preview_limit", "db"))
            : DEFAULT_PREVIEW_LIMIT;
    return Optional.of(new DeployConfig(build, run, idle, limit, parsed.getTable("ci") != null));
  }

  private static String string(TomlTable table, String key, String section) {
    Object value = table.get(key);
    if (!(value instanceof String s)) {
      throw new DeployException(
          "[" + section + "] " + key + " in " + FILE + " must be a string, such as \"10m\"");
    }
    return s;
  }

  /** {@code "10m"}, {@code "30s"}, {@code "1h"}, {@code "500ms"}. */
  static Duration duration(String text) {
    Matcher m = DURATION.matcher(text.strip());
    if (!m.matches()) {
      throw new DeployException(
          "[deploy] idle_stop \""
              + text
              + "\" is not a duration: write a number and ms, s, m or h");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      default -> Duration.ofHours(n);
    };
  }

  /** {@code "64MB"} (MB = MiB, as PostgreSQL counts), {@code "512KB"}, {@code "1GB"}, bytes. */
  static long size(String text) {
    Matcher m = SIZE.matcher(text.strip());
    if (!m.matches()) {
      throw new DeployException(
          "[db] preview_limit \"" + text + "\" is not a size: write a number and B, KB, MB or GB");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
    return switch (unit) {
      case "KB", "KIB" -> n * 1024;
      case "MB", "MIB" -> n * 1024 * 1024;
      case "GB", "GIB" -> n * 1024 * 1024 * 1024;
      default -> n;
    };
  }
}
