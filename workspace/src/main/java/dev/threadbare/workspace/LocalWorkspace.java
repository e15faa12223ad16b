package dev.threadbare.workspace;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.threadbare.workspace.internal.api.WebApi;
import dev.threadbare.workspace.internal.events.EventBus;
import dev.threadbare.workspace.internal.events.EventDelivery;
import dev.threadbare.workspace.internal.events.SocketMode;
import dev.threadbare.workspace.internal.store.Ids;
import dev.threadbare.workspace.internal.store.PresentedSecrets;
import dev.threadbare.workspace.internal.store.StoredApp;
import dev.threadbare.workspace.internal.store.Timestamps;
import dev.threadbare.workspace.internal.store.User;
import dev.threadbare.workspace.internal.store.WorkspaceStore;
import dev.threadbare.workspace.internal.ui.WebUi;
import io.javalin.Javalin;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local workspace: a Slack-compatible chat hosted in the JVM, so threadbare runs without a
 * Slack account. The Slack SDK talks to its Web API at {@code /api/} exactly as to slack.com;
 * events go to a configured Request URL through the Events API; people use its web UI at {@code /}.
 *
 * <p>Open one with {@link #open(Path)} (SQLite at {@code DIR/workspace.db}) or {@link
 * #open(DataSource)} (PostgreSQL or any database the caller pools), then either {@link
 * #register(Javalin)} its routes on the caller's server or {@link #start(int)} its own. The first
 * open of an empty database creates the team, the bot user, an {@code admin} user and {@code
 * #general}. Thread-safe; {@link #close()} stops its server, its event deliveries and the pool it
 * opened.
 *
 * <pre>{@code
 * try (LocalWorkspace workspace = LocalWorkspace.open(Path.of("threadbare-data"))) {
 *   int port = workspace.start(0);
 *   String token = workspace.addUser("ada", false);
 * }
 * }</pre>
 */
public final class LocalWorkspace implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LocalWorkspace.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern USER_NAME = Pattern.compile("[a-z0-9][a-z0-9._\\-]{0,79}");

  private final WorkspaceStore store;
  private final HikariDataSource ownedPool;
  private final String teamId;
  private final User bot;
  private final String botToken;
  private final String firstRunAdminToken;
  private final EventDelivery delivery;
  private final SocketMode socketMode;
  private final WebApi api;
  private final WebUi ui;
  private Javalin server;
  private ScheduledExecutorService limitsWatcher;

  /** How often a serving workspace looks for rate limits changed by another process. */
  public static final Duration RATE_LIMITS_POLL = Duration.ofSeconds(2);

  /** The file (or ws_meta entry) holding the bot's token, which the bot must present. */
  static final String BOT_TOKEN_SECRET = "workspace-bot-token";

  /** The secret the bot's own event deliveries are signed with ({@code setEventsRequestUrl}). */
  static final String EVENTS_SECRET = "workspace-events-secret";

  /** The first admin's sign-in token, printed until an admin has signed in. */
  static final String ADMIN_TOKEN_SECRET = "workspace-admin-token";

  private final PresentedSecrets secrets;

  private LocalWorkspace(
      WorkspaceStore store,
      HikariDataSource ownedPool,
      java.util.function.Function<WorkspaceStore, PresentedSecrets> secretsOf) {
    this.store = store;
    this.ownedPool = ownedPool;
    this.secrets = secretsOf.apply(store);
    String marker = Ids.id("I");
    boolean firstRun = store.metaOrInit("initialized_by", marker).equals(marker);
    this.teamId = store.metaOrInit("team_id", Ids.id("T"));
    String teamName = store.metaOrInit("team_name", "threadbare");
    String appId = store.metaOrInit("app_id", Ids.id("A"));
    String verificationToken =
        store.metaOrInit(
            "verification_token",
            Ids.random("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 24));
    String adminToken = null;
    if (firstRun) {
      // Tokens are stored hashed; the two that must be shown or presented go to owner-only
      // secrets first.
      String newBotToken = Ids.token("xoxb");
      secrets.put(BOT_TOKEN_SECRET, newBotToken);
      store.createUser("threadbare", "threadbare", false, true, newBotToken);
      adminToken = Ids.token("xoxp");
      secrets.put(ADMIN_TOKEN_SECRET, adminToken);
      User admin = store.createUser("admin", "admin", true, false, adminToken);
      store.createChannel("general", false, true, admin.id());
      LOG.info(
          "local workspace created: sign in to its web UI as `admin` with the token {}",
          adminToken);
    }
    this.firstRunAdminToken = adminToken;
    this.bot =
        store
            .bot()
            .orElseThrow(
                () ->
                    new WorkspaceStorageException(
                        "the workspace database has no bot user: it was not created by"
                            + " LocalWorkspace, or is mid-creation by another process",
                        null));
    moveOutPlaintextTokens();
    this.botToken =
        secrets
            .get(BOT_TOKEN_SECRET)
            .orElseThrow(
                () ->
                    new WorkspaceStorageException(
                        "the bot's token is not in "
                            + secrets.where()
                            + ": restore "
                            + BOT_TOKEN_SECRET
                            + " there (threadbare restore of a backup taken --with-secrets), or"
                            + " start from a new data directory",
                        null));
    Timestamps clock = new Timestamps(store.latestMicros());
    EventBus bus = new EventBus();
    this.socketMode = new SocketMode();
    this.delivery =
        new EventDelivery(
            store,
            new EventDelivery.Identity(teamId, appId, bot.id(), verificationToken),
            socketMode,
            app -> secrets.get(PresentedSecrets.appSigningSecret(app.id())));
    bus.subscribe(delivery);
    this.api = new WebApi(store, bus, clock, teamId, teamName, appId, loadRateLimits(), socketMode);
    this.ui = new WebUi(store, api, bus);
    Optional<String> url = store.meta("events_url");
    Optional<String> secret = secrets.get(EVENTS_SECRET);
    if (url.isPresent() && secret.isPresent()) {
      delivery.restoreEndpoint(new EventDelivery.Endpoint(URI.create(url.get()), secret.get()));
    }
  }

  /**
   * Opens (creating on first use) the workspace stored in SQLite at {@code dataDir/workspace.db}.
   * Several processes may open it at once (WAL mode, a busy timeout), so the CLI works while the
   * server runs.
   */
  public static LocalWorkspace open(Path dataDir) {
    Objects.requireNonNull(dataDir, "dataDir");
    try {
      Files.createDirectories(dataDir);
    } catch (IOException e) {
      throw new WorkspaceStorageException(
          "cannot create the data directory " + dataDir + ": " + e.getMessage(), e);
    }
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl("jdbc:sqlite:" + dataDir.resolve("workspace.db").toAbsolutePath());
    config.addDataSourceProperty("journal_mode", "WAL");
    config.addDataSourceProperty("busy_timeout", "10000");
    config.addDataSourceProperty("synchronous", "NORMAL");
    config.addDataSourceProperty("foreign_keys", "true");
    config.addDataSourceProperty("transaction_mode", "IMMEDIATE");
    config.setMaximumPoolSize(4);
    config.setPoolName("workspace-sqlite");
    HikariDataSource pool = new HikariDataSource(config);
    try {
      Path secretsFolder = dataDir.resolve("secrets");
      return new LocalWorkspace(
          WorkspaceStore.open(pool), pool, store -> PresentedSecrets.inFolder(secretsFolder));
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
  }

  /**
   * Opens (creating on first use) the workspace in {@code dataSource}'s database (its own {@code
   * ws_*} tables). The caller keeps ownership of the data source.
   */
  public static LocalWorkspace open(DataSource dataSource) {
    Objects.requireNonNull(dataSource, "dataSource");
    return new LocalWorkspace(WorkspaceStore.open(dataSource), null, PresentedSecrets::inDatabase);
  }

  /**
   * Mounts the Web API ({@code /api/*}), file upload and download URLs, and the web UI ({@code /},
   * {@code /ui/*}, {@code /archives/*}) on {@code app}. The app's {@code http.maxRequestSize}
   * bounds file uploads.
   */
  public void register(Javalin app) {
    Objects.requireNonNull(app, "app");
    api.register(app);
    socketMode.register(app);
    ui.register(app);
    followStoredRateLimits();
  }

  /**
   * While serving, applies rate limits stored by another process ({@code threadbare workspace
   * limits}) within {@link #RATE_LIMITS_POLL}.
   */
  private synchronized void followStoredRateLimits() {
    if (limitsWatcher != null) {
      return;
    }
    limitsWatcher =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "workspace-rate-limits");
              thread.setDaemon(true);
              return thread;
            });
    long every = RATE_LIMITS_POLL.toMillis();
    limitsWatcher.scheduleWithFixedDelay(
        () -> {
          try {
            RateLimits stored = loadRateLimits();
            if (!stored.equals(api.rateLimits())) {
              api.setRateLimits(stored);
              LOG.info("rate limits changed: {}", stored);
            }
          } catch (RuntimeException e) {
            LOG.warn("cannot read the stored rate limits: {}", e.toString());
          }
        },
        every,
        every,
        TimeUnit.MILLISECONDS);
  }

  /** Starts a server of its own on 127.0.0.1:{@code port} (0: any free port); returns the port. */
  public synchronized int start(int port) {
    return start("127.0.0.1", port);
  }

  /** Starts a server of its own on {@code host}:{@code port}; returns the port. */
  public synchronized int start(String host, int port) {
    if (server != null) {
      throw new InvalidWorkspaceInputException(
          "the workspace already serves on port "
              + server.port()
              + ": close it before starting again");
    }
    Javalin app =
        Javalin.create(
            config -> {
              config.showJavalinBanner = false;
              config.http.maxRequestSize = 64L * 1024 * 1024;
              config.useVirtualThreads = true;
            });
    register(app);
    app.start(host, port);
    server = app;
    return app.port();
  }

  /** The team id ({@code T…}). */
  public String teamId() {
    return teamId;
  }

  /** The bot user's id ({@code U…}). */
  public String botUserId() {
    return bot.id();
  }

  /** The bot's token ({@code xoxb-…}), created with the workspace. */
  public String botToken() {
    return botToken;
  }

  /**
   * The {@code admin} user's token when this open created the workspace (print it so the first
   * person can sign in), else empty.
   */
  public Optional<String> firstRunAdminToken() {
    return Optional.ofNullable(firstRunAdminToken);
  }

  /**
   * The first admin's token (user {@code admin}) until an admin has signed in to the web UI once,
   * then empty: print it at every start until then, so a failed first start does not lose it. An
   * admin who lost it makes another admin with {@code threadbare workspace add-user --admin}.
   */
  public Optional<String> adminSignInToken() {
    if (store.meta(WorkspaceStore.ADMIN_SIGNED_IN).isPresent()) {
      return Optional.empty();
    }
    return secrets.get(ADMIN_TOKEN_SECRET);
  }

  /**
   * A workspace created before tokens were hashed keeps them in plaintext: the bot's and the first
   * admin's go to the secrets, then every token is replaced by its hash.
   */
  private void moveOutPlaintextTokens() {
    store
        .plaintextToken(bot.id(), "bot")
        .filter(t -> secrets.get(BOT_TOKEN_SECRET).isEmpty())
        .ifPresent(t -> secrets.put(BOT_TOKEN_SECRET, t));
    if (store.meta(WorkspaceStore.ADMIN_SIGNED_IN).isEmpty()) {
      store
          .userByName("admin")
          .flatMap(admin -> store.plaintextToken(admin.id(), "user"))
          .filter(t -> secrets.get(ADMIN_TOKEN_SECRET).isEmpty())
          .ifPresent(t -> secrets.put(ADMIN_TOKEN_SECRET, t));
    }
    store.hashPlaintextTokens();
    // Signing secrets, which older workspaces kept in the database.
    store
        .plaintextAppSecrets()
        .forEach(
            (id, secret) -> {
              secrets.put(PresentedSecrets.appSigningSecret(id), secret);
              store.clearAppSecret(id);
            });
    store
        .meta("events_secret")
        .ifPresent(
            secret -> {
              secrets.put(EVENTS_SECRET, secret);
              store.deleteMeta("events_secret");
            });
  }

  /**
   * Adds a person and returns their API token ({@code xoxp-…}), which also signs them in to the web
   * UI.
   *
   * @throws InvalidWorkspaceInputException when the name is malformed or taken
   */
  public String addUser(String name, boolean admin) {
    Objects.requireNonNull(name, "name");
    if (!USER_NAME.matcher(name).matches()) {
      throw new InvalidWorkspaceInputException(
          "user name `"
              + name
              + "` is not allowed: use 1-80 lower-case letters, digits, `.`, `_` or `-`,"
              + " starting with a letter or digit");
    }
    if (store.userByName(name).isPresent()) {
      throw new InvalidWorkspaceInputException(
          "user name `" + name + "` is taken: choose another name");
    }
    String token = Ids.token("xoxp");
    store.createUser(name, name, admin, false, token);
    return token;
  }

  /**
   * Registers another Slack app (a Bolt app, say) in the workspace: a bot user named {@code name}
   * with its bot token, a signing secret, and an app-level token for Socket Mode. Every message and
   * reaction event is delivered to the app too, signed with its secret: over its Socket Mode
   * connection when it has one open ({@code apps.connections.open}), else to {@code eventsUrl}
   * (null: Socket Mode only), with Slack's retries. Running servers on the same data see the app
   * within a second.
   *
   * @throws InvalidWorkspaceInputException when the name is malformed or taken, or the URL is not
   *     an absolute http(s) URL
   */
  public AppRegistration addApp(String name, String eventsUrl) {
    Objects.requireNonNull(name, "name");
    if (!USER_NAME.matcher(name).matches()) {
      throw new InvalidWorkspaceInputException(
          "app name `"
              + name
              + "` is not allowed: use 1-80 lower-case letters, digits, `.`, `_` or `-`,"
              + " starting with a letter or digit (it is also the app's bot user name)");
    }
    if (store.userByName(name).isPresent()) {
      throw new InvalidWorkspaceInputException(
          "the name `" + name + "` is taken by a user or app: choose another name");
    }
    if (eventsUrl != null) {
      requestUrl(eventsUrl);
    }
    String secret = Ids.random("abcdef0123456789", 32);
    String botToken = Ids.token("xoxb");
    String appToken = Ids.token("xapp");
    // The signing secret must be presented (it is the HMAC key), so it is kept owner-only with the
    // bot's token, never in the database; first, so a running server that sees the app has it.
    String id = WorkspaceStore.newAppId();
    secrets.put(PresentedSecrets.appSigningSecret(id), secret);
    StoredApp app = store.createApp(id, name, eventsUrl, botToken, appToken);
    delivery.appsChanged();
    return new AppRegistration(
        app.id(), app.name(), app.botUserId(), botToken, secret, appToken, eventsUrl);
  }

  /**
   * Points the events of the app named {@code name} at {@code eventsUrl} (null: Socket Mode only).
   *
   * @throws InvalidWorkspaceInputException when there is no such app or the URL is malformed
   */
  public void setAppEventsUrl(String name, String eventsUrl) {
    Objects.requireNonNull(name, "name");
    if (eventsUrl != null) {
      requestUrl(eventsUrl);
    }
    StoredApp app =
        store.apps().stream()
            .filter(a -> a.name().equals(name))
            .findFirst()
            .orElseThrow(
                () ->
                    new InvalidWorkspaceInputException(
                        "no app named `" + name + "`: add it with `threadbare workspace add-app`"));
    store.setAppEventsUrl(app.id(), eventsUrl);
    delivery.appsChanged();
  }

  private static URI requestUrl(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new InvalidWorkspaceInputException(
          "Request URL `" + url + "` is not a URL: " + e.getMessage());
    }
    if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
        || uri.getHost() == null) {
      throw new InvalidWorkspaceInputException(
          "Request URL `" + url + "` must be an absolute http:// or https:// URL");
    }
    return uri;
  }

  /**
   * Sends the {@code url_verification} handshake to {@code url} and, when answered, delivers every
   * message and reaction event there, signed with {@code signingSecret}. Kept across restarts.
   *
   * @throws UrlVerificationFailedException when the URL does not answer with the challenge
   */
  public void setEventsRequestUrl(String url, String signingSecret) {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(signingSecret, "signingSecret");
    URI uri = requestUrl(url);
    if (signingSecret.isEmpty()) {
      throw new InvalidWorkspaceInputException("the signing secret must not be empty");
    }
    delivery.setEndpoint(new EventDelivery.Endpoint(uri, signingSecret));
    secrets.put(EVENTS_SECRET, signingSecret);
    store.putMeta("events_url", url);
  }

  /**
   * Sets the delays before each retry of a failed delivery (Slack: immediately, after 1 minute,
   * after 5 minutes); the list's length is the number of retries.
   */
  public void setEventRetryDelays(List<Duration> delays) {
    Objects.requireNonNull(delays, "delays");
    for (Duration delay : delays) {
      if (delay.isNegative()) {
        throw new InvalidWorkspaceInputException("retry delay " + delay + " is negative");
      }
    }
    delivery.setRetryDelays(delays);
  }

  /** Sets how long a receiver may take before a delivery counts as timed out (Slack: 3 s). */
  public void setEventTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new InvalidWorkspaceInputException("event timeout " + timeout + " must be positive");
    }
    delivery.setTimeout(timeout);
  }

  /** Replaces the Web API rate limits; kept across restarts. */
  public void setRateLimits(RateLimits limits) {
    Objects.requireNonNull(limits, "limits");
    api.setRateLimits(limits);
    try {
      store.putMeta("rate_limits", JSON.writeValueAsString(limits));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("rate limits always serialise", e);
    }
  }

  /** The Web API rate limits in force. */
  public RateLimits rateLimits() {
    return api.rateLimits();
  }

  /**
   * Fixes the origin (such as {@code https://chat.example.com}) used in permalinks and file URLs;
   * by default each request's own origin is used.
   */
  public void setBaseUrl(String baseUrl) {
    api.setBaseUrl(baseUrl);
  }

  private RateLimits loadRateLimits() {
    Optional<String> stored = store.meta("rate_limits");
    if (stored.isPresent()) {
      try {
        return JSON.readValue(stored.get(), RateLimits.class);
      } catch (JsonProcessingException e) {
        LOG.warn("stored rate limits are unreadable, using Slack's defaults: {}", e.getMessage());
      }
    }
    return RateLimits.slackDefaults();
  }

  @Override
  public synchronized void close() {
    if (limitsWatcher != null) {
      limitsWatcher.shutdownNow();
      limitsWatcher = null;
    }
    ui.close();
    socketMode.close();
    if (server != null) {
      server.stop();
      server = null;
    }
    delivery.close();
    if (ownedPool != null) {
      ownedPool.close();
    }
  }
}
