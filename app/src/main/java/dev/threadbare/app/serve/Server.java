package dev.threadbare.app.serve;

import dev.threadbare.app.DataDir;
import dev.threadbare.app.PostgresUrl;
import dev.threadbare.chat.catchup.CatchUp;
import dev.threadbare.chat.outbox.Outbox;
import dev.threadbare.core.ThreadbareException;
import dev.threadbare.db.DbHttp;
import dev.threadbare.db.DbLayer;
import dev.threadbare.db.DbOptions;
import dev.threadbare.deploy.Deployer;
import dev.threadbare.gitserve.GitServe;
import dev.threadbare.materializer.Materializer;
import dev.threadbare.pgwire.PgWireServer;
import dev.threadbare.pgwire.TlsIdentity;
import dev.threadbare.workspace.LocalWorkspace;
import io.javalin.Javalin;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code threadbare serve}: every piece in one process, on one HTTP port (the local workspace's Web
 * API and UI, the Events API endpoint, git smart HTTP and the code browser, the db layer's HTTP
 * endpoint, {@code /healthz}, {@code /metrics}) plus the PostgreSQL wire port.
 *
 * <p>With no Slack settings the bot talks to the local workspace through the Slack SDK over HTTP,
 * exactly as it would to Slack. With {@code SLACK_BOT_TOKEN} and {@code SLACK_SIGNING_SECRET} it
 * serves a real workspace over the HTTP Events API; with {@code SLACK_APP_TOKEN} over Socket Mode.
 *
 * <p>In real-Slack mode two more variables apply: {@code SLACK_API_URL} points the Web API at a
 * Slack-compatible server instead of Slack (for example {@code http://127.0.0.1:9000/api/}, a local
 * workspace in another process; the bot's user id still comes from {@code auth.test}), and {@code
 * THREADBARE_CATCHUP_PER_MINUTE} sets catch-up's history requests a minute (default {@value
 * CatchUp#DEFAULT_REQUESTS_PER_MINUTE}, Slack's limit for non-Marketplace apps; raise it only for a
 * server that allows more).
 *
 * <p>The db layer runs on DuckDB in the data directory, or on the PostgreSQL server of {@link
 * Settings#dbPostgres()} ({@code --db-postgres} / {@code THREADBARE_DB_POSTGRES}).
 *
 * <p>Lifecycle: {@link #start} builds and starts everything; {@link #close()} stops it in reverse
 * order. Not reusable after close.
 */
public final class Server implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Server.class);

  /**
   * What to run: one value, made with {@link #defaults} and changed with the {@code withX} methods
   * (each returns a copy). Immutable.
   *
   * @param data the data directory
   * @param host the address to bind (loopback by default)
   * @param port the HTTP port, 0 for a free one (the default)
   * @param dbPort the PostgreSQL wire port, 0 for a free one, negative (the default) to not serve
   *     it
   * @param journalUrl a PostgreSQL JDBC URL for the journal, or null (the default) for SQLite in
   *     {@code data}
   * @param slack real Slack credentials, or null (the default) for the local workspace
   * @param ops where ops events go (catch-up reports, indexes the db layer made or dropped), or
   *     null (the default) for the log only
   * @param dbPostgres the PostgreSQL server the db layer runs on, or null (the default) for DuckDB
   *     in {@code data}
   * @param dbTls TLS on the wire port; null means the default, {@link DbTls#generated()}
   * @param baseHost deployments are served at {@code <uuid>.<baseHost>}; null (the default) means
   *     {@code localhost:<port>}
   * @param maxRunning at most this many deployments run at once; 0 (the default) means fitted to
   *     memory
   */
  public record Settings(
      Path data,
      String host,
      int port,
      int dbPort,
      String journalUrl,
      SlackCredentials slack,
      OpsChannel ops,
      PostgresUrl dbPostgres,
      DbTls dbTls,
      String baseHost,
      int maxRunning) {
    /** Validates. */
    public Settings {
      Objects.requireNonNull(data, "data");
      Objects.requireNonNull(host, "host");
      dbTls = dbTls == null ? DbTls.generated() : dbTls;
      if (maxRunning < 0) {
        throw new ThreadbareException(
            "--max-running " + maxRunning + " must be at least 1 (or 0 for the default)");
      }
    }

    /**
     * The defaults for {@code data}: loopback, a free HTTP port, no wire port, the journal in
     * SQLite, the local workspace, no ops channel, the db layer on DuckDB, generated TLS.
     */
    public static Settings defaults(Path data) {
      return new Settings(data, "127.0.0.1", 0, -1, null, null, null, null, null, null, 0);
    }

    /** These settings bound to {@code address}. */
    public Settings withHost(String address) {
      return with(b -> b.host = address);
    }

    /** These settings on HTTP port {@code httpPort} (0: a free one). */
    public Settings withPort(int httpPort) {
      return with(b -> b.port = httpPort);
    }

    /** These settings serving the wire protocol on {@code wirePort} (0: free; negative: none). */
    public Settings withDbPort(int wirePort) {
      return with(b -> b.dbPort = wirePort);
    }

    /** These settings with the journal at the PostgreSQL JDBC {@code url} (null: SQLite). */
    public Settings withJournalUrl(String url) {
      return with(b -> b.journalUrl = url);
    }

    /** These settings serving a real Slack app (null: the local workspace). */
    public Settings withSlack(SlackCredentials credentials) {
      return with(b -> b.slack = credentials);
    }

    /** These settings reporting ops events to {@code channel} (null: the log only). */
    public Settings withOps(OpsChannel channel) {
      return with(b -> b.ops = channel);
    }

    /** These settings with the db layer on {@code server} (null: DuckDB). */
    public Settings withDbPostgres(PostgresUrl server) {
      return with(b -> b.dbPostgres = server);
    }

    /** These settings serving deployments at {@code <uuid>.<host>} (null: localhost:port). */
    public Settings withBaseHost(String host) {
      return with(b -> b.baseHost = host);
    }

    /** These settings running at most {@code count} deployments at once (0: fitted to memory). */
    public Settings withMaxRunning(int count) {
      return with(b -> b.maxRunning = count);
    }

    /** These settings with another TLS setting for the wire port. */
    public Settings withDbTls(DbTls tls) {
      return with(b -> b.dbTls = tls);
    }

    /** A copy of these settings changed by {@code change}; adding a setting touches only Copy. */
    private Settings with(java.util.function.Consumer<Copy> change) {
      Copy copy = new Copy(this);
      change.accept(copy);
      return copy.settings();
    }

    /** The mutable copy the withers change: one place that lists every setting. */
    private static final class Copy {
      Path data;
      String host;
      int port;
      int dbPort;
      String journalUrl;
      SlackCredentials slack;
      OpsChannel ops;
      PostgresUrl dbPostgres;
      DbTls dbTls;
      String baseHost;
      int maxRunning;

      Copy(Settings from) {
        data = from.data;
        host = from.host;
        port = from.port;
        dbPort = from.dbPort;
        journalUrl = from.journalUrl;
        slack = from.slack;
        ops = from.ops;
        dbPostgres = from.dbPostgres;
        dbTls = from.dbTls;
        baseHost = from.baseHost;
        maxRunning = from.maxRunning;
      }

      Settings settings() {
        return new Settings(
            data,
            host,
            port,
            dbPort,
            journalUrl,
            slack,
            ops,
            dbPostgres,
            dbTls,
            baseHost,
            maxRunning);
      }
    }
  }

  /**
   * The ops channel: a channel id, in the served workspace (no token) or in another one, reached
   * with its own bot token at {@code apiUrl} (null: real Slack).
   */
  public record OpsChannel(String channel, String token, String apiUrl) {
    /** Validates. */
    public OpsChannel {
      if (channel == null || channel.isBlank()) {
        throw new ThreadbareException(
            "the ops channel needs a channel id (THREADBARE_OPS_CHANNEL), such as C0123ABCD");
      }
    }

    /**
     * {@code THREADBARE_OPS_CHANNEL}, with {@code THREADBARE_OPS_TOKEN} and {@code
     * THREADBARE_OPS_API_URL} for another workspace; null when no channel is set.
     */
    public static OpsChannel fromEnvironment() {
      String channel = System.getenv("THREADBARE_OPS_CHANNEL");
      if (channel == null || channel.isBlank()) {
        return null;
      }
      String token = System.getenv("THREADBARE_OPS_TOKEN");
      return new OpsChannel(
          channel,
          token == null || token.isBlank() ? null : token,
          System.getenv("THREADBARE_OPS_API_URL"));
    }
  }

  /**
   * Credentials of a real Slack app: a bot token, and a signing secret (HTTP events) or an
   * app-level token (Socket Mode).
   */
  public record SlackCredentials(String botToken, String signingSecret, String appToken) {
    /** Validates: a bot token and one way of receiving events. */
    public SlackCredentials {
      if (botToken == null || botToken.isBlank()) {
        throw new ThreadbareException(
            "SLACK_BOT_TOKEN is not set: real Slack needs the bot token (xoxb-…)");
      }
      if ((signingSecret == null || signingSecret.isBlank())
          && (appToken == null || appToken.isBlank())) {
        throw new ThreadbareException(
            "SLACK_SIGNING_SECRET or SLACK_APP_TOKEN is needed with SLACK_BOT_TOKEN: the signing"
                + " secret for HTTP events, or an xapp- token for Socket Mode");
      }
    }

    /** The credentials in the environment, or null when {@code SLACK_BOT_TOKEN} is not set. */
    public static SlackCredentials fromEnvironment() {
      String bot = System.getenv("SLACK_BOT_TOKEN");
      if (bot == null || bot.isBlank()) {
        return null;
      }
      return new SlackCredentials(
          bot, System.getenv("SLACK_SIGNING_SECRET"), System.getenv("SLACK_APP_TOKEN"));
    }
  }

  private final Deque<AutoCloseable> closers = new ArrayDeque<>();
  private String url;
  private int dbPort = -1;
  private TlsIdentity dbTls;
  private String dbEngine;
  private String firstRunAdminToken;
  private LocalWorkspace workspace;
  private Javalin http;
  private Deployer deployer;
  private CiWiring ci;
  private MergeGates mergeGates;
  private dev.threadbare.prod.ProdServer prod;
  private DbLayer db;
  private DataDir dataDir;
  private OpsReporting ops;

  private Server() {}

  /** Starts everything; on failure, stops what had started and rethrows. */
  public static Server start(Settings settings) {
    Server server = new Server();
    try {
      server.run(settings);
      return server;
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
  }

  /** The HTTP base URL, such as {@code http://127.0.0.1:8080}. */
  public String url() {
    return url;
  }

  /** The PostgreSQL wire port, or -1 when not served. */
  public int dbPort() {
    return dbPort;
  }

  /** The wire port's TLS certificate, or null when TLS is off or the port is not served. */
  public TlsIdentity dbTls() {
    return dbTls;
  }

  /** Which engine the db layer runs on, for people: DuckDB or PostgreSQL (password masked). */
  public String dbEngine() {
    return dbEngine;
  }

  /**
   * Which engine a db layer on {@code postgres} (null: DuckDB in {@code data}) runs on, for people;
   * the password masked.
   */
  public static String describeDbEngine(PostgresUrl postgres, Path data) {
    return postgres == null
        ? "DuckDB in " + data.resolve("db")
        : "PostgreSQL at " + postgres + " (one database tb_<name> per logical database)";
  }

  /** The db layer (for scheduled backups: {@code app/cli/DbBackupCommands.backupInto}). */
  public DbLayer dbLayer() {
    return db;
  }

  /** The deployments this server runs and proxies. */
  public Deployer deployer() {
    return deployer;
  }

  /** The local workspace, when serving one (not with real Slack): for administration. */
  public Optional<LocalWorkspace> workspace() {
    return Optional.ofNullable(workspace);
  }

  /** The CI runner, when the sandbox can run here. */
  public Optional<dev.threadbare.ci.Ci> ci() {
    return Optional.ofNullable(ci).map(CiWiring::ci);
  }

  private dev.threadbare.ci.Ci ciRunner() {
    return ci == null ? null : ci.ci();
  }

  /**
   * Takes a chat backup every {@code every} ({@code 1d}, {@code 12h}, {@code off}) into {@code
   * DIR/backups}, keeping the newest {@code keep}, each reported in the ops channel ({@link
   * BackupWiring}); returns the folder. Stops when the server closes.
   */
  public Path scheduleBackups(String every, int keep) {
    closeLater(
        BackupWiring.start(
            dataDir,
            ops,
            BackupWiring.parseEvery(every),
            keep,
            BackupWiring.ProdDatabases.of(this::dbLayer, this::prodDatabases)));
    return dataDir.directory().resolve(BackupWiring.FOLDER);
  }

  /** The databases of every channel that has a version in prod. */
  private List<String> prodDatabases() {
    dev.threadbare.prod.ProdServer server = prod;
    if (server == null) {
      return List.of();
    }
    return server.store().channels().stream()
        .filter(channel -> server.store().current(channel).isPresent())
        .map(dev.threadbare.prod.ProdServer::database)
        .toList();
  }

  /** The first admin's token when this start created the local workspace, else null. */
  public String firstRunAdminToken() {
    return firstRunAdminToken;
  }

  /** Hands what was started to {@link Server#close()}, which closes it newest first. */
  interface Closer {
    /** Closes {@code closeable} when the server stops; returns it. */
    <T extends AutoCloseable> T closeLater(T closeable);
  }

  private <T extends AutoCloseable> T closeLater(T closeable) {
    closers.push(closeable);
    return closeable;
  }

  /**
   * Wires every piece: the data directory, the chat side ({@link ChatWiring}), git serving, the db
   * layer with its HTTP endpoint and wire port, ops reporting ({@link OpsReporting}) and metrics.
   */
  private void run(Settings settings) {
    Closer closer = this::closeLater;
    dataDir =
        closeLater(
            DataDir.openForWriting(settings.data(), settings.journalUrl(), "threadbare serve"));
    Nodes nodes = closeLater(Nodes.start(dataDir));
    int port = settings.port() == 0 ? freePort(settings.host()) : settings.port();
    url = "http://" + hostForUrl(settings.host()) + ":" + port;

    ChatWiring chat = ChatWiring.connect(settings, url, closer);
    workspace = chat.workspace();
    firstRunAdminToken = workspace == null ? null : workspace.firstRunAdminToken().orElse(null);
    ChatChannels chatChannels =
        new ChatChannels(chat.methods(), chat.botToken(), dataDir.store(), dataDir.gitDirectory());
    GitServe gitServe =
        GitServe.create(
            settings.data(),
            chatChannels,
            new GitServe.Settings(false, url)
                .withChatUrl(workspace != null ? url : ChatConversations.teamUrl(chat.methods())));
    gitServe.conversationsFrom(new ChatConversations(chat.methods()));
    if (workspace != null) {
      gitServe.signInWith(new WorkspaceSessions(chat.slack()));
    }
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    AtomicReference<DbLayer> dbLayer = new AtomicReference<>();
    DeployWiring deploys =
        DeployWiring.open(settings, url, port, dataDir, dbLayer::get, () -> dbPort, metrics);
    deploys.startOnlyWhile(nodes::leading);
    deployer = deploys.deployer();
    http = httpServer(gitServe, deployer);
    if (workspace != null) {
      workspace.register(http);
    }
    Outbox outbox = chat.startOutbox(nodes);
    ops = OpsReporting.open(settings.ops(), settings.data(), outbox, closer);
    DbLayer db = openDb(settings, ops);
    dbLayer.set(db);
    this.db = db;
    // Stopped before the db layer closes (closers run newest first).
    closeLater(deployer);
    DbHttp.register(http, db);
    prod =
        ProdWiring.start(
            settings,
            dataDir,
            deployer,
            chat,
            outbox,
            ops,
            dbLayer::get,
            () -> dbPort,
            this::ciRunner,
            gitServe,
            closer);

    Counter eventsJournaled = metrics.counter("threadbare_events_journaled_total");
    chat.wire(http, dataDir, gitServe, url, entries -> eventsJournaled.increment(entries.size()));
    registerMetrics(metrics, dataDir, outbox);
    // CI hangs off the materializer's outcomes; its routes and meters join the server's.
    Optional<CiWiring> ciWiring =
        CiWiring.start(
            dataDir,
            outbox,
            metrics,
            http,
            gitServe,
            chatChannels,
            url,
            deploys.ciListener(),
            nodes::leading);
    nodes.serveLeaderCheck(http);
    ciWiring.ifPresent(this::closeLater);
    this.ci = ciWiring.orElse(null);
    mergeGates =
        new MergeGates(dataDir.store(), ci == null ? null : ci.ci().store())
            .approvalsFrom(
                (channel, threadTs) ->
                    dev.threadbare.core.review.Approvals.of(dataDir.journal(), channel)
                        .ofThread(channel, threadTs));
    chat.bot().gatingMerges(mergeGates);
    ChatDeploys.start(deploys, dataDir, outbox, chat.bot(), ci(), url);
    deploys.pages(http, dataDir.store(), gitServe, chatChannels);
    ChannelPage.register(
        http, dataDir, gitServe, chatChannels, ci == null ? null : ci.ci().store(), deployer, prod);

    http.start(settings.host(), port);
    chat.answer(dataDir, url);
    ciWiring.ifPresent(c -> c.bornAt(outbox));
    serveWire(settings, db);
    // Anything journaled before a crash but not yet in git.
    dataDir.catchUp();
    nodes.whenLeading(() -> chat.startCatchUp(dataDir, ops));
    // workspace.db, outbox.db and the others exist now: owner-only, like the directory.
    dataDir.secure();
  }

  private Javalin httpServer(GitServe gitServe, Deployer deployer) {
    Javalin server =
        Javalin.create(
            config -> {
              config.showJavalinBanner = false;
              config.http.maxRequestSize = 16L * 1024 * 1024;
              gitServe.configure(config);
              // The reverse proxy wraps the server's own handler: <uuid>.<base host> goes to
              // the deployment, everything else to Javalin.
              config.jetty.modifyServer(jetty -> jetty.setHandler(deployer.handler()));
            });
    closeLater(server::stop);
    return server;
  }

  private DbLayer openDb(Settings settings, OpsReporting ops) {
    DbOptions dbOptions = ops.dbOptions(DbOptions.defaults());
    PostgresUrl postgres = settings.dbPostgres();
    DbLayer db =
        closeLater(
            postgres == null
                ? DbLayer.duckDb(settings.data(), dbOptions)
                : postgres.openLayer(dbOptions));
    dbEngine = describeDbEngine(postgres, settings.data());
    log.info("db layer on {}", dbEngine);
    return db;
  }

  private void serveWire(Settings settings, DbLayer db) {
    if (settings.dbPort() < 0) {
      return;
    }
    dbTls = settings.dbTls().identity(settings.data(), settings.host());
    PgWireServer wire =
        closeLater(
            PgWireServer.start(
                db,
                new InetSocketAddress(settings.host(), settings.dbPort()),
                PgWireServer.Settings.defaults()
                    .withTls(dbTls == null ? null : dbTls.sslContext())));
    dbPort = wire.port();
  }

  private void registerMetrics(PrometheusMeterRegistry metrics, DataDir dataDir, Outbox outbox) {
    Gauge.builder("threadbare_journal_lag_entries", dataDir, Server::lag).register(metrics);
    Gauge.builder("threadbare_outbox_depth", outbox, Outbox::depth).register(metrics);
    Gauge.builder("threadbare_outbox_rate_limit_waits", outbox, Outbox::rateLimitWaits)
        .register(metrics);
    http.get("/healthz", ctx -> ctx.result("ok"));
    http.get(
        "/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4").result(metrics.scrape()));
  }

  private static long lag(DataDir dataDir) {
    return dataDir.journal().lastSeq() - dataDir.journal().cursor(Materializer.CURSOR);
  }

  private static int freePort(String host) {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getByName(host))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on " + host + ": " + e.getMessage(), e);
    }
  }

  static String hostForUrl(String host) {
    return "0.0.0.0".equals(host) ? "127.0.0.1" : host;
  }

  /** Stops everything that started, newest first; logs (and continues past) close failures. */
  @Override
  public void close() {
    Consumer<AutoCloseable> closeQuietly =
        c -> {
          try {
            c.close();
          } catch (Exception e) {
            log.warn("while stopping: {}", e.toString());
          }
        };
    // Stop taking requests first, so nothing arrives at a half-closed intake; Slack (or the
    // local workspace) retries what it could not deliver, and catch-up finds the rest.
    if (http != null) {
      closeQuietly.accept(http::stop);
    }
    while (!closers.isEmpty()) {
      closeQuietly.accept(closers.pop());
    }
  }
}
