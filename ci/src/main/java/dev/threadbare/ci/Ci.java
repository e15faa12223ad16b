package dev.threadbare.ci;

import dev.threadbare.sandbox.Limits;
import dev.threadbare.sandbox.Sandbox;
import dev.threadbare.sandbox.SandboxResult;
import dev.threadbare.sandbox.SandboxSpec;
import dev.threadbare.sandbox.SandboxedProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CI runner: the entry point of this module.
 *
 * <pre>{@code
 * Ci ci = Ci.builder(RunStore.sqlite(dir.resolve("ci.db")), store::repository, sandbox,
 *         workRoot, dir.resolve("ci/logs"))
 *     .listener(run -> ...)      // queued, running, and each final status exactly once
 *     .build().start();
 * ci.submit(channel, channelName, "main", commitId, messageTs);
 * }</pre>
 *
 * <p>{@link #submit} records a run when the commit's tree has {@code threadbare.toml} with {@code
 * [ci] test}, and cancels the older live runs of the same branch (a queued one never starts; a
 * running one is stopped). Runs are dispatched fairly across channels — the channel served least
 * recently goes first — with at most {@code concurrency} at once. Each runs in a fresh checkout of
 * its commit, in the sandbox, its output in a bounded log. A run that was running when the process
 * died runs again at the next {@link #start}; a final status is handed to the listener until the
 * store notes it was, so a crash can repeat a report but never lose one (the chat side dedupes by
 * run). Thread safe.
 */
public final class Ci implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Ci.class);

  /** Opens a channel's git repository (the caller closes it). */
  @FunctionalInterface
  public interface Repositories {
    Repository open(String channel) throws IOException;
  }

  /** Told of every change of a run: queued, running, and its final status. */
  @FunctionalInterface
  public interface Listener {
    void changed(CiRun run);
  }

  private final RunStore store;
  private final Repositories repositories;
  private final Sandbox sandbox;
  private final Path workRoot;
  private final Path logDir;
  private final int concurrency;
  private final List<Listener> listeners;
  private final Limits limits;
  private final Clock clock;
  private final LogRetention retention;
  private final Duration settle;
  private final BooleanSupplier runsHere;
  private volatile Instant lastPrune = Instant.EPOCH;

  /** Whether this runner executes runs now (recovered, and {@link #runsHere} holds). */
  private volatile boolean runner;

  /** Runs stopped because this runner stopped running: left running in the store for the next. */
  private final Set<Long> abandoned = ConcurrentHashMap.newKeySet();

  /** The runs executing here, by id. */
  private final Map<Long, CiRun> executing = new ConcurrentHashMap<>();

  /** When the dispatcher first saw each queued run (System.nanoTime), for {@link #settle}. */
  private final Map<Long, Long> firstSeen = new HashMap<>();

  private long settleWaitNanos;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Map<Long, SandboxedProcess> active = new ConcurrentHashMap<>();
  private final Map<Long, String> cancelling = new ConcurrentHashMap<>();
  private final Map<String, Long> lastServed = new HashMap<>();
  private long dispatches;
  private int runningCount;
  private volatile boolean closed;
  private Thread dispatcher;

  private Ci(Builder b) {
    this.store = b.store;
    this.repositories = b.repositories;
    this.sandbox = b.sandbox;
    this.workRoot = b.workRoot;
    this.logDir = b.logDir;
    this.concurrency = b.concurrency;
    this.listeners = List.copyOf(b.listeners);
    this.limits = b.limits;
    this.clock = b.clock;
    this.retention = b.retention;
    this.settle = b.settle;
    this.runsHere = b.runsHere;
  }

  /** How long a queued run settles before it may start, by default: 250 ms. */
  public static final Duration DEFAULT_SETTLE = Duration.ofMillis(250);

  /** A runner over {@code store}; see the class comment. */
  public static Builder builder(
      RunStore store, Repositories repositories, Sandbox sandbox, Path workRoot, Path logDir) {
    return new Builder(store, repositories, sandbox, workRoot, logDir);
  }

  /** Options of {@link Ci}. */
  public static final class Builder {
    private final RunStore store;
    private final Repositories repositories;
    private final Sandbox sandbox;
    private final Path workRoot;
    private final Path logDir;
    private int concurrency = Runtime.getRuntime().availableProcessors();
    private final List<Listener> listeners = new ArrayList<>();
    private Limits limits = Limits.defaults();
    private Clock clock = Clock.systemUTC();
    private LogRetention retention = LogRetention.DEFAULT;
    private Duration settle = DEFAULT_SETTLE;
    private BooleanSupplier runsHere = () -> true;

    private Builder(
        RunStore store, Repositories repositories, Sandbox sandbox, Path workRoot, Path logDir) {
      this.store = Objects.requireNonNull(store, "store");
      this.repositories = Objects.requireNonNull(repositories, "repositories");
      this.sandbox = Objects.requireNonNull(sandbox, "sandbox");
      this.workRoot = Objects.requireNonNull(workRoot, "workRoot").toAbsolutePath();
      this.logDir = Objects.requireNonNull(logDir, "logDir").toAbsolutePath();
    }

    /** Runs at once at most (default: the core count). */
    public Builder concurrency(int value) {
      if (value < 1) {
        throw new IllegalArgumentException("concurrency " + value + " must be at least 1");
      }
      this.concurrency = value;
      return this;
    }

    public Builder listener(Listener value) {
      listeners.add(Objects.requireNonNull(value, "listener"));
      return this;
    }

    /** The sandbox limits of a run; its timeout comes from {@code [ci] timeout}. */
    public Builder limits(Limits value) {
      this.limits = Objects.requireNonNull(value, "limits");
      return this;
    }

    /**
     * How long a queued run waits before it may start (default {@link #DEFAULT_SETTLE}): a burst of
     * commits on a branch then cancels its older runs before they start, not after.
     */
    public Builder settle(Duration value) {
      if (value == null || value.isNegative()) {
        throw new IllegalArgumentException("settle " + value + " must be zero or more");
      }
      this.settle = value;
      return this;
    }

    /** Which logs are kept (default {@link LogRetention#DEFAULT}). */
    public Builder retention(LogRetention value) {
      this.retention = Objects.requireNonNull(value, "retention");
      return this;
    }

    /**
     * Executes runs only while {@code value} holds (default: always), as on the leader of several
     * nodes sharing one PostgreSQL store: every node may {@link #submit}, one runs. When it comes
     * to hold, the runner recovers (requeues what was running, since its runner is gone; reports
     * what was not reported); when it stops holding, the runs executing here are stopped and left
     * running in the store, for the next runner to run again.
     */
    public Builder runWhile(BooleanSupplier value) {
      this.runsHere = Objects.requireNonNull(value, "runWhile");
      return this;
    }

    public Builder clock(Clock value) {
      this.clock = Objects.requireNonNull(value, "clock");
      return this;
    }

    public Ci build() {
      return new Ci(this);
    }
  }

  /** Recovers from a crash (requeues running runs, reports unreported ones) and starts running. */
  public Ci start() {
    try {
      Files.createDirectories(workRoot);
      Files.setPosixFilePermissions(workRoot, PosixFilePermissions.fromString("rwx--x--x"));
      Files.createDirectories(logDir);
    } catch (IOException e) {
      throw new CiException("cannot create the CI directories " + workRoot + ", " + logDir, e);
    }
    if (runsHere.getAsBoolean()) {
      recover();
    }
    dispatcher = Thread.ofPlatform().name("ci-dispatcher").daemon().start(this::dispatch);
    return this;
  }

  /** Becomes the runner: what was running runs again, what was not reported is reported. */
  private void recover() {
    int requeued = store.requeueRunning();
    if (requeued > 0) {
      log.info("CI: {} run(s) interrupted by a stop run again", requeued);
    }
    for (CiRun run : store.unreported()) {
      report(run);
    }
    pruneLogs();
    runner = true;
  }

  /** Stops being the runner: the runs executing here stop and stay running in the store. */
  private void stepDown() {
    runner = false;
    log.info(
        "CI: this node stops running CI; {} run(s) are left to the next runner", active.size());
    for (Map.Entry<Long, SandboxedProcess> run : active.entrySet()) {
      abandoned.add(run.getKey());
      run.getValue().cancel("cancelled: this node no longer runs CI");
    }
  }

  /**
   * Cancels the runs executing here that a newer commit of their branch superseded where this
   * runner did not see it: submitted on another node sharing the store.
   */
  private void cancelSuperseded() {
    for (CiRun run : executing.values()) {
      if (cancelling.containsKey(run.id())) {
        continue;
      }
      List<CiRun> newest = store.list(run.channel(), run.ref(), 1);
      if (!newest.isEmpty() && newest.get(0).id() > run.id()) {
        CiRun newer = newest.get(0);
        String reason = "cancelled: superseded by " + newer.shortCommit() + " on " + newer.ref();
        cancelling.put(run.id(), reason);
        SandboxedProcess process = active.get(run.id());
        if (process != null) {
          process.cancel(reason);
        }
      }
    }
  }

  /** The store this runner records in. */
  public RunStore store() {
    return store;
  }

  /** Which logs this runner keeps. */
  public LogRetention retention() {
    return retention;
  }

  /** The log of run {@code id} (it may not exist yet). */
  public Path logFile(long id) {
    return logDir.resolve(id + ".log");
  }

  /** Runs waiting for a slot. */
  public long queueDepth() {
    return store.count(RunStatus.QUEUED);
  }

  /** Runs executing now. */
  public int running() {
    lock.lock();
    try {
      return runningCount;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Queues a run of {@code commit} on {@code ref} if its tree configures {@code [ci] test}, and
   * cancels the older live runs of that branch. Idempotent per channel, branch and commit.
   *
   * @return the new run, or empty when the commit has no CI or was submitted before
   */
  public Optional<CiRun> submit(
      String channel, String channelName, String ref, String commit, String messageTs) {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(commit, "commit");
    String name = channelName == null ? channel : channelName;
    RunStore.NewRun run;
    try {
      Optional<String> toml = readConfig(channel, commit);
      if (toml.isEmpty()) {
        return Optional.empty();
      }
      Optional<CiConfig> config = CiConfig.parse(toml.get());
      if (config.isEmpty()) {
        return Optional.empty();
      }
      run =
          new RunStore.NewRun(
              channel,
              name,
              ref,
              commit,
              messageTs,
              config.get().test(),
              config.get().timeout(),
              RunStatus.QUEUED,
              "queued");
    } catch (CiConfigException e) {
      run =
          new RunStore.NewRun(
              channel,
              name,
              ref,
              commit,
              messageTs,
              "",
              Duration.ZERO,
              RunStatus.ERROR,
              e.getMessage());
    }
    Optional<CiRun> stored = store.insert(run, clock.instant());
    if (stored.isEmpty()) {
      return Optional.empty();
    }
    CiRun fresh = stored.get();
    supersede(fresh);
    if (fresh.status().isFinal()) {
      report(fresh);
    } else {
      tell(fresh);
      wake();
    }
    return stored;
  }

  private void supersede(CiRun newer) {
    String reason = "cancelled: superseded by " + newer.shortCommit() + " on " + newer.ref();
    for (CiRun older : store.live(newer.channel(), newer.ref(), newer.id())) {
      if (older.id() > newer.id()) {
        continue;
      }
      if (older.status() == RunStatus.QUEUED
          && store.finish(older.id(), RunStatus.CANCELLED, reason, clock.instant())) {
        store.get(older.id()).ifPresent(this::report);
        continue;
      }
      cancelling.put(older.id(), reason);
      SandboxedProcess process = active.get(older.id());
      if (process != null) {
        process.cancel(reason);
      }
    }
  }

  private Optional<String> readConfig(String channel, String commit) {
    try (Repository repo = repositories.open(channel);
        RevWalk walk = new RevWalk(repo)) {
      RevCommit c = walk.parseCommit(ObjectId.fromString(commit));
      try (TreeWalk tw = TreeWalk.forPath(repo, CiConfig.FILE, c.getTree())) {
        if (tw == null || !tw.getFileMode(0).equals(FileMode.REGULAR_FILE)) {
          return Optional.empty();
        }
        byte[] bytes = repo.open(tw.getObjectId(0), Constants.OBJ_BLOB).getCachedBytes(1 << 20);
        return Optional.of(new String(bytes, StandardCharsets.UTF_8));
      }
    } catch (MissingObjectException e) {
      throw new CiException("commit " + commit + " is not in channel " + channel, e);
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + CiConfig.FILE + " of " + commit, e);
    }
  }

  private void wake() {
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void dispatch() {
    while (!closed) {
      try {
        boolean may = runsHere.getAsBoolean();
        if (may && !runner) {
          recover();
        } else if (!may && runner) {
          stepDown();
        }
        if (!may) {
          lock.lock();
          try {
            changed.await(500, TimeUnit.MILLISECONDS);
          } finally {
            lock.unlock();
          }
          continue;
        }
        cancelSuperseded();
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        // The store is out of reach, say: try again shortly, not in a busy loop.
        log.error("CI dispatcher", e);
        try {
          Thread.sleep(500);
        } catch (InterruptedException interrupted) {
          return;
        }
        continue;
      }
      if (clock.instant().isAfter(lastPrune.plus(LogRetention.EVERY))) {
        pruneLogs();
      }
      CiRun next = null;
      lock.lock();
      try {
        if (runningCount < concurrency) {
          next = pickFairly();
        }
        if (next == null) {
          long wait = settleWaitNanos > 0 ? settleWaitNanos : TimeUnit.SECONDS.toNanos(1);
          changed.await(Math.min(wait, TimeUnit.SECONDS.toNanos(1)), TimeUnit.NANOSECONDS);
          continue;
        }
        firstSeen.remove(next.id());
        if (!store.markRunning(next.id(), clock.instant())) {
          continue;
        }
        runningCount++;
        lastServed.put(next.channel(), ++dispatches);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        log.error("CI dispatcher", e);
        continue;
      } finally {
        lock.unlock();
      }
      CiRun started = store.get(next.id()).orElse(next);
      executing.put(started.id(), started);
      Thread.ofVirtual().name("ci-run-" + next.id()).start(() -> execute(started));
    }
  }

  /**
   * Deletes the logs {@link LogRetention} no longer keeps (the run's record stays, and its pages
   * say the log was pruned); returns how many were deleted. Runs at start and hourly.
   */
  public int pruneLogs() {
    lastPrune = clock.instant();
    int deleted = 0;
    try {
      for (long id :
          store.prunable(clock.instant().minus(retention.age()), retention.perBranch())) {
        try {
          if (Files.deleteIfExists(logFile(id))) {
            deleted++;
          }
        } catch (IOException e) {
          log.warn("CI: cannot delete the pruned log {}: {}", logFile(id), e.toString());
        }
      }
    } catch (RuntimeException e) {
      log.warn("CI: log pruning failed (the logs stay): {}", e.toString());
    }
    if (deleted > 0) {
      log.info("CI: pruned {} log(s) ({})", deleted, retention);
    }
    return deleted;
  }

  /**
   * The oldest queued run of the channel served least recently, among runs queued for at least
   * {@link #settle}; sets {@link #settleWaitNanos} to when the next one will be.
   */
  private CiRun pickFairly() {
    Map<String, CiRun> firstOfChannel = new java.util.LinkedHashMap<>();
    long now = System.nanoTime();
    long settleNanos = settle.toNanos();
    settleWaitNanos = 0;
    java.util.Set<Long> queued = new java.util.HashSet<>();
    for (CiRun run : store.queued()) {
      queued.add(run.id());
      long waited = now - firstSeen.computeIfAbsent(run.id(), id -> now);
      if (waited < settleNanos) {
        long left = settleNanos - waited;
        settleWaitNanos = settleWaitNanos == 0 ? left : Math.min(settleWaitNanos, left);
        continue;
      }
      if (!firstOfChannel.containsKey(run.channel()) && (here(run) || waited > ARRIVAL.toNanos())) {
        firstOfChannel.put(run.channel(), run);
      }
    }
    firstSeen.keySet().retainAll(queued);
    CiRun best = null;
    long bestServed = Long.MAX_VALUE;
    for (CiRun run : firstOfChannel.values()) {
      long served = lastServed.getOrDefault(run.channel(), -1L);
      if (best == null || served < bestServed) {
        best = run;
        bestServed = served;
      }
    }
    return best;
  }

  /**
   * How long a queued run waits for its commit to reach this node's git store (queued by another
   * node whose store was ahead) before it runs anyway (and ends in error if it never came).
   */
  static final Duration ARRIVAL = Duration.ofSeconds(60);

  /** Whether this node's git store holds the run's commit. */
  private boolean here(CiRun run) {
    try (Repository repo = repositories.open(run.channel())) {
      return repo.getObjectDatabase().has(ObjectId.fromString(run.commit()));
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private void execute(CiRun run) {
    Path runDir = workRoot.resolve("run-" + run.id() + "-" + UUID.randomUUID());
    RunStatus status;
    String detail;
    try {
      tell(run);
      Path work = runDir.resolve("work");
      Files.createDirectories(work);
      Files.setPosixFilePermissions(runDir, PosixFilePermissions.fromString("rwx--x--x"));
      checkout(run, work);
      SandboxSpec spec =
          SandboxSpec.shell(work, logFile(run.id()), run.test())
              .env("CI", "true")
              .env("THREADBARE_CHANNEL", run.channelName())
              .env("THREADBARE_REF", run.ref())
              .env("THREADBARE_COMMIT", run.commit())
              .limits(
                  limits
                      .withWallTimeout(run.timeout())
                      .withCpuTime(max(run.timeout(), Duration.ofSeconds(1))))
              .build();
      SandboxedProcess process = sandbox.start(spec);
      active.put(run.id(), process);
      String pending = cancelling.get(run.id());
      if (!runner) {
        abandoned.add(run.id());
        process.cancel("cancelled: this node no longer runs CI");
      } else if (pending != null || closed) {
        process.cancel(pending != null ? pending : "cancelled: threadbare is stopping");
      }
      SandboxResult result = process.await();
      switch (result.outcome()) {
        case EXITED -> {
          status = result.exitCode() == 0 ? RunStatus.PASSED : RunStatus.FAILED;
          detail = result.exitCode() == 0 ? "passed" : "failed: " + result.detail();
        }
        case LIMIT_EXCEEDED -> {
          status = RunStatus.ERROR;
          detail = result.detail();
        }
        default -> {
          status = RunStatus.CANCELLED;
          detail = result.detail();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    } catch (RuntimeException | IOException e) {
      log.warn("CI run {} could not run", run.id(), e);
      status = RunStatus.ERROR;
      detail = "error: the run could not be made: " + e.getMessage();
      appendToLog(run.id(), "[ci] " + detail + "\n");
    } finally {
      active.remove(run.id());
      executing.remove(run.id());
      cancelling.remove(run.id());
      deleteQuietly(runDir);
      lock.lock();
      try {
        runningCount--;
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }
    if (abandoned.remove(run.id()) || (closed && status == RunStatus.CANCELLED)) {
      // Stopped by our own shutdown, or handed to the next runner: it stays "running" in the
      // store and runs again there (at the next start, or when another node takes over).
      return;
    }
    if (store.finish(run.id(), status, detail, clock.instant())) {
      store.get(run.id()).ifPresent(this::report);
    }
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  private void appendToLog(long id, String text) {
    try {
      Files.writeString(
          logFile(id),
          text,
          StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
    } catch (IOException e) {
      log.debug("cannot write log {}: {}", id, e.toString());
    }
  }

  /** Writes the commit's tree into {@code work}: a fresh checkout, no .git. */
  private void checkout(CiRun run, Path work) throws IOException {
    try (Repository repo = repositories.open(run.channel());
        RevWalk walk = new RevWalk(repo);
        ObjectReader reader = repo.newObjectReader();
        TreeWalk tw = new TreeWalk(reader)) {
      RevCommit commit = walk.parseCommit(ObjectId.fromString(run.commit()));
      tw.addTree(commit.getTree());
      tw.setRecursive(true);
      while (tw.next()) {
        FileMode mode = tw.getFileMode(0);
        Path target = work.resolve(tw.getPathString()).normalize();
        if (!target.startsWith(work)) {
          continue;
        }
        Files.createDirectories(target.getParent());
        if (mode.equals(FileMode.SYMLINK)) {
          String link =
              new String(reader.open(tw.getObjectId(0)).getBytes(), StandardCharsets.UTF_8);
          Files.createSymbolicLink(target, Path.of(link));
        } else if (mode.equals(FileMode.REGULAR_FILE) || mode.equals(FileMode.EXECUTABLE_FILE)) {
          try (InputStream in = reader.open(tw.getObjectId(0)).openStream();
              OutputStream out = Files.newOutputStream(target)) {
            in.transferTo(out);
          }
          if (mode.equals(FileMode.EXECUTABLE_FILE)) {
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
          }
        }
      }
    }
  }

  private void tell(CiRun run) {
    for (Listener listener : listeners) {
      try {
        listener.changed(run);
      } catch (RuntimeException e) {
        log.warn("CI listener failed on run {}", run.id(), e);
      }
    }
  }

  private void report(CiRun run) {
    boolean delivered = true;
    for (Listener listener : listeners) {
      try {
        listener.changed(run);
      } catch (RuntimeException e) {
        delivered = false;
        log.warn("CI listener failed on run {}; it is told again at the next start", run.id(), e);
      }
    }
    if (delivered) {
      store.markReported(run.id());
    }
  }

  private static void deleteQuietly(Path root) {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.deleteIfExists(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
              Files.deleteIfExists(dir);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      log.warn("cannot remove CI work dir {}: {}", root, e.toString());
    }
  }

  /**
   * Stops dispatching and stops the running runs; they stay running in the store and run again at
   * the next start. Does not close the store.
   */
  @Override
  public void close() {
    closed = true;
    if (dispatcher != null) {
      dispatcher.interrupt();
    }
    for (SandboxedProcess process : active.values()) {
      process.cancel("cancelled: threadbare is stopping");
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (running() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
