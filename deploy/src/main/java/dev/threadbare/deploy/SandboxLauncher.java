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
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
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

  private static final String APP_SOCKET = "app.sock";

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
    this(sandbox, runLimits, buildLimits, Files.isExecutable(SOCAT));
    if (!privateNetwork) {
      log.warn("{} is missing (Debian package socat): deployments share the host's network", SOCAT);
    }
  }

  private SandboxLauncher(
      Sandbox sandbox, Limits runLimits, Limits buildLimits, boolean privateNetwork) {
    this.sandbox = sandbox;
    this.runLimits = runLimits;
    this.buildLimits = buildLimits;
    this.privateNetwork = privateNetwork;
  }

  /**
   * The same sandbox with servers on the host's network (not isolated): the baseline the deploy
   * benchmark measures the private network against.
   */
  static SandboxLauncher onHostNetwork(Sandbox sandbox) {
    return new SandboxLauncher(sandbox, RUN_LIMITS, Limits.defaults(), false);
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
   * A server in its own network namespace (loopback only). Inside, socat listens on the Unix socket
   * {@code .threadbare-net/app.sock} (bridged to {@code 127.0.0.1:$PORT}) before the app starts,
   * and {@code 127.0.0.1:<wire port>} goes to {@code .threadbare-net/db.sock} and on to the db
   * layer. The host learns that the app listens from the kernel's table of the namespace's sockets
   * ({@code /proc/<pid>/net/tcp}, read every millisecond or so: no probe process inside), then
   * opens the {@link SocketBridge} joining its {@code 127.0.0.1:$PORT} (where the proxy connects)
   * to {@code app.sock}. Nothing else crosses.
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
    Path appSocket = shortcut.resolve(APP_SOCKET);
    Files.deleteIfExists(appSocket);
    List<SocketBridge> bridges = new ArrayList<>();
    Map<String, String> env = new HashMap<>(launch.env());
    String databaseUrl = env.get("DATABASE_URL");
    Integer dbPort = null;
    SandboxedProcess process;
    long spawned = System.nanoTime();
    try {
      if (databaseUrl != null) {
        URI db = URI.create(databaseUrl);
        bridges.add(
            SocketBridge.unixToTcp(shortcut.resolve("db.sock"), db.getHost(), db.getPort()));
        env.put("DATABASE_URL", databaseUrl.replace("@" + db.getHost() + ":", "@127.0.0.1:"));
        dbPort = db.getPort();
      }
      process =
          sandbox.start(
              SandboxSpec.shell(
                      launch.workDir(), launch.log(), insideScript(launch.command(), dbPort))
                  .env(env)
                  .limits(runLimits)
                  .network(NetworkMode.none())
                  .build());
    } catch (IOException | RuntimeException e) {
      bridges.forEach(SocketBridge::close);
      Files.deleteIfExists(shortcut);
      throw e;
    }
    List<SocketBridge> owned = java.util.Collections.synchronizedList(bridges);
    CompletableFuture<Void> listening = new CompletableFuture<>();
    // The proxy's port opens once the app listens inside: until then a connection is refused,
    // which is how a caller polling the port (prod) knows it is not up yet.
    Thread.ofVirtual()
        .name("bridge-wait-" + launch.listenPort())
        .start(
            () -> {
              try {
                if (!awaitListen(process, launch.listenPort(), appSocket)) {
                  return;
                }
                long seen = System.nanoTime();
                owned.add(SocketBridge.tcpToUnix(launch.listenPort(), appSocket));
                log.debug(
                    "port {} of {}: listening {} ms after the spawn, bridged in {} ms",
                    launch.listenPort(),
                    net,
                    (seen - spawned) / 1_000_000,
                    (System.nanoTime() - seen) / 1_000_000);
                listening.complete(null);
              } catch (IOException | RuntimeException e) {
                log.warn("cannot open port {} for {}: {}", launch.listenPort(), net, e.toString());
                listening.completeExceptionally(e);
              } catch (InterruptedException e) {
                listening.completeExceptionally(e);
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
    return running(process, owned, listening, appSocket);
  }

  /** The script run in the sandbox: the bridges up first, then the app in the script's place. */
  static String insideScript(String command, Integer dbPort) {
    String inside = "/work/" + NET_DIR;
    StringBuilder script = new StringBuilder("set -u\n");
    if (dbPort != null) {
      script.append(
          "socat TCP-LISTEN:%d,bind=127.0.0.1,reuseaddr,fork,backlog=1024 UNIX-CONNECT:%s/db.sock &\n"
              .formatted(dbPort, inside));
    }
    // socat's listen backlog is 5 by default, and a Unix socket refuses a connect at once when its
    // backlog is full: a proxy opening tens of connections together got 502s.
    return script
        .append(
            "socat UNIX-LISTEN:%s/%s,fork,mode=777,backlog=1024 TCP:127.0.0.1:$PORT &\n"
                .formatted(inside, APP_SOCKET))
        .append("exec sh -c '")
        .append(command.replace("'", "'\\''"))
        .append("'\n")
        .toString();
  }

  /**
   * Waits until the app listens on {@code port} in the run's network namespace (and the inside
   * bridge on {@code socket}); false when the run ended first. Reading the namespace's socket table
   * costs some microseconds, so the first checks come every millisecond.
   */
  private static boolean awaitListen(SandboxedProcess process, int port, Path socket)
      throws InterruptedException {
    String hexPort = String.format(Locale.ROOT, ":%04X", port);
    long began = System.nanoTime();
    OptionalLong pid = OptionalLong.empty();
    while (!process.onExit().isDone()) {
      if (pid.isEmpty()) {
        pid = process.insidePid();
      }
      if (pid.isPresent()
          && listens(Path.of("/proc", Long.toString(pid.getAsLong()), "net"), hexPort)
          && Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
        return true;
      }
      long waited = System.nanoTime() - began;
      Thread.sleep(waited < 200_000_000L ? 1 : waited < 2_000_000_000L ? 2 : 10);
    }
    return false;
  }

  /** Whether {@code net/tcp} or {@code net/tcp6} shows a listening socket on {@code hexPort}. */
  static boolean listens(Path net, String hexPort) {
    for (String table : List.of("tcp", "tcp6")) {
      try (java.io.BufferedReader lines = Files.newBufferedReader(net.resolve(table))) {
        String line = lines.readLine(); // the header
        while ((line = lines.readLine()) != null) {
          // "  0: 0100007F:1F90 00000000:0000 0A ...": local address, remote address, state
          String[] fields = line.trim().split("\\s+", 5);
          if (fields.length > 3 && fields[1].endsWith(hexPort) && fields[3].equals("0A")) {
            return true;
          }
        }
      } catch (IOException e) {
        // gone (the run ended) or no IPv6
      }
    }
    return false;
  }

  private static void closeAll(List<SocketBridge> bridges) {
    synchronized (bridges) {
      bridges.forEach(SocketBridge::close);
    }
  }

  private Running running(SandboxedProcess process, List<SocketBridge> bridges) {
    return running(process, bridges, null, null);
  }

  private Running running(
      SandboxedProcess process,
      List<SocketBridge> bridges,
      CompletableFuture<Void> listening,
      Path socket) {
    return new Running() {
      @Override
      public Optional<CompletableFuture<Void>> listening() {
        return Optional.ofNullable(listening);
      }

      @Override
      public Optional<Path> socket() {
        return Optional.ofNullable(socket);
      }

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
