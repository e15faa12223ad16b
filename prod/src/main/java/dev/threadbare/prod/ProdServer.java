package dev.threadbare.prod;

import static dev.threadbare.deploy.AppRuns.deleteTree;
import static dev.threadbare.deploy.AppRuns.freePort;
import static dev.threadbare.deploy.AppRuns.note;

import dev.threadbare.deploy.DeployConfig;
import dev.threadbare.deploy.DeploymentDatabases;
import dev.threadbare.deploy.HostRoutes;
import dev.threadbare.deploy.Launcher;
import dev.threadbare.deploy.SourceTrees;
import dev.threadbare.deploy.StartFailedException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves each channel's prod at {@code http://<channel name>.prod.<base host>/}: the version of the
 * channel's newest done {@link ProdStore} record, run (its own checkout and build under {@code
 * DIR/prod/<channel>/<commit>/}) against the channel's durable prod database {@code prod-<channel>}
 * with a login issued to that version. It is the deploy proxy's {@link HostRoutes} hook.
 *
 * <p>{@link #switchTo} is a promotion or rollback: it records the step {@code pending}, starts the
 * new version beside the old one (which keeps serving), records it {@code done} once it listens,
 * then sends new requests to it and stops the old one once its last request has been answered: no
 * request is dropped or waits for the new start. After a restart prod is started by its first
 * request, which is held until the version listens.
 *
 * <p>Processes are started on this server's own long-lived threads (a sandbox process dies with the
 * thread that spawned it). Thread safe; {@link #close()} stops every prod process.
 */
public final class ProdServer implements HostRoutes, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ProdServer.class);

  /** Where prod runs: the data directory, base host, timeouts. */
  public record Settings(
      Path dataDir, String baseHost, Duration buildTimeout, Duration startTimeout, Duration drain) {
    public Settings {
      Objects.requireNonNull(dataDir, "dataDir");
      Objects.requireNonNull(baseHost, "baseHost");
    }

    /** 10 min to build, 60 s to listen, 30 s for the old version's last requests. */
    public static Settings defaults(Path dataDir, String baseHost) {
      return new Settings(
          dataDir,
          baseHost,
          Duration.ofMinutes(10),
          Duration.ofSeconds(60),
          Duration.ofSeconds(30));
    }
  }

  /** What a promotion or rollback puts in prod, and who asked with which approvals. */
  public record Step(
      String channel,
      ProdEvent.Action action,
      String commit,
      UUID deployment,
      DeployConfig config,
      String user,
      List<String> approvals,
      Long ciRun) {
    public Step {
      Objects.requireNonNull(channel, "channel");
      Objects.requireNonNull(action, "action");
      Objects.requireNonNull(commit, "commit");
      Objects.requireNonNull(config, "config");
      Objects.requireNonNull(user, "user");
      approvals = List.copyOf(approvals);
    }
  }

  private final Settings settings;
  private final ProdStore store;
  private final SourceTrees sources;
  private final Launcher launcher;
  private final DeploymentDatabases databases;
  private final Function<String, Optional<String>> channelByName;
  private final Function<String, Optional<DeployConfig>> configOf;
  private final String baseHostName;
  private final Map<String, Slot> slots = new ConcurrentHashMap<>();
  private final ExecutorService starter;
  private final ExecutorService drainer;
  private volatile Clock clock = Clock.systemUTC();

  /** One running prod process; {@code active} and {@code draining} guarded by its monitor. */
  private static final class Instance {
    final String commit;
    final Launcher.Running process;
    final int port;
    int active;
    boolean draining;

    Instance(String commit, Launcher.Running process, int port) {
      this.commit = commit;
      this.process = process;
      this.port = port;
    }
  }

  /** A channel's prod: the serving instance; {@code switching} orders starts and switches. */
  private static final class Slot {
    final Object switching = new Object();
    volatile Instance current;
  }

  private ProdServer(
      Settings settings,
      ProdStore store,
      SourceTrees sources,
      Launcher launcher,
      DeploymentDatabases databases,
      Function<String, Optional<String>> channelByName,
      Function<String, Optional<DeployConfig>> configOf) {
    this.settings = settings;
    this.store = store;
    this.sources = sources;
    this.launcher = launcher;
    this.databases = databases;
    this.channelByName = channelByName;
    this.configOf = configOf;
    int colon = settings.baseHost().lastIndexOf(':');
    this.baseHostName =
        (colon > 0 ? settings.baseHost().substring(0, colon) : settings.baseHost())
            .toLowerCase(Locale.ROOT);
    // Fixed threads that never retire: see the class comment.
    this.starter = Executors.newFixedThreadPool(4, daemon("prod-start"));
    this.drainer = Executors.newCachedThreadPool(daemon("prod-drain"));
  }

  /**
   * A prod server over {@code store}; {@code channelByName} maps a host's channel name to its id,
   * {@code configOf} reads a channel's version's deploy settings (for a start after a restart,
   * keyed {@code channel + " " + commit}).
   */
  public static ProdServer open(
      Settings settings,
      ProdStore store,
      SourceTrees sources,
      Launcher launcher,
      DeploymentDatabases databases,
      Function<String, Optional<String>> channelByName,
      Function<String, Optional<DeployConfig>> configOf) {
    return new ProdServer(
        Objects.requireNonNull(settings, "settings"),
        Objects.requireNonNull(store, "store"),
        Objects.requireNonNull(sources, "sources"),
        Objects.requireNonNull(launcher, "launcher"),
        Objects.requireNonNull(databases, "databases"),
        Objects.requireNonNull(channelByName, "channelByName"),
        Objects.requireNonNull(configOf, "configOf"));
  }

  /** The clock that dates records (tests move it). */
  public ProdServer withClock(Clock recordClock) {
    this.clock = Objects.requireNonNull(recordClock, "clock");
    return this;
  }

  /** The durable record. */
  public ProdStore store() {
    return store;
  }

  /** {@code http://<channel name>.prod.<base host>/}. */
  public String url(String channelName) {
    return url(channelName, settings.baseHost());
  }

  /** {@code http://<channel name>.prod.<base host>/}. */
  public static String url(String channelName, String baseHost) {
    return "http://" + channelName.toLowerCase(Locale.ROOT) + ".prod." + baseHost + "/";
  }

  /** The logical database that holds {@code channel}'s prod data. */
  public static String database(String channel) {
    return "prod-" + channel.toLowerCase(Locale.ROOT);
  }

  /**
   * Puts {@code step}'s version in prod and returns its done record; prod keeps serving the old
   * version until the new one listens.
   *
   * @throws ProdException when the version cannot be built or started (recorded as failed; prod
   *     unchanged)
   */
  public ProdEvent switchTo(Step step) {
    Future<ProdEvent> done = starter.submit(() -> doSwitch(step));
    try {
      return done.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new ProdException("promotion failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProdException("interrupted while promoting " + step.commit());
    }
  }

  private ProdEvent doSwitch(Step step) {
    Slot slot = slot(step.channel());
    synchronized (slot.switching) {
      Optional<ProdEvent> before = store.current(step.channel());
      String previous =
          step.action() == ProdEvent.Action.PROMOTE
              ? before.map(ProdEvent::commit).orElse(null)
              : store.previousOf(step.channel(), step.commit());
      ProdEvent pending =
          store.begin(
              step.channel(),
              step.action(),
              step.commit(),
              step.deployment(),
              step.user(),
              clock.instant(),
              step.approvals(),
              step.ciRun(),
              previous);
      Instance next;
      try {
        next = start(step.channel(), step.commit(), step.config());
      } catch (RuntimeException e) {
        String why = e.getMessage();
        store.fail(pending.id(), why == null ? e.toString() : why);
        throw e instanceof ProdException p ? p : new ProdException(why == null ? "" : why, e);
      }
      store.complete(pending.id());
      Instance old = slot.current;
      slot.current = next;
      if (old != null) {
        drainer.execute(() -> drainAndStop(old));
      }
      log.info(
          "prod of {} is now {} ({} by {})",
          step.channel(),
          step.commit(),
          step.action().label(),
          step.user());
      return store.get(pending.id()).orElseThrow();
    }
  }

  /** The commit serving {@code channel}'s prod process now, if one runs. */
  public Optional<String> running(String channel) {
    Slot slot = slots.get(channel);
    Instance in = slot == null ? null : slot.current;
    return in != null && in.process.isAlive() ? Optional.of(in.commit) : Optional.empty();
  }

  @Override
  public boolean routes(String hostName) {
    return channelName(hostName) != null;
  }

  private String channelName(String hostName) {
    String host = hostName.toLowerCase(Locale.ROOT);
    String suffix = ".prod." + baseHostName;
    if (!host.endsWith(suffix)) {
      return null;
    }
    String label = host.substring(0, host.length() - suffix.length());
    return label.isEmpty() || label.contains(".") ? null : label;
  }

  @Override
  public Lease lease(String hostName) {
    String name = channelName(hostName);
    Optional<String> channel = name == null ? Optional.empty() : channelByName.apply(name);
    if (channel.isEmpty()) {
      throw new StartFailedException(404, "There is no channel #" + name + ".", null);
    }
    Slot slot = slot(channel.get());
    for (int attempt = 0; attempt < 100; attempt++) {
      Instance in = slot.current;
      if (in == null || !in.process.isAlive()) {
        in = coldStart(channel.get(), name, slot);
      }
      synchronized (in) {
        if (!in.draining) {
          in.active++;
          Instance leased = in;
          return new Lease() {
            @Override
            public int port() {
              return leased.port;
            }

            @Override
            public void release() {
              synchronized (leased) {
                leased.active--;
                leased.notifyAll();
              }
            }
          };
        }
      }
      // switched meanwhile: take the new one
    }
    throw new StartFailedException(503, "prod of #" + name + " keeps switching; try again", null);
  }

  /** After a restart or a crash: starts the recorded prod (the request waits). */
  private Instance coldStart(String channel, String name, Slot slot) {
    Future<Instance> started =
        starter.submit(
            () -> {
              synchronized (slot.switching) {
                Instance in = slot.current;
                if (in != null && in.process.isAlive()) {
                  return in;
                }
                ProdEvent current =
                    store
                        .current(channel)
                        .orElseThrow(
                            () ->
                                new StartFailedException(
                                    404,
                                    "#"
                                        + name
                                        + " has no prod yet: say `promote VERSION` in the channel.",
                                    null));
                DeployConfig config =
                    configOf
                        .apply(channel + " " + current.commit())
                        .orElseThrow(
                            () ->
                                new StartFailedException(
                                    503,
                                    "prod's version "
                                        + current.commit()
                                        + " has no [deploy] run any more",
                                    null));
                Instance fresh = start(channel, current.commit(), config);
                slot.current = fresh;
                return fresh;
              }
            });
    try {
      return started.get(
          settings.buildTimeout().plus(settings.startTimeout()).toMillis() + 5_000,
          TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StartFailedException f) {
        throw f;
      }
      throw new StartFailedException(
          503, "prod could not start: " + e.getCause().getMessage(), null);
    } catch (TimeoutException e) {
      throw new StartFailedException(504, "prod is taking too long to start", null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StartFailedException(503, "interrupted while starting prod", null);
    }
  }

  private Instance start(String channel, String commit, DeployConfig config) {
    Path dir = settings.dataDir().resolve("prod").resolve(channel).resolve(commit);
    Path app = dir.resolve("app");
    Path notes = dir.resolve("log");
    try {
      Files.createDirectories(dir);
      if (!Files.exists(dir.resolve("built"))) {
        build(channel, commit, config, app, dir, notes);
        Files.writeString(dir.resolve("built"), Instant.now() + "\n", StandardCharsets.UTF_8);
      }
      Map<String, String> env = new HashMap<>();
      String database = database(channel);
      Optional<DeploymentDatabases.Login> login = store.login(channel, commit);
      if (login.isEmpty()) {
        DeploymentDatabases.Login issued = databases.issue(database, commit);
        if (issued != null) {
          store.saveLogin(channel, commit, issued);
          login = Optional.of(issued);
        }
      }
      login.ifPresent(l -> env.put("DATABASE_URL", databases.url(database, l)));
      int port = freePort();
      env.put("PORT", Integer.toString(port));
      note(notes, "starting `" + config.run() + "` for prod on $PORT=" + port);
      Launcher.Running process =
          launcher.start(new Launcher.Launch(config.run(), app, env, dir.resolve("run.log"), port));
      awaitListening(config, process, port, dir.resolve("run.log"));
      note(notes, "listening");
      return new Instance(commit, process, port);
    } catch (IOException e) {
      throw new ProdException("prod of " + commit + " could not start: " + e.getMessage(), e);
    }
  }

  private void build(
      String channel, String commit, DeployConfig config, Path app, Path dir, Path notes)
      throws IOException {
    deleteTree(app);
    Files.createDirectories(app);
    sources.checkout(channel, commit, app);
    if (config.build().isBlank()) {
      return;
    }
    note(notes, "building `" + config.build() + "`");
    Launcher.Running p =
        launcher.start(
            new Launcher.Launch(config.build(), app, Map.of(), dir.resolve("build.log"), 0));
    try {
      String how = p.onExit().get(settings.buildTimeout().toMillis(), TimeUnit.MILLISECONDS);
      if (!p.succeeded()) {
        throw new ProdException(
            "the build `"
                + config.build()
                + "` of "
                + commit
                + " failed ("
                + how
                + "):\n"
                + tail(dir.resolve("build.log")));
      }
    } catch (TimeoutException e) {
      p.stop();
      throw new ProdException(
          "the build of " + commit + " took longer than " + settings.buildTimeout());
    } catch (ExecutionException e) {
      throw new ProdException("the build of " + commit + " failed: " + e.getCause(), e);
    } catch (InterruptedException e) {
      p.stop();
      Thread.currentThread().interrupt();
      throw new ProdException("interrupted while building " + commit);
    }
  }

  private void awaitListening(DeployConfig config, Launcher.Running process, int port, Path log) {
    long deadline = System.nanoTime() + settings.startTimeout().toNanos();
    long pause = 2;
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 250);
        return;
      } catch (IOException e) {
        // not yet
      }
      if (!process.isAlive()) {
        String how = process.onExit().join();
        throw new ProdException(
            "`" + config.run() + "` " + how + " before listening on $PORT:\n" + tail(log));
      }
      if (System.nanoTime() > deadline) {
        process.stop();
        throw new ProdException(
            "`"
                + config.run()
                + "` did not listen on $PORT within "
                + settings.startTimeout().toSeconds()
                + " s; it was stopped:\n"
                + tail(log));
      }
      try {
        Thread.sleep(pause);
      } catch (InterruptedException e) {
        process.stop();
        Thread.currentThread().interrupt();
        throw new ProdException("interrupted while starting prod");
      }
      pause = Math.min(20, pause + 2);
    }
  }

  /** Waits (bounded) for the old version's last requests, then stops it. */
  private void drainAndStop(Instance old) {
    long deadline = System.nanoTime() + settings.drain().toNanos();
    synchronized (old) {
      old.draining = true;
      while (old.active > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          log.warn("prod's previous version {} still had {} requests", old.commit, old.active);
          break;
        }
        try {
          old.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    old.process.stop();
  }

  private Slot slot(String channel) {
    return slots.computeIfAbsent(channel, c -> new Slot());
  }

  private static String tail(Path file) {
    if (!Files.exists(file)) {
      return "";
    }
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      int n = (int) Math.min(raf.length(), 4096);
      byte[] bytes = new byte[n];
      raf.seek(raf.length() - n);
      raf.readFully(bytes);
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  @Override
  public void close() {
    starter.shutdownNow();
    drainer.shutdownNow();
    for (Slot slot : slots.values()) {
      Instance in = slot.current;
      if (in != null) {
        in.process.stop();
      }
    }
  }
}
