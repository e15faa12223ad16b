package dev.threadbare.deploy;

import dev.threadbare.deploy.internal.DeploymentStore;
import dev.threadbare.deploy.internal.ProxyHandler;
import dev.threadbare.deploy.internal.Supervisor;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.jetty.server.handler.HandlerWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deployments: one per version whose {@code threadbare.toml} has {@code [deploy] run}, each at
 * {@code http://<uuid>.<base host>/}, started by its first request and stopped when idle. The entry
 * point of the deploy module.
 *
 * <p>Versions arrive by {@link #onCommit} (a commit the materializer made: deployed at once when
 * the file has no {@code [ci]}) and {@link #onCiPassed} (the CI port: a commit whose tests passed).
 * {@link #handler()} is the reverse proxy to mount in front of the server's own handler.
 *
 * <p>Lifecycle: {@link #open} opens the records in the data directory; {@link #close()} stops every
 * deployment's process. Thread safe.
 */
public final class Deployer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Deployer.class);

  private final DeploySettings settings;
  private final DeploymentStore store;
  private final SourceTrees sources;
  private final Supervisor supervisor;
  private final ProxyHandler handler;
  private final java.util.Map<UUID, Deployment> known =
      new java.util.concurrent.ConcurrentHashMap<>();

  private Deployer(
      DeploySettings settings,
      DeploymentStore store,
      SourceTrees sources,
      Launcher launcher,
      DeploymentDatabases databases,
      MeterRegistry metrics) {
    this.settings = settings;
    this.store = store;
    this.sources = sources;
    this.supervisor = new Supervisor(settings, store, sources, launcher, databases, metrics);
    this.handler =
        new ProxyHandler(
            settings.baseHost(),
            settings.serverUrl(),
            this::findCached,
            supervisor,
            metrics.counter("threadbare_deploy_proxy_errors_total"));
  }

  /** Opens the deployment records in {@code settings.dataDir()} (creating them). */
  public static Deployer open(
      DeploySettings settings,
      SourceTrees sources,
      Launcher launcher,
      DeploymentDatabases databases,
      MeterRegistry metrics) {
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(sources, "sources");
    Objects.requireNonNull(launcher, "launcher");
    Objects.requireNonNull(databases, "databases");
    Objects.requireNonNull(metrics, "metrics");
    DeploymentStore store = DeploymentStore.open(settings.dataDir());
    store.setMeta("base_host", settings.baseHost());
    return new Deployer(settings, store, sources, launcher, databases, metrics);
  }

  /**
   * A commit the materializer made: deploys it when its {@code threadbare.toml} has {@code [deploy]
   * run} and no {@code [ci]} (nothing to wait for). Returns the deployment, if any.
   */
  public Optional<Deployment> onCommit(String channel, String commit) {
    return configOf(channel, commit)
        .filter(c -> !c.hasCi())
        .map(c -> store.insertIfAbsent(channel, commit, c, Instant.now()));
  }

  /** The CI port: {@code commit}'s tests passed, so it deploys if it has {@code [deploy] run}. */
  public Optional<Deployment> onCiPassed(String channel, String commit) {
    return deploy(channel, commit);
  }

  /**
   * Records a deployment of {@code commit} (nothing runs until its first request), or returns the
   * existing one; empty when the version has no {@code [deploy] run}.
   */
  public Optional<Deployment> deploy(String channel, String commit) {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(commit, "commit");
    return configOf(channel, commit)
        .map(c -> store.insertIfAbsent(channel, commit, c, Instant.now()));
  }

  /**
   * The deploy settings of version {@code commit}: empty when its {@code threadbare.toml} is
   * missing, has no {@code [deploy] run}, or is malformed (logged).
   */
  public Optional<DeployConfig> configOf(String channel, String commit) {
    Optional<String> toml = sources.readFile(channel, commit, DeployConfig.FILE);
    if (toml.isEmpty()) {
      return Optional.empty();
    }
    try {
      return DeployConfig.parse(toml.get());
    } catch (DeployException e) {
      log.info(
          "{} at {} in {} does not deploy: {}", DeployConfig.FILE, commit, channel, e.getMessage());
      return Optional.empty();
    }
  }

  /** The proxy's lookup: a deployment's settings never change, so a found one is kept. */
  private Optional<Deployment> findCached(UUID id) {
    Deployment cached = known.get(id);
    if (cached != null) {
      return Optional.of(cached);
    }
    Optional<Deployment> found = store.find(id);
    found.ifPresent(d -> this.known.put(id, d));
    return found;
  }

  public Optional<Deployment> find(UUID id) {
    return store.find(id);
  }

  public Optional<Deployment> forCommit(String channel, String commit) {
    return store.forCommit(channel, commit);
  }

  /** A channel's deployments, newest first. */
  public List<Deployment> list(String channel) {
    return store.list(channel);
  }

  /** The deployment's URL. */
  public String url(Deployment deployment) {
    return url(deployment, settings.baseHost());
  }

  /** {@code http://<uuid>.<baseHost>/}. */
  public static String url(Deployment deployment, String baseHost) {
    return "http://" + deployment.id() + "." + baseHost + "/";
  }

  /** The reverse proxy: mount it as the server's outer handler (it wraps the server's own). */
  public HandlerWrapper handler() {
    return handler;
  }

  /**
   * Sends requests for the hosts {@code routes} claims (prod's {@code <channel>.prod.<base host>})
   * through this proxy to the ports it leases; {@code <uuid>.<base host>} stays the deployments'.
   */
  public void routeHosts(HostRoutes routes) {
    handler.setRoutes(routes);
  }

  /** The base host deployments are served under, such as {@code localhost:8080}. */
  public String baseHost() {
    return settings.baseHost();
  }

  /** How many deployments run now. */
  public int runningCount() {
    return supervisor.runningCount();
  }

  /**
   * What this server saw of a deployment: its last request and the time its last (cold) start took;
   * empty when it was not requested since this server started.
   */
  public Optional<DeploymentActivity> activity(UUID id) {
    return supervisor.activity(id);
  }

  /** The whole log of a deployment (build and runs). */
  public Path logFile(UUID id) {
    return supervisor.logFile(id);
  }

  /** The whole log: the deployer's notes, the build's output, the latest start's output. */
  public String wholeLog(UUID id) {
    return supervisor.wholeLog(id);
  }

  /** Stops a deployment's process now, if it runs. */
  public void stop(UUID id) {
    supervisor.stop(id);
  }

  /**
   * The records in {@code dataDir} for the CLI (without a server): a channel's deployments newest
   * first, and the base host the last server used (or {@code fallbackBaseHost}).
   */
  public static Listing read(Path dataDir, String channel, String fallbackBaseHost) {
    Optional<DeploymentStore> opened = DeploymentStore.openExisting(dataDir);
    if (opened.isEmpty()) {
      return new Listing(List.of(), fallbackBaseHost);
    }
    try (DeploymentStore store = opened.get()) {
      return new Listing(store.list(channel), store.meta("base_host").orElse(fallbackBaseHost));
    }
  }

  /** What {@link #read} found. */
  public record Listing(List<Deployment> deployments, String baseHost) {
    public Listing {
      deployments = List.copyOf(deployments);
    }
  }

  @Override
  public void close() {
    supervisor.close();
    store.close();
  }
}
