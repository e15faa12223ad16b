package dev.threadbare.deploy.internal;

import static dev.threadbare.deploy.AppRuns.deleteTree;
import static dev.threadbare.deploy.AppRuns.freePort;
import static dev.threadbare.deploy.AppRuns.note;

import dev.threadbare.deploy.DeployException;
import dev.threadbare.deploy.DeploySettings;
import dev.threadbare.deploy.Deployment;
import dev.threadbare.deploy.DeploymentActivity;
import dev.threadbare.deploy.DeploymentDatabases;
import dev.threadbare.deploy.DeploymentState;
import dev.threadbare.deploy.Launcher;
import dev.threadbare.deploy.SourceTrees;
import dev.threadbare.deploy.StartFailedException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lifecycle of deployments: builds once per version, starts on demand (concurrent first
 * requests share one start), stops the idle and, past {@code maxRunning}, the least recently used.
 * Thread safe; {@link #close()} stops every process.
 */
public final class Supervisor implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Supervisor.class);
  private static final int TAIL_LINES = 30;

  private final DeploySettings settings;
  private final DeploymentStore store;
  private final SourceTrees sources;
  private final Launcher launcher;
  private final DeploymentDatabases databases;
  private final Map<UUID, Instance> instances = new ConcurrentHashMap<>();
  private final ExecutorService starter;
  private final ScheduledExecutorService reaper;
  private final Counter coldStarts;
  private final Counter startFailures;
  private final Timer startLatency;

  /** One deployment's process, if any; guarded by its own monitor. */
  private static final class Instance {
    final UUID id;
    Launcher.Running process;
    int port;
    Path socket;
    CompletableFuture<Integer> starting;
    long lastUsedNanos = System.nanoTime();
    int active;
    StartFailedException failure;
    boolean permanent;
    long failedAtNanos;
    Instant lastRequest;
    java.time.Duration lastColdStart;

    Instance(UUID id) {
      this.id = id;
    }

    boolean running() {
      return process != null && process.isAlive() && starting == null;
    }
  }

  public Supervisor(
      DeploySettings settings,
      DeploymentStore store,
      SourceTrees sources,
      Launcher launcher,
      DeploymentDatabases databases,
      MeterRegistry metrics) {
    this.settings = settings;
    this.store = store;
    this.sources = sources;
    this.launcher = launcher;
    this.databases = databases;
    // Fixed threads that never end while the deployer runs: bubblewrap's --die-with-parent is a
    // parent-death signal bound to the thread that spawned it, so a pool thread retiring after
    // 60 idle seconds (as a cached pool's do) would SIGKILL every deployment it had started.
    this.starter =
        Executors.newFixedThreadPool(
            8,
            r -> {
              Thread t = new Thread(r, "deploy-start");
              t.setDaemon(true);
              return t;
            });
    this.reaper =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "deploy-idle-stop");
              t.setDaemon(true);
              return t;
            });
    reaper.scheduleWithFixedDelay(this::stopIdle, 1, 1, TimeUnit.SECONDS);
    coldStarts = metrics.counter("threadbare_deploy_cold_starts_total");
    startFailures = metrics.counter("threadbare_deploy_start_failures_total");
    startLatency = metrics.timer("threadbare_deploy_start_seconds");
    Gauge.builder("threadbare_deploy_running", this, Supervisor::runningCount).register(metrics);
  }

  /**
   * The port of the running deployment {@code id}, starting it first when needed (the caller
   * waits). Pair every successful call with {@link #release}.
   *
   * @throws StartFailedException when it cannot be built or started
   */
  public int acquire(Deployment deployment) {
    Instance in = instances.computeIfAbsent(deployment.id(), Instance::new);
    CompletableFuture<Integer> start;
    synchronized (in) {
      in.lastUsedNanos = System.nanoTime();
      in.lastRequest = Instant.now();
      if (in.running()) {
        in.active++;
        return in.port;
      }
      if (in.failure != null
          && (in.permanent
              || System.nanoTime() - in.failedAtNanos < settings.retryAfter().toNanos())) {
        throw in.failure;
      }
      if (in.starting == null) {
        in.failure = null;
        in.process = null;
        coldStarts.increment();
        in.starting = CompletableFuture.supplyAsync(() -> start(deployment, in), starter);
      }
      start = in.starting;
    }
    try {
      int port =
          start.get(
              settings.buildTimeout().plus(settings.startTimeout()).toMillis() + 5_000,
              TimeUnit.MILLISECONDS);
      synchronized (in) {
        in.active++;
        in.lastUsedNanos = System.nanoTime();
      }
      return port;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StartFailedException f) {
        throw f;
      }
      throw new StartFailedException(
          503, "start failed: " + e.getCause(), tail(runLog(deployment.id())));
    } catch (TimeoutException e) {
      throw new StartFailedException(
          504, "start is taking too long", tail(runLog(deployment.id())));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StartFailedException(503, "interrupted while starting", "");
    }
  }

  /** Ends a use begun by {@link #acquire}: the deployment may go idle once none is active. */
  public void release(UUID id) {
    Instance in = instances.get(id);
    if (in != null) {
      synchronized (in) {
        in.active = Math.max(0, in.active - 1);
        in.lastUsedNanos = System.nanoTime();
      }
    }
  }

  /**
   * The Unix socket that reaches running deployment {@code id} without the host's TCP bridge, when
   * its launcher offers one (call between {@link #acquire} and {@link #release}).
   */
  public Optional<Path> socketOf(UUID id) {
    Instance in = instances.get(id);
    if (in == null) {
      return Optional.empty();
    }
    synchronized (in) {
      return in.running() ? Optional.ofNullable(in.socket) : Optional.empty();
    }
  }

  /** How many deployments run now. */
  public int runningCount() {
    int n = 0;
    for (Instance in : instances.values()) {
      synchronized (in) {
        if (in.running()) {
          n++;
        }
      }
    }
    return n;
  }

  /**
   * What this server saw of deployment {@code id}: its last request and how long its last start
   * took from the request that caused it until the app listened (empty: not requested since this
   * server started).
   */
  public Optional<DeploymentActivity> activity(UUID id) {
    Instance in = instances.get(id);
    if (in == null) {
      return Optional.empty();
    }
    synchronized (in) {
      return in.lastRequest == null
          ? Optional.empty()
          : Optional.of(new DeploymentActivity(in.lastRequest, in.lastColdStart));
    }
  }

  /** The deployment's directory: {@code app/} (checkout and build output) and {@code log}. */
  public Path directory(UUID id) {
    return settings.dataDir().resolve("deploys").resolve(id.toString());
  }

  /** The deployer's notes on the deployment (starts, stops, failures). */
  public Path logFile(UUID id) {
    return directory(id).resolve("log");
  }

  /** The build's output. */
  public Path buildLog(UUID id) {
    return directory(id).resolve("build.log");
  }

  /** The output of the latest start. */
  public Path runLog(UUID id) {
    return directory(id).resolve("run.log");
  }

  /** The whole log: the notes, the build's output, the latest start's output. */
  public String wholeLog(UUID id) {
    StringBuilder all = new StringBuilder();
    for (Path file : List.of(logFile(id), buildLog(id), runLog(id))) {
      if (Files.exists(file)) {
        try {
          all.append("==> ")
              .append(file.getFileName())
              .append(" <==\n")
              .append(Files.readString(file, StandardCharsets.UTF_8))
              .append('\n');
        } catch (IOException e) {
          all.append("(")
              .append(file.getFileName())
              .append(" unreadable: ")
              .append(e)
              .append(")\n");
        }
      }
    }
    return all.toString();
  }

  private int start(Deployment d, Instance in) {
    long began = System.nanoTime();
    StartPhasesEvent phases = new StartPhasesEvent();
    phases.begin();
    phases.deployment = d.id().toString();
    try {
      makeRoom(in);
      store.setState(d.id(), DeploymentState.STARTING);
      Path dir = directory(d.id());
      Path app = dir.resolve("app");
      Files.createDirectories(dir);
      Path logFile = logFile(d.id());
      long building = System.nanoTime();
      if (!store.built(d.id())) {
        build(d, app, logFile);
        store.markBuilt(d.id());
      }
      long built = System.nanoTime();
      Map<String, String> env = new HashMap<>();
      Optional<DeploymentDatabases.Login> login = store.login(d.id());
      if (login.isEmpty()) {
        DeploymentDatabases.Login issued = databases.issue(d.database(), d.commit());
        if (issued != null) {
          store.saveLogin(d.id(), issued);
          login = Optional.of(issued);
        }
      }
      if (login.isPresent()) {
        databases.cap(d.database(), d.config().previewLimitBytes());
        env.put("DATABASE_URL", databases.url(d.database(), login.get()));
      }
      int port = freePort();
      env.put("PORT", Integer.toString(port));
      note(logFile, "starting `" + d.config().run() + "` on $PORT=" + port);
      long exec = System.nanoTime();
      Launcher.Running process =
          launcher.start(new Launcher.Launch(d.config().run(), app, env, runLog(d.id()), port));
      long spawned = System.nanoTime();
      awaitListening(d, process, port, logFile);
      long listening = System.nanoTime();
      note(
          logFile,
          "listening after "
              + (listening - exec) / 1_000_000
              + " ms ("
              + launcher.describe()
              + ")");
      synchronized (in) {
        in.process = process;
        in.port = port;
        in.socket = process.socket().orElse(null);
        in.starting = null;
        in.failure = null;
        in.lastUsedNanos = System.nanoTime();
        in.lastColdStart = java.time.Duration.ofNanos(System.nanoTime() - began);
      }
      store.setState(d.id(), DeploymentState.RUNNING);
      process.onExit().thenAccept(how -> exited(d.id(), in, process, how, logFile));
      long recorded = System.nanoTime();
      startLatency.record(recorded - began, TimeUnit.NANOSECONDS);
      phases.prepare = (building - began) + (exec - built);
      phases.build = built - building;
      phases.spawn = spawned - exec;
      phases.listening = listening - spawned;
      phases.record = recorded - listening;
      phases.signalled = process.listening().isPresent();
      phases.commit();
      if (log.isDebugEnabled()) {
        log.debug(
            "started {}: prepare {} ms, build {} ms, spawn {} ms, listening {} ms ({}), record {}"
                + " ms",
            d.id(),
            phases.prepare / 1_000_000,
            phases.build / 1_000_000,
            phases.spawn / 1_000_000,
            phases.listening / 1_000_000,
            phases.signalled ? "signalled" : "polled",
            phases.record / 1_000_000);
      }
      return port;
    } catch (StartFailedException f) {
      fail(d, in, f, f.status() == 502);
      throw f;
    } catch (IOException | RuntimeException e) {
      StartFailedException f =
          new StartFailedException(503, "could not start: " + e.getMessage(), tail(runLog(d.id())));
      fail(d, in, f, false);
      throw f;
    }
  }

  private void fail(Deployment d, Instance in, StartFailedException f, boolean permanent) {
    startFailures.increment();
    note(logFile(d.id()), f.getMessage());
    synchronized (in) {
      in.starting = null;
      in.failure = f;
      in.permanent = permanent;
      in.failedAtNanos = System.nanoTime();
    }
    store.setState(d.id(), DeploymentState.FAILED);
  }

  private void build(Deployment d, Path app, Path logFile) throws IOException {
    deleteTree(app);
    Files.createDirectories(app);
    sources.checkout(d.channel(), d.commit(), app);
    String build = d.config().build();
    if (build.isBlank()) {
      return;
    }
    note(logFile, "building `" + build + "`");
    Launcher.Running p =
        launcher.start(new Launcher.Launch(build, app, Map.of(), buildLog(d.id()), 0));
    String how;
    try {
      how = p.onExit().get(settings.buildTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      p.stop();
      throw new StartFailedException(
          502,
          "the build `" + build + "` took longer than " + settings.buildTimeout(),
          tail(buildLog(d.id())));
    } catch (InterruptedException e) {
      p.stop();
      Thread.currentThread().interrupt();
      throw new StartFailedException(502, "the build was interrupted", tail(buildLog(d.id())));
    } catch (ExecutionException e) {
      throw new StartFailedException(502, "the build failed: " + e.getCause(), "");
    }
    if (!p.succeeded()) {
      note(logFile, "build " + how);
      throw new StartFailedException(
          502, "the build `" + build + "` failed (" + how + ")", tail(buildLog(d.id())));
    }
  }

  private void awaitListening(Deployment d, Launcher.Running process, int port, Path logFile) {
    long deadline = System.nanoTime() + settings.startTimeout().toNanos();
    Optional<CompletableFuture<Void>> signal = process.listening();
    long pause = 1;
    while (true) {
      if (signal.isPresent()) {
        // One signal from the launcher: wait for it or the process's end, not a poll.
        try {
          CompletableFuture.anyOf(signal.get(), process.onExit())
              .get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
          // judged below
        } catch (InterruptedException e) {
          process.stop();
          Thread.currentThread().interrupt();
          throw new StartFailedException(503, "interrupted while starting", "");
        }
        if (signal.get().isDone() && !signal.get().isCompletedExceptionally()) {
          return;
        }
        if (signal.get().isCompletedExceptionally() && process.isAlive()) {
          process.stop();
          throw new StartFailedException(
              503,
              "`" + d.config().run() + "` listened, but its port " + port + " could not be opened",
              tail(runLog(d.id())));
        }
      } else {
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port), 250);
          return;
        } catch (IOException e) {
          // not yet
        }
      }
      if (!process.isAlive()) {
        String how = process.onExit().join();
        note(logFile, how + " before listening");
        throw new StartFailedException(
            503,
            "`" + d.config().run() + "` " + how + " before listening on $PORT (" + port + ")",
            tail(runLog(d.id())));
      }
      if (System.nanoTime() > deadline) {
        process.stop();
        throw new StartFailedException(
            503,
            "`"
                + d.config().run()
                + "` did not listen on $PORT ("
                + port
                + ") within "
                + settings.startTimeout().toSeconds()
                + " s; it was stopped",
            tail(runLog(d.id())));
      }
      if (signal.isPresent()) {
        continue;
      }
      try {
        Thread.sleep(pause);
      } catch (InterruptedException e) {
        process.stop();
        Thread.currentThread().interrupt();
        throw new StartFailedException(503, "interrupted while starting", "");
      }
      // Fast first retries (most apps listen within a few hundred ms), then every 10 ms.
      pause = Math.min(10, pause + 1);
    }
  }

  private void exited(UUID id, Instance in, Launcher.Running p, String how, Path logFile) {
    boolean current;
    synchronized (in) {
      current = in.process == p;
      if (current) {
        in.process = null;
      }
    }
    if (current) {
      // Crashed (not stopped by us): the next request starts it again.
      note(logFile, how);
      store.setState(id, DeploymentState.STOPPED);
    }
  }

  /** Stops deployments until one more may start, least recently used first. */
  private void makeRoom(Instance starting) {
    while (true) {
      List<Instance> running =
          instances.values().stream()
              .filter(i -> i != starting)
              .filter(
                  i -> {
                    synchronized (i) {
                      return i.process != null && i.process.isAlive();
                    }
                  })
              .sorted(Comparator.comparingLong(i -> lastUsed(i)))
              .toList();
      if (running.size() < settings.maxRunning()) {
        return;
      }
      stop(running.get(0), "more than --max-running " + settings.maxRunning() + " would run");
    }
  }

  private static long lastUsed(Instance i) {
    synchronized (i) {
      return i.lastUsedNanos;
    }
  }

  private void stopIdle() {
    try {
      long now = System.nanoTime();
      for (Instance in : instances.values()) {
        Optional<Deployment> d;
        synchronized (in) {
          if (!in.running() || in.active > 0) {
            continue;
          }
        }
        d = store.find(in.id);
        if (d.isEmpty()) {
          continue;
        }
        boolean idle;
        synchronized (in) {
          idle = in.active == 0 && now - in.lastUsedNanos > d.get().config().idleStop().toNanos();
        }
        if (idle) {
          stop(in, "idle for " + d.get().config().idleStop());
        }
      }
    } catch (RuntimeException e) {
      log.warn("idle stop: {}", e.toString());
    }
  }

  /** Stops {@code in}'s process (and everything it started). */
  private void stop(Instance in, String why) {
    Launcher.Running p;
    synchronized (in) {
      p = in.process;
      in.process = null;
    }
    if (p == null) {
      return;
    }
    note(logFile(in.id), "stopping: " + why);
    p.stop();
    store.setState(in.id, DeploymentState.STOPPED);
  }

  /** Stops the deployment now (tests, promotion). */
  public void stop(UUID id) {
    Instance in = instances.get(id);
    if (in != null) {
      stop(in, "asked to stop");
    }
  }

  /** The last lines of a log. */
  public static String tail(Path file) {
    if (!Files.exists(file)) {
      return "";
    }
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long length = raf.length();
      int n = (int) Math.min(length, 16 * 1024);
      byte[] bytes = new byte[n];
      raf.seek(length - n);
      raf.readFully(bytes);
      String text = new String(bytes, StandardCharsets.UTF_8);
      List<String> lines = text.lines().toList();
      return String.join("\n", lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
    } catch (IOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    reaper.shutdownNow();
    for (Instance in : instances.values()) {
      stop(in, "the server is stopping");
    }
    starter.shutdownNow();
  }

  /** For messages: the deployment is unknown. */
  public static DeployException unknown(UUID id) {
    return new DeployException("no deployment " + id);
  }
}
