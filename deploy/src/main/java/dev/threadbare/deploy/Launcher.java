package dev.threadbare.deploy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The port that runs a deployment's build and server processes: in the sandbox ({@link
 * SandboxLauncher}, what serve uses) or as plain host processes ({@link HostLauncher}, the baseline
 * of the benchmarks). Thread safe.
 */
public interface Launcher {

  /**
   * What to run.
   *
   * @param command a shell command line ({@code sh -c})
   * @param workDir the deployment's build output: the one directory it may write
   * @param env variables for the process ({@code PORT}, {@code DATABASE_URL}); the launcher adds
   *     only {@code PATH}, {@code HOME}, {@code TMPDIR} and {@code LANG}
   * @param log the file that receives stdout and stderr (created or truncated; outside {@code
   *     workDir})
   * @param listenPort the port the process may listen on, or 0 for a build
   */
  record Launch(String command, Path workDir, Map<String, String> env, Path log, int listenPort) {
    public Launch {
      Objects.requireNonNull(command, "command");
      Objects.requireNonNull(workDir, "workDir");
      Objects.requireNonNull(log, "log");
      env = Map.copyOf(env);
    }
  }

  /** A started process and everything it started. Thread safe. */
  interface Running {
    boolean isAlive();

    /** Completes, once everything it started is gone, with a sentence on how it ended. */
    CompletableFuture<String> onExit();

    /** Whether it ended by exiting with status 0 (meaningful once {@link #onExit} completed). */
    boolean succeeded();

    /** Stops it and everything it started. */
    void stop();

    /**
     * Completes once the server accepts connections on its port, when the launcher learns that from
     * a signal of its own (the sandbox's private network); empty when the caller must find out by
     * connecting. It never completes for a process that exits before listening.
     */
    default Optional<CompletableFuture<Void>> listening() {
      return Optional.empty();
    }

    /**
     * A Unix socket that reaches the server's port one hop shorter than its TCP port on the host
     * (the sandbox's private network: the proxy connects here, skipping the host-side bridge);
     * empty when the TCP port is the way in. Meaningful once it listens.
     */
    default Optional<java.nio.file.Path> socket() {
      return Optional.empty();
    }
  }

  /** Starts {@code launch}. */
  Running start(Launch launch) throws IOException;

  /** One sentence for people: what the process sees and which network it has. */
  String describe();
}
