package dev.threadbare.deploy;

import dev.threadbare.deploy.internal.SocketBridge;
import dev.threadbare.sandbox.Limits;
import dev.threadbare.sandbox.NetworkMode;
import dev.threadbare.sandbox.Sandbox;
import dev.threadbare.sandbox.SandboxResult;
import dev.threadbare.sandbox.SandboxSpec;
import dev.threadbare.sandbox.SandboxedProcess;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs deployments in the CI runner's sandbox (bubblewrap): the build output mounted at {@code
 * /work} is the only writable tree, a private {@code /tmp}, {@code /usr} and {@code /etc}
 * read-only, nothing else of the host (not the data directory, other deployments or the server's
 * secrets), its own PID namespace, the environment scrubbed to {@code PORT}, {@code DATABASE_URL}
 * and the sandbox's few, limits on memory, processes, CPU, disk and log.
 *
 * <p>Network: a build has none. A server gets a network namespace of its own with only a loopback
 * interface: it listens on {@code $PORT} inside, and the only ways across are two Unix sockets in
 * {@value #NET_DIR} of its directory, bridged by socat inside and {@link SocketBridge} outside —
 * the proxy's connections in to {@code $PORT}, and its connections to {@code 127.0.0.1:<wire port>}
 * out to the db layer ({@code DATABASE_URL} names loopback). The server's HTTP port, other
 * deployments' ports and the outside are unreachable. Without {@code /usr/bin/socat} servers share
 * the host's network (logged). Thread safe.
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

  /** The directory in a deployment's build output that holds its two Unix sockets. */
  public static final String NET_DIR = ".threadbare-net";

  private static final Logger log = LoggerFactory.getLogger(SandboxLauncher.class);
  private static final Path SOCAT = Path.of("/usr/bin/socat");
  private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

  private final Sandbox sandbox;
  private final Limits runLimits;
  private final Limits buildLimits;
  private final boolean privateNetwork;

  public SandboxLauncher(Sandbox sandbox) {
    this(sandbox, RUN_LIMITS, Limits.defaults());
  }

  public SandboxLauncher(Sandbox sandbox, Limits runLimits, Limits buildLimits) {
    this.sandbox = sandbox;
    this.runLimits = runLimits;
    this.buildLimits = buildLimits;
    this.privateNetwork = Files.isExecutable(SOCAT);
    if (!privateNetwork) {
      log.warn("{} is missing (Debian package socat): deployments share the host's network", SOCAT);
    }
  }

  @Override
  public Running start(Launch launch) throws IOException {
    if (launch.listenPort() == 0) {
      SandboxedProcess build =
          sandbox.start(
              SandboxSpec.shell(launch.workDir(), launch.log(), launch.command())
                  .env(launch.env())
                  .limits(buildLimits)
                  .network(NetworkMode.none())
                  .build());
      return running(build, List.of());
    }
    if (!privateNetwork) {
      return running(
          sandbox.start(
              SandboxSpec.shell(launch.workDir(), launch.log(), launch.command())
                  .env(launch.env())
                  .limits(runLimits)
                  .network(NetworkMode.host())
                  .build()),
          List.of());
    }
    return startInPrivateNetwork(launch);
  }

  /**
   * A server in its own network namespace (loopback only). Inside, socat bridges the Unix socket
   * {@code .threadbare-net/app.sock} to {@code 127.0.0.1:$PORT} once the app listens, and {@code
   * 127.0.0.1:<wire port>} to {@code .threadbare-net/db.sock}; outside, {@link SocketBridge}s join
   * the host's {@code 127.0.0.1:$PORT} (where the proxy connects) to the first and the second to
   * the db layer's wire port. Nothing else crosses.
   */
  private Running startInPrivateNetwork(Launch launch) throws IOException {
    Path net = launch.workDir().resolve(NET_DIR);
    Files.createDirectories(net);
    // The sandbox user makes app.sock here; only this deployment's sandbox sees the directory.
    Files.setPosixFilePermissions(net, PosixFilePermissions.fromString("rwxrwxrwx"));
    // A Unix socket's path is limited to 107 bytes and the data directory may be deep: the host
    // reaches the two sockets through a short link in the temporary directory.
    Path shortcut =
        Path.of(System.getProperty("java.io.tmpdir"))
            .resolve("tb-net-" + Long.toHexString(RANDOM.nextLong() >>> 1));
    Files.createSymbolicLink(shortcut, net.toAbsolutePath());
    Path appSocket = shortcut.resolve("app.sock");
    Files.deleteIfExists(appSocket);
    List<SocketBridge> bridges = new ArrayList<>();
    Map<String, String> env = new HashMap<>(launch.env());
    String inside = "/work/" + NET_DIR;
    StringBuilder script = new StringBuilder("set -u\n");
    String databaseUrl = env.get("DATABASE_URL");
    if (databaseUrl != null) {
      URI db = URI.create(databaseUrl);
      try {
        bridges.add(
            SocketBridge.unixToTcp(shortcut.resolve("db.sock"), db.getHost(), db.getPort()));
      } catch (IOException | RuntimeException e) {
        Files.deleteIfExists(shortcut);
        throw e;
      }
      env.put("DATABASE_URL", databaseUrl.replace("@" + db.getHost() + ":", "@127.0.0.1:"));
      script.append(
          "socat TCP-LISTEN:%d,bind=127.0.0.1,reuseaddr,fork UNIX-CONNECT:%s/db.sock &\n"
              .formatted(db.getPort(), inside));
    }
    script
        .append("sh -c '")
        .append(launch.command().replace("'", "'\\''"))
        .append("' &\n")
        .append("app=$!\n")
        .append("until socat -u OPEN:/dev/null TCP:127.0.0.1:$PORT 2>/dev/null; do\n")
        .append("  kill -0 $app 2>/dev/null || { wait $app; exit $?; }\n")
        .append("  sleep 0.02\n")
        .append("done\n")
        .append(
            "socat UNIX-LISTEN:%s/app.sock,fork,mode=777 TCP:127.0.0.1:$PORT &\n".formatted(inside))
        .append("wait $app\n");
    SandboxedProcess process;
    try {
      process =
          sandbox.start(
              SandboxSpec.shell(launch.workDir(), launch.log(), script.toString())
                  .env(env)
                  .limits(runLimits)
                  .network(NetworkMode.none())
                  .build());
    } catch (RuntimeException e) {
      bridges.forEach(SocketBridge::close);
      Files.deleteIfExists(shortcut);
      throw e;
    }
    // The proxy's port opens once the app listens inside (app.sock appears): until then a
    // connection is refused, which is how the deployer knows the app is not up yet.
    List<SocketBridge> owned = java.util.Collections.synchronizedList(bridges);
    Thread.ofVirtual()
        .name("bridge-wait-" + launch.listenPort())
        .start(
            () -> {
              while (!process.onExit().isDone()) {
                if (Files.exists(appSocket)) {
                  try {
                    owned.add(SocketBridge.tcpToUnix(launch.listenPort(), appSocket));
                  } catch (IOException e) {
                    log.warn(
                        "cannot open port {} for {}: {}", launch.listenPort(), net, e.toString());
                  }
                  return;
                }
                try {
                  Thread.sleep(10);
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
    CompletableFuture<?> unused =
        process
            .onExit()
            .whenComplete(
                (r, e) -> {
                  closeAll(owned);
                  try {
                    Files.deleteIfExists(shortcut);
                  } catch (IOException failed) {
                    log.debug("cannot remove {}: {}", shortcut, failed.toString());
                  }
                });
    return running(process, owned);
  }

  private static void closeAll(List<SocketBridge> bridges) {
    synchronized (bridges) {
      bridges.forEach(SocketBridge::close);
    }
  }

  private Running running(SandboxedProcess process, List<SocketBridge> bridges) {
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
        closeAll(bridges);
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
        + "); builds without network, "
        + (privateNetwork
            ? "servers in a private network namespace (only $PORT in, the db port out)"
            : "servers on the host network (not isolated: no socat)");
  }
}
