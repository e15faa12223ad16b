package dev.threadbare.deploy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How the deployer runs. Immutable.
 *
 * @param dataDir the data directory: {@code deploys.db} and {@code deploys/<uuid>/} (build output
 *     and log) live there
 * @param baseHost deployments are served at {@code http://<uuid>.<baseHost>/}; may carry a port
 *     ({@code localhost:8080})
 * @param serverUrl the server's own URL, where the whole logs are linked ({@code
 *     <serverUrl>/deploys/<uuid>/log})
 * @param maxRunning at most this many run at once; the least recently used is stopped first
 * @param startTimeout how long a started process has to answer on {@code $PORT}
 * @param buildTimeout how long a build may take
 * @param retryAfter how long a failed start is answered from memory before the next request tries
 *     again (a failed build is never retried: the same version builds the same)
 */
public record DeploySettings(
    Path dataDir,
    String baseHost,
    String serverUrl,
    int maxRunning,
    Duration startTimeout,
    Duration buildTimeout,
    Duration retryAfter) {

  public DeploySettings {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(baseHost, "baseHost");
    Objects.requireNonNull(serverUrl, "serverUrl");
    if (baseHost.isBlank() || baseHost.startsWith(".") || baseHost.contains("/")) {
      throw new DeployException(
          "base host \""
              + baseHost
              + "\" must be a host name, such as localhost:8080 or example.com");
    }
    if (maxRunning < 1) {
      throw new DeployException("--max-running " + maxRunning + " must be at least 1");
    }
  }

  /** Defaults: {@code maxRunning} fitted to memory, 60 s to start, 10 min to build, 10 s retry. */
  public static DeploySettings defaults(Path dataDir, String baseHost, String serverUrl) {
    return new DeploySettings(
        dataDir,
        baseHost,
        serverUrl,
        defaultMaxRunning(),
        Duration.ofSeconds(60),
        Duration.ofMinutes(10),
        Duration.ofSeconds(10));
  }

  /** One deployment per 256 MB of physical memory, at least 4 (each is capped at 256 MB). */
  public static int defaultMaxRunning() {
    long bytes = physicalMemory();
    return (int) Math.max(4, Math.min(512, bytes / (256L * 1024 * 1024)));
  }

  private static long physicalMemory() {
    if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getTotalMemorySize();
    }
    return 4L * 1024 * 1024 * 1024;
  }

  public DeploySettings withMaxRunning(int n) {
    return new DeploySettings(
        dataDir, baseHost, serverUrl, n, startTimeout, buildTimeout, retryAfter);
  }

  public DeploySettings withStartTimeout(Duration d) {
    return new DeploySettings(
        dataDir, baseHost, serverUrl, maxRunning, d, buildTimeout, retryAfter);
  }

  public DeploySettings withRetryAfter(Duration d) {
    return new DeploySettings(
        dataDir, baseHost, serverUrl, maxRunning, startTimeout, buildTimeout, d);
  }
}
