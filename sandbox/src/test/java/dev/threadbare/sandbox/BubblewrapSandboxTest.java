package dev.threadbare.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadbare.sandbox.SandboxResult.Outcome;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sandbox against real bubblewrap, attacked the way a hostile test suite would: each attack
 * must fail inside while this JVM stays healthy and nothing the run started outlives it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BubblewrapSandboxTest {

  @TempDir static Path root;
  static Sandbox sandbox;
  static ServerSocket server;
  static final AtomicInteger accepted = new AtomicInteger();

  Path work;
  Path logFile;

  @BeforeAll
  static void start() throws IOException {
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
    sandbox = Sandboxes.bubblewrap(root.resolve("scratch"));
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofVirtual()
        .start(
            () -> {
              while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                  accepted.incrementAndGet();
                  s.shutdownOutput();
                } catch (IOException e) {
                  return;
                }
              }
            });
  }

  @AfterAll
  static void stop() throws IOException {
    if (server != null) {
      server.close();
    }
  }

  @BeforeEach
  void newWorkDir() throws IOException {
    Path base = Files.createTempDirectory(root, "run");
    Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwx--x--x"));
    work = Files.createDirectory(base.resolve("work"));
    logFile = base.resolve("log.txt");
  }

  private SandboxResult run(String script) throws InterruptedException {
    return run(script, Limits.defaults().withWallTimeout(Duration.ofSeconds(60)));
  }

  private SandboxResult run(String script, Limits limits) throws InterruptedException {
    return sandbox.start(SandboxSpec.shell(work, logFile, script).limits(limits).build()).await();
  }

  private String log() throws IOException {
    return Files.readString(logFile, StandardCharsets.UTF_8);
  }

  @Test
  void runsInTheWorkDirectoryAndReportsTheExitStatus() throws Exception {
    Files.writeString(work.resolve("input.txt"), "from the host\n");
    SandboxResult result = run("pwd; cat input.txt; echo made > output.txt; exit 3");
    assertThat(result.outcome()).isEqualTo(Outcome.EXITED);
    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(log()).isEqualTo("/work\nfrom the host\n");
    assertThat(work.resolve("output.txt")).hasContent("made");
    assertThat(result.logBytes()).isEqualTo(log().length());
  }

  @Test
  void theEnvironmentIsTheAllowListOnly() throws Exception {
    SandboxSpec spec = SandboxSpec.shell(work, logFile, "env | sort").env("CI", "true").build();
    assertThat(sandbox.start(spec).await().succeeded()).isTrue();
    assertThat(log().lines().sorted().toList())
        .containsExactly(
            "CI=true",
            "HOME=/work",
            "LANG=C.UTF-8",
            "PATH=/usr/local/bin:/usr/bin:/bin",
            "PWD=/work",
            "TMPDIR=/tmp");
  }

  @Test
  void theSystemIsReadOnlyAndTheHostInvisible() throws Exception {
    Path dataDir = Files.createDirectories(root.resolve("data"));
    Files.writeString(dataDir.resolve("workspace.db"), "secret tokens");
    SandboxResult result =
        run(
            "touch /usr/pwned 2>&1 || echo usr-ro; touch /etc/pwned 2>&1 || echo etc-ro;"
                + " cat "
                + dataDir.resolve("workspace.db")
                + " 2>&1 || echo no-data; ls /root /home /work/.. 2>&1; cat /etc/shadow 2>&1 || echo no-shadow");
    assertThat(result.exitCode()).isZero();
    assertThat(log())
        .contains("usr-ro", "etc-ro", "no-data", "no-shadow")
        .doesNotContain("secret tokens");
    assertThat(Files.exists(Path.of("/usr/pwned"))).isFalse();
  }

  @Test
  void noNetworkReachesTheHost() throws Exception {
    int port = server.getLocalPort();
    String connect =
        "python3 -c \"import socket; s=socket.create_connection(('127.0.0.1', "
            + port
            + "), timeout=5); print('connected')\"";
    int before = accepted.get();
    SandboxResult result = run(connect + " 2>&1; echo exit=$?");
    assertThat(log()).doesNotContain("connected").contains("exit=1");
    assertThat(result.exitCode()).isZero();
    assertThat(accepted.get()).isEqualTo(before);

    // The same attempt with the host's network gets through: the test above can fail.
    SandboxSpec shared =
        SandboxSpec.shell(work, logFile, connect).network(NetworkMode.host()).build();
    assertThat(sandbox.start(shared).await().succeeded()).isTrue();
    assertThat(log()).contains("connected");
  }

  @Test
  void procShowsOnlyTheRunsOwnProcesses() throws Exception {
    SandboxResult result =
        run("ls /proc | grep -c '^[0-9]'; cat /proc/[0-9]*/cmdline | tr '\\0' ' '; echo");
    assertThat(result.succeeded()).isTrue();
    List<String> lines = log().lines().toList();
    assertThat(Integer.parseInt(lines.get(0))).isLessThanOrEqualTo(5);
    assertThat(log()).doesNotContain("java").doesNotContain("surefire");
  }

  @Test
  void aForkBombHitsTheProcessLimit() throws Exception {
    SandboxResult result =
        run(
            "bomb() { bomb | bomb & }; bomb; sleep 20",
            Limits.defaults().withProcesses(64).withWallTimeout(Duration.ofSeconds(30)));
    assertThat(result.outcome()).isEqualTo(Outcome.LIMIT_EXCEEDED);
    // With cgroups the pids group names the limit; with rlimits alone forks fail until the timeout.
    assertThat(result.limit()).isEqualTo(cgroups() ? Limit.PROCESSES : Limit.WALL_TIME);
    assertThat(result.detail()).contains("limit");
    assertNothingLeftOf("bomb");
    // The JVM still forks and works.
    assertThat(run("echo alive").succeeded()).isTrue();
  }

  @Test
  void fillingTmpHitsTheDiskLimit() throws Exception {
    Limits limits = Limits.defaults().withDiskBytes(20L << 20);
    SandboxResult one = run("head -c 100000000 /dev/zero > /tmp/big; echo after", limits);
    assertThat(one.outcome()).isEqualTo(Outcome.LIMIT_EXCEEDED);
    assertThat(one.limit()).isEqualTo(Limit.DISK);
    assertThat(log()).contains("exceeded the disk limit (20 MiB)");

    // Many files each under the limit: the watcher sums them.
    SandboxResult many =
        run("i=0; while :; do head -c 4000000 /dev/zero > /tmp/f$i; i=$((i+1)); done", limits);
    assertThat(many.limit()).isEqualTo(Limit.DISK);
  }

  @Test
  void aHugeLogIsCutAtTheLogLimit() throws Exception {
    SandboxResult result = run("yes tb-log-flood-4247", Limits.defaults().withLogBytes(1 << 20));
    assertThat(result.limit()).isEqualTo(Limit.LOG);
    assertThat(result.logBytes()).isEqualTo(1 << 20);
    assertThat(Files.size(logFile)).isLessThan((1 << 20) + 200);
    assertThat(log())
        .endsWith("[sandbox] exceeded the log size limit (1 MiB): the run was stopped\n");
    assertNothingLeftOf("tb-log-flood-4247");
  }

  @Test
  void theWallTimeoutStopsTheRunAndEverythingItStarted() throws Exception {
    SandboxResult result =
        run(
            "(setsid sleep 4242 &); nohup sleep 4243 >/dev/null 2>&1 & echo started; sleep 4244",
            Limits.defaults().withWallTimeout(Duration.ofSeconds(2)));
    assertThat(result.limit()).isEqualTo(Limit.WALL_TIME);
    assertThat(result.detail()).isEqualTo("exceeded the timeout limit (2s): the run was stopped");
    assertThat(result.elapsed()).isLessThan(Duration.ofSeconds(10));
    assertNothingLeftOf("sleep 424");
  }

  @Test
  void aDaemonDoesNotOutliveARunThatExits() throws Exception {
    SandboxResult result = run("(setsid sleep 4245 &); echo bye");
    assertThat(result.succeeded()).isTrue();
    assertNothingLeftOf("sleep 4245");
  }

  @Test
  void memoryBeyondTheLimitEndsTheRun() throws Exception {
    SandboxResult result =
        run(
            "python3 -c \"b = b'x' * (400 * 1024 * 1024); print('allocated', len(b))\"",
            Limits.defaults().withMemoryBytes(256L << 20));
    assertThat(log()).doesNotContain("allocated");
    assertThat(result.succeeded()).isFalse();
    if (cgroups()) {
      assertThat(result.limit()).isEqualTo(Limit.MEMORY);
      assertThat(result.detail())
          .isEqualTo("exceeded the memory limit (256 MiB): the run was stopped");
    } else {
      assertThat(log()).contains("MemoryError");
    }
  }

  @Test
  void cpuTimeIsLimited() throws Exception {
    SandboxResult result =
        run("while :; do :; done", Limits.defaults().withCpuTime(Duration.ofSeconds(1)));
    assertThat(result.limit()).isEqualTo(Limit.CPU_TIME);
    assertThat(result.detail()).contains("CPU time limit (1s)");
  }

  @Test
  void cancelStopsTheRun() throws Exception {
    SandboxedProcess process =
        sandbox.start(SandboxSpec.shell(work, logFile, "echo waiting; sleep 4246").build());
    while (process.logBytes() == 0) {
      Thread.sleep(10);
    }
    process.cancel("superseded by abc123");
    SandboxResult result = process.await();
    assertThat(result.outcome()).isEqualTo(Outcome.CANCELLED);
    assertThat(result.detail()).isEqualTo("superseded by abc123");
    assertNothingLeftOf("sleep 4246");
  }

  private static boolean cgroups() {
    return sandbox.describe().contains("cgroup v1");
  }

  private static void assertNothingLeftOf(String commandLine) throws IOException {
    // Every process of the host whose command line holds the marker: none may remain.
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    List<String> left;
    do {
      left = processesMatching(commandLine);
    } while (!left.isEmpty() && System.nanoTime() < deadline);
    assertThat(left).as("processes left behind").isEmpty();
  }

  private static List<String> processesMatching(String marker) {
    return ProcessHandle.allProcesses()
        .filter(p -> p.pid() != ProcessHandle.current().pid())
        .map(p -> p.info().commandLine().orElse(""))
        .filter(c -> c.contains(marker) && !c.contains("bwrap") && !c.contains("/bin/sh -c"))
        .toList();
  }
}
