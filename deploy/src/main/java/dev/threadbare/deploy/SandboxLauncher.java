package dev.threadbare.deploy;

import dev.threadbare.sandbox.Limits;
import dev.threadbare.sandbox.NetworkMode;
import dev.threadbare.sandbox.Sandbox;
import dev.threadbare.sandbox.SandboxResult;
import dev.threadbare.sandbox.SandboxSpec;
import dev.threadbare.sandbox.SandboxedProcess;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Runs deployments in the CI runner's sandbox (bubblewrap): the build output mounted at {@code
 * /work} is the only writable tree, a private {@code /tmp}, {@code /usr} and {@code /etc}
 * read-only, nothing else of the host (not the data directory, other deployments or the server's
 * secrets), its own PID namespace, the environment scrubbed to {@code PORT}, {@code DATABASE_URL}
 * and the sandbox's few, limits on memory, processes, CPU, disk and log.
 *
 * <p>Network: the host's network namespace, shared ({@link NetworkMode#host()}), because the app
 * must listen on {@code $PORT} where the proxy reaches it and reach the db layer's wire port. So it
 * is not network-isolated: it can connect to any port on the host (the server's HTTP port, whose
 * API needs tokens it does not have; the wire port, where its credentials reach its own database
 * only) and beyond. A private network namespace with a forwarded port is future work. Thread safe.
 */
public final class SandboxLauncher implements Launcher {

  /** Limits of a running deployment: 256 MiB, 128 processes, no practical wall time. */
  public static final Limits RUN_LIMITS =
      Limits.defaults()
          .withMemoryBytes(256L * 1024 * 1024)
          .withProcesses(128)
          .withCpuTime(Duration.ofHours(24))
          .withLogBytes(16L * 1024 * 1024)
          .withWallTimeout(Duration.ofDays(3650));

  private final Sandbox sandbox;
  private final Limits runLimits;
  private final Limits buildLimits;

  public SandboxLauncher(Sandbox sandbox) {
    this(sandbox, RUN_LIMITS, Limits.defaults());
  }

  public SandboxLauncher(Sandbox sandbox, Limits runLimits, Limits buildLimits) {
    this.sandbox = sandbox;
    this.runLimits = runLimits;
    this.buildLimits = buildLimits;
  }

  @Override
  public Running start(Launch launch) {
    SandboxedProcess process =
        sandbox.start(
            SandboxSpec.shell(launch.workDir(), launch.log(), launch.command())
                .env(launch.env())
                .limits(launch.listenPort() == 0 ? buildLimits : runLimits)
                .network(launch.listenPort() == 0 ? NetworkMode.none() : NetworkMode.host())
                .build());
    return new Running() {
      @Override
      public boolean isAlive() {
        return !process.onExit().isDone();
      }

      @Override
      public CompletableFuture<String> onExit() {
        return process.onExit().thenApply(SandboxLauncher::describe);
      }

      @Override
      public boolean succeeded() {
        return process.onExit().isDone() && process.onExit().join().succeeded();
      }

      @Override
      public void stop() {
        process.cancel("stopped by the deployer");
        try {
          process.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
  }

  private static String describe(SandboxResult r) {
    return switch (r.outcome()) {
      case EXITED -> "exited with code " + r.exitCode();
      case LIMIT_EXCEEDED -> "stopped: " + r.detail();
      case CANCELLED -> "stopped (" + r.detail() + ")";
    };
  }

  @Override
  public String describe() {
    return "sandbox ("
        + sandbox.describe()
        + "); builds without network, servers on the host network (not isolated)";
  }
}
