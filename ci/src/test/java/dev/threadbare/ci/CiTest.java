package dev.threadbare.ci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.threadbare.sandbox.Sandbox;
import dev.threadbare.sandbox.Sandboxes;
import dev.threadbare.testing.TestDatabase;
import dev.threadbare.testing.TestPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The runner against real git repositories, the real sandbox and SQLite / PostgreSQL stores. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CiTest {

  @TempDir static Path shared;
  static Sandbox sandbox;

  @TempDir Path dir;
  Git git;
  final List<CiRun> events = Collections.synchronizedList(new ArrayList<>());
  Ci ci;
  RunStore store;

  @BeforeAll
  static void sandbox() throws IOException {
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwx--x--x"));
    sandbox = Sandboxes.bubblewrap(shared.resolve("scratch"));
  }

  @BeforeEach
  void repo() throws Exception {
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
    git = Git.init().setDirectory(dir.resolve("repo").toFile()).setInitialBranch("main").call();
  }

  @AfterEach
  void close() {
    if (ci != null) {
      ci.close();
    }
    if (store != null) {
      store.close();
    }
    git.close();
  }

  private Ci start(RunStore runStore, int concurrency) {
    store = runStore;
    ci =
        Ci.builder(store, channel -> open(), sandbox, dir.resolve("work"), dir.resolve("logs"))
            .concurrency(concurrency)
            .listener(events::add)
            .build()
            .start();
    return ci;
  }

  private Repository open() throws IOException {
    return Git.open(dir.resolve("repo").toFile()).getRepository();
  }

  private String commit(Map<String, String> files) throws Exception {
    Path tree = dir.resolve("repo");
    for (Map.Entry<String, String> f : files.entrySet()) {
      Path p = tree.resolve(f.getKey());
      Files.createDirectories(p.getParent());
      Files.writeString(p, f.getValue(), StandardCharsets.UTF_8);
    }
    git.add().addFilepattern(".").call();
    RevCommit c = git.commit().setMessage("change").setAllowEmpty(true).call();
    return c.getName();
  }

  private String ciCommit(String test, String timeout) throws Exception {
    return commit(
        Map.of(
            "threadbare.toml",
            "[ci]\ntest = \""
                + test
                + "\"\n"
                + (timeout == null ? "" : "timeout = \"" + timeout + "\"\n")));
  }

  /**
   * The run once final and told to the listeners: they hear of a final status after the store has
   * it, and then it is noted reported.
   */
  private CiRun awaitFinal(long id) throws InterruptedException {
    return await(
        () -> store.get(id).filter(r -> r.status().isFinal() && r.reported()).orElse(null));
  }

  private static <T> T await(Supplier<T> value) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      T v = value.get();
      if (v != null) {
        return v;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("timed out");
  }

  private List<String> finals(long id) {
    synchronized (events) {
      return events.stream()
          .filter(r -> r.id() == id && r.status().isFinal())
          .map(r -> r.status().label())
          .toList();
    }
  }

  @Test
  void passingFailingAndTimingOut() throws Exception {
    start(RunStore.sqlite(dir.resolve("ci.db")), 2);
    commit(Map.of("test.sh", "echo checking; test -f test.sh\n"));
    String pass = ciCommit("sh test.sh", null);
    CiRun passed = ci.submit("C1", "demo", "main", pass, "1.000100").orElseThrow();
    assertThat(passed.status()).isEqualTo(RunStatus.QUEUED);
    assertThat(awaitFinal(passed.id()).status()).isEqualTo(RunStatus.PASSED);
    assertThat(Files.readString(ci.logFile(passed.id()))).isEqualTo("checking\n");

    String fail = ciCommit("echo broken >&2; exit 4", null);
    CiRun failed =
        awaitFinal(ci.submit("C1", "demo", "thread/1.0", fail, "1.2").orElseThrow().id());
    assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
    assertThat(failed.detail()).isEqualTo("failed: exited with status 4");
    assertThat(Files.readString(ci.logFile(failed.id()))).isEqualTo("broken\n");

    String slow = ciCommit("sleep 30", "1s");
    CiRun timedOut = awaitFinal(ci.submit("C1", "demo", "other", slow, null).orElseThrow().id());
    assertThat(timedOut.status()).isEqualTo(RunStatus.ERROR);
    assertThat(timedOut.detail()).isEqualTo("exceeded the timeout limit (1s): the run was stopped");
    assertThat(timedOut.seconds(java.time.Instant.now())).isBetween(0.9, 10.0);

    // Each final status reached the listener exactly once; resubmitting is a no-op.
    assertThat(finals(passed.id())).containsExactly("passed");
    assertThat(finals(failed.id())).containsExactly("failed");
    assertThat(ci.submit("C1", "demo", "main", pass, "1.000100")).isEmpty();
    assertThat(store.list("demo", null, 10))
        .extracting(CiRun::id)
        .containsExactly(timedOut.id(), failed.id(), passed.id());
    assertThat(store.list("C1", "main", 10)).extracting(CiRun::id).containsExactly(passed.id());
  }

  @Test
  void noCiSectionNoRunAndABadFileIsAnError() throws Exception {
    start(RunStore.sqlite(dir.resolve("ci.db")), 1);
    String plain = commit(Map.of("README.md", "hi\n"));
    assertThat(ci.submit("C1", "demo", "main", plain, null)).isEmpty();
    String other = commit(Map.of("threadbare.toml", "[deploy]\nrun = \"x\"\n"));
    assertThat(ci.submit("C1", "demo", "main", other, null)).isEmpty();
    String bad = commit(Map.of("threadbare.toml", "[ci]\ntest = \"true\"\ntimeout = \"soon\"\n"));
    CiRun error = ci.submit("C1", "demo", "main", bad, null).orElseThrow();
    assertThat(error.status()).isEqualTo(RunStatus.ERROR);
    assertThat(error.detail()).contains("timeout `soon` is not a duration");
    assertThat(finals(error.id())).containsExactly("error");
  }

  @Test
  void aNewerCommitCancelsTheOlderRunsOfItsBranch() throws Exception {
    start(RunStore.sqlite(dir.resolve("ci.db")), 1);
    String slow = ciCommit("echo first; sleep 30", null);
    CiRun running = ci.submit("H", "hog", "main", slow, null).orElseThrow();
    await(() -> store.get(running.id()).filter(r -> r.status() == RunStatus.RUNNING).orElse(null));
    // The slot is taken: these two wait, and the newer cancels the older before it starts.
    String second = ciCommit("echo second", null);
    CiRun queued = ci.submit("C1", "demo", "main", second, null).orElseThrow();
    String third = ciCommit("echo third", null);
    CiRun newest = ci.submit("C1", "demo", "main", third, null).orElseThrow();
    CiRun cancelledQueued = awaitFinal(queued.id());
    assertThat(cancelledQueued.status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(cancelledQueued.detail())
        .isEqualTo("cancelled: superseded by " + newest.shortCommit() + " on main");
    assertThat(cancelledQueued.startedAt()).as("a superseded queued run never starts").isNull();
    assertThat(Files.exists(ci.logFile(queued.id()))).isFalse();
    // A run of another branch is not touched.
    CiRun elsewhere = ci.submit("C1", "demo", "thread/9.9", third, null).orElseThrow();

    // A running run is stopped by a newer commit of its branch.
    CiRun replacement = ci.submit("H", "hog", "main", third, null).orElseThrow();
    CiRun cancelledRunning = awaitFinal(running.id());
    assertThat(cancelledRunning.status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(cancelledRunning.detail())
        .isEqualTo("cancelled: superseded by " + replacement.shortCommit() + " on main");
    assertThat(cancelledRunning.seconds(java.time.Instant.now())).isLessThan(20);
    assertThat(awaitFinal(newest.id()).status()).isEqualTo(RunStatus.PASSED);
    assertThat(awaitFinal(elsewhere.id()).status()).isEqualTo(RunStatus.PASSED);
    assertThat(awaitFinal(replacement.id()).status()).isEqualTo(RunStatus.PASSED);
    assertThat(finals(queued.id())).containsExactly("cancelled");
    assertThat(finals(running.id())).containsExactly("cancelled");
  }

  @Test
  void runsAreFairAcrossChannels() throws Exception {
    start(RunStore.sqlite(dir.resolve("ci.db")), 1);
    String slow = ciCommit("sleep 1", null);
    CiRun x1 = ci.submit("X", "x", "main", slow, null).orElseThrow();
    await(() -> store.get(x1.id()).filter(r -> r.status() == RunStatus.RUNNING).orElse(null));
    String quick = ciCommit("true", null);
    CiRun x2 = ci.submit("X", "x", "b2", quick, null).orElseThrow();
    CiRun x3 = ci.submit("X", "x", "b3", quick, null).orElseThrow();
    CiRun y1 = ci.submit("Y", "y", "main", quick, null).orElseThrow();
    List<CiRun> done = new ArrayList<>();
    for (CiRun r : List.of(x1, x2, x3, y1)) {
      done.add(awaitFinal(r.id()));
    }
    done.sort(java.util.Comparator.comparing(CiRun::startedAt));
    assertThat(done).extracting(CiRun::id).containsExactly(x1.id(), y1.id(), x2.id(), x3.id());
  }

  @Test
  void aRunInterruptedByAStopRunsAgainAndIsReportedOnce() throws Exception {
    start(RunStore.sqlite(dir.resolve("ci.db")), 1);
    String c = ciCommit("echo run >> /work/../tmp/x; echo started; sleep 3; echo done", null);
    CiRun run = ci.submit("C1", "demo", "main", c, null).orElseThrow();
    await(() -> store.get(run.id()).filter(r -> r.status() == RunStatus.RUNNING).orElse(null));
    ci.close();
    store.close();
    assertThat(finals(run.id())).isEmpty();

    start(RunStore.sqlite(dir.resolve("ci.db")), 1);
    CiRun again = awaitFinal(run.id());
    assertThat(again.status()).isEqualTo(RunStatus.PASSED);
    assertThat(Files.readString(ci.logFile(run.id()))).isEqualTo("started\ndone\n");
    // The listener hears of the final status after the store has it, then it is noted reported.
    await(() -> store.get(run.id()).filter(CiRun::reported).orElse(null));
    ci.close();
    store.close();
    // A third start reports nothing again.
    start(RunStore.sqlite(dir.resolve("ci.db")), 1);
    Thread.sleep(300);
    assertThat(finals(run.id())).containsExactly("passed");
  }

  /** A clock the test moves. */
  static final class MovableClock extends java.time.Clock {
    private volatile java.time.Instant now = java.time.Instant.now();

    void advance(Duration by) {
      now = now.plus(by);
    }

    @Override
    public java.time.ZoneId getZone() {
      return java.time.ZoneOffset.UTC;
    }

    @Override
    public java.time.Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public java.time.Instant instant() {
      return now;
    }
  }

  @Test
  void oldLogsArePrunedAndEachBranchKeepsItsNewest() throws Exception {
    MovableClock clock = new MovableClock();
    store = RunStore.sqlite(dir.resolve("ci.db"));
    ci =
        Ci.builder(store, channel -> open(), sandbox, dir.resolve("work"), dir.resolve("logs"))
            .concurrency(1)
            .clock(clock)
            .retention(new LogRetention(Duration.ofDays(1), 1))
            .build()
            .start();
    List<CiRun> main = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      CiRun run = ci.submit("C1", "demo", "main", ciCommit("echo main " + i, null), null).get();
      main.add(awaitFinal(run.id()));
    }
    CiRun thread =
        awaitFinal(
            ci.submit("C1", "demo", "thread/1.0", ciCommit("echo thread", null), null).get().id());
    for (CiRun run : List.of(main.get(0), main.get(1), main.get(2), thread)) {
      assertThat(ci.logFile(run.id())).exists();
    }
    // Young logs stay, however many.
    assertThat(ci.pruneLogs()).isZero();

    clock.advance(Duration.ofDays(2));
    assertThat(ci.pruneLogs()).isEqualTo(2);
    assertThat(ci.logFile(main.get(0).id())).doesNotExist();
    assertThat(ci.logFile(main.get(1).id())).doesNotExist();
    assertThat(ci.logFile(main.get(2).id())).as("the newest of main").exists();
    assertThat(ci.logFile(thread.id())).as("the only run of its branch").exists();
    assertThat(store.get(main.get(0).id())).as("the run's record stays").isPresent();
    assertThat(ci.pruneLogs()).isZero();
  }

  @Test
  void theStoreWorksOnPostgresToo() throws Exception {
    TestDatabase db = TestPostgres.newDatabase();
    start(RunStore.postgres(db.jdbcUrl(), db.user(), db.password()), 2);
    String pass = ciCommit("echo pg", null);
    CiRun run = ci.submit("C1", "demo", "main", pass, "5.5").orElseThrow();
    assertThat(awaitFinal(run.id()).status()).isEqualTo(RunStatus.PASSED);
    assertThat(ci.submit("C1", "demo", "main", pass, "5.5")).isEmpty();
    String newer = ciCommit("sleep 20", null);
    CiRun slow = ci.submit("C1", "demo", "main", newer, null).orElseThrow();
    await(() -> store.get(slow.id()).filter(r -> r.status() == RunStatus.RUNNING).orElse(null));
    CiRun newest = ci.submit("C1", "demo", "main", ciCommit("true", null), null).orElseThrow();
    assertThat(awaitFinal(slow.id()).status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(awaitFinal(newest.id()).status()).isEqualTo(RunStatus.PASSED);
    assertThat(store.list("demo", "main", 10)).hasSize(3);
    assertThat(store.prunable(java.time.Instant.now().plusSeconds(60), 1))
        .containsExactly(run.id(), slow.id());
  }

  @Test
  void onASharedStoreOneNodeRunsAndATakeoverRunsTheInterruptedRunOnce() throws Exception {
    TestDatabase db = TestPostgres.newDatabase();
    AtomicBoolean aLeads = new AtomicBoolean(true);
    List<CiRun> aEvents = Collections.synchronizedList(new ArrayList<>());
    List<CiRun> bEvents = Collections.synchronizedList(new ArrayList<>());
    try (RunStore storeA = RunStore.postgres(db.jdbcUrl(), db.user(), db.password());
        RunStore storeB = RunStore.postgres(db.jdbcUrl(), db.user(), db.password());
        Ci a =
            Ci.builder(storeA, c -> open(), sandbox, dir.resolve("work-a"), dir.resolve("logs-a"))
                .concurrency(2)
                .listener(aEvents::add)
                .runWhile(aLeads::get)
                .build()
                .start();
        Ci b =
            Ci.builder(storeB, c -> open(), sandbox, dir.resolve("work-b"), dir.resolve("logs-b"))
                .concurrency(2)
                .listener(bEvents::add)
                .runWhile(() -> !aLeads.get())
                .build()
                .start()) {
      store = storeA;
      // Queued by the follower (its materializer saw the commit first), run by the leader.
      String quick = ciCommit("echo quick", null);
      CiRun q = b.submit("C1", "demo", "main", quick, "1.0").orElseThrow();
      assertThat(a.submit("C1", "demo", "main", quick, "1.0")).as("one record").isEmpty();
      assertThat(awaitFinal(q.id()).status()).isEqualTo(RunStatus.PASSED);
      assertThat(Files.readString(a.logFile(q.id()))).isEqualTo("quick\n");
      assertThat(b.logFile(q.id())).doesNotExist();

      // A newer commit queued by the follower cancels the leader's running run.
      String slow = ciCommit("echo slow; sleep 60", null);
      CiRun s = b.submit("C1", "demo", "main", slow, "2.0").orElseThrow();
      await(() -> store.get(s.id()).filter(r -> r.status() == RunStatus.RUNNING).orElse(null));
      String next = ciCommit("echo first; sleep 15; echo done", null);
      CiRun n = b.submit("C1", "demo", "main", next, "3.0").orElseThrow();
      CiRun cancelled = awaitFinal(s.id());
      assertThat(cancelled.status()).isEqualTo(RunStatus.CANCELLED);
      assertThat(cancelled.detail()).contains("superseded by " + n.shortCommit());

      // The leader goes while the newer run runs: the next leader runs it again, once.
      await(() -> store.get(s.id()).filter(CiRun::reported).orElse(null));
      await(() -> store.get(n.id()).filter(r -> r.status() == RunStatus.RUNNING).orElse(null));
      aLeads.set(false);
      CiRun done = awaitFinal(n.id());
      assertThat(done.status()).isEqualTo(RunStatus.PASSED);
      for (CiRun run : List.of(q, s, n)) {
        // The listeners hear of a final status after the store has it, then it is noted reported.
        await(() -> store.get(run.id()).filter(CiRun::reported).orElse(null));
      }
      assertThat(Files.readString(b.logFile(n.id()))).isEqualTo("first\ndone\n");
      List<CiRun> all = new ArrayList<>(aEvents);
      all.addAll(bEvents);
      for (CiRun run : List.of(q, s, n)) {
        assertThat(all.stream().filter(r -> r.id() == run.id() && r.status().isFinal()))
            .as("final reports of run %d", run.id())
            .hasSize(1);
      }
      assertThat(bEvents.stream().filter(r -> r.id() == n.id() && r.status().isFinal()))
          .as("reported by the node that ran it")
          .hasSize(1);
      assertThat(aEvents)
          .filteredOn(r -> r.status() == RunStatus.RUNNING)
          .extracting(CiRun::id)
          .containsExactly(q.id(), s.id(), n.id());
      store = null;
    }
  }

  @Test
  void configIsParsedStrictly() {
    assertThat(CiConfig.parse("[ci]\ntest = \"make\"\n"))
        .contains(new CiConfig("make", Duration.ofMinutes(10)));
    assertThat(CiConfig.parse("[ci]\ntest = \"make\"\ntimeout = \"90s\"\n"))
        .contains(new CiConfig("make", Duration.ofSeconds(90)));
    assertThat(CiConfig.parse("[lint]\nmax_lines = 3\n")).isEmpty();
    assertThatThrownBy(() -> CiConfig.parse("[ci]\ntest = 3\n"))
        .hasMessageContaining("[ci] test must be a string");
    assertThatThrownBy(() -> CiConfig.parse("[ci]\ntest = \"x\"\ntimeout = \"9h\"\n"))
        .hasMessageContaining("out of range: from 1s to 6h");
    assertThatThrownBy(() -> CiConfig.parse("[ci\n")).hasMessageContaining("is not valid TOML");
  }
}
