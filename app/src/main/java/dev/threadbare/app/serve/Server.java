package dev.threadbare.app.serve;

import com.slack.api.Slack;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.response.auth.AuthTestResponse;
import dev.threadbare.app.DataDir;
import dev.threadbare.app.PostgresUrl;
import dev.threadbare.chat.Chat;
import dev.threadbare.chat.bot.Bot;
import dev.threadbare.chat.bot.GitAccess;
import dev.threadbare.chat.catchup.CatchUp;
import dev.threadbare.chat.events.EventIntake;
import dev.threadbare.chat.files.FileDownloader;
import dev.threadbare.chat.outbox.Outbox;
import dev.threadbare.chat.outbox.OutboxLimits;
import dev.threadbare.chat.outbox.OutgoingCall;
import dev.threadbare.chat.socket.SocketModeReceiver;
import dev.threadbare.core.ThreadbareException;
import dev.threadbare.db.DbHttp;
import dev.threadbare.db.DbLayer;
import dev.threadbare.db.DbOptions;
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
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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
   * What to run.
   *
   * @param data the data directory
   * @param host the address to bind (loopback by default)
   * @param port the HTTP port, 0 for a free one
   * @param dbPort the PostgreSQL wire port, 0 for a free one, negative to not serve it
   * @param journalUrl a PostgreSQL JDBC URL for the journal, or null for SQLite in {@code data}
   * @param slack real Slack credentials, or null for the local workspace
   * @param ops where ops events go (catch-up reports, indexes the db layer made or dropped), or
   *     null for the log only
   * @param dbPostgres the PostgreSQL server the db layer runs on, or null for DuckDB in {@code
   *     data}
   * @param dbTls TLS on the wire port; null means the default, {@link DbTls#generated()}
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
      DbTls dbTls) {
    /** Validates. */
    public Settings {
      Objects.requireNonNull(data, "data");
      Objects.requireNonNull(host, "host");
      dbTls = dbTls == null ? DbTls.generated() : dbTls;
    }

    /** Settings with TLS on the wire port by the generated certificate. */
    public Settings(
        Path data,
        String host,
        int port,
        int dbPort,
        String journalUrl,
        SlackCredentials slack,
        OpsChannel ops,
        PostgresUrl dbPostgres) {
      this(data, host, port, dbPort, journalUrl, slack, ops, dbPostgres, null);
    }

    /** Settings with the db layer on DuckDB. */
    public Settings(
        Path data,
        String host,
        int port,
        int dbPort,
        String journalUrl,
        SlackCredentials slack,
        OpsChannel ops) {
      this(data, host, port, dbPort, journalUrl, slack, ops, null);
    }

    /** Settings with no ops channel and the db layer on DuckDB. */
    public Settings(
        Path data, String host, int port, int dbPort, String journalUrl, SlackCredentials slack) {
      this(data, host, port, dbPort, journalUrl, slack, null, null);
    }

    /** These settings with the db layer on {@code server} (null: DuckDB). */
    public Settings withDbPostgres(PostgresUrl server) {
      return new Settings(data, host, port, dbPort, journalUrl, slack, ops, server, dbTls);
    }

    /** These settings with another TLS setting for the wire port. */
    public Settings withDbTls(DbTls tls) {
      return new Settings(data, host, port, dbPort, journalUrl, slack, ops, dbPostgres, tls);
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
  private CiWiring ci;

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

  /** The local workspace, when serving one (not with real Slack): for administration. */
  public Optional<LocalWorkspace> workspace() {
    return Optional.ofNullable(workspace);
  }

  /** The CI runner, when the sandbox can run here. */
  public Optional<dev.threadbare.ci.Ci> ci() {
    return Optional.ofNullable(ci).map(CiWiring::ci);
  }

  /** The first admin's token when this start created the local workspace, else null. */
  public String firstRunAdminToken() {
    return firstRunAdminToken;
  }

  private <T extends AutoCloseable> T closeLater(T closeable) {
    closers.push(closeable);
    return closeable;
  }

  private void run(Settings settings) {
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    DataDir dataDir = closeLater(DataDir.open(settings.data(), settings.journalUrl()));
    Materializer materializer = dataDir.materializer();
    int port = settings.port() == 0 ? freePort(settings.host()) : settings.port();
    url = "http://" + hostForUrl(settings.host()) + ":" + port;

    boolean local = settings.slack() == null;
    LocalWorkspace workspace = null;
    String botToken;
    Slack slack;
    if (local) {
      workspace = closeLater(LocalWorkspace.open(settings.data()));
      this.workspace = workspace;
      workspace.setBaseUrl(url);
      firstRunAdminToken = workspace.firstRunAdminToken().orElse(null);
      botToken = workspace.botToken();
      slack = Chat.slack(url + "/api/");
    } else {
      botToken = settings.slack().botToken();
      slack = Chat.slack(env("SLACK_API_URL"));
    }
    MethodsClient methods = slack.methods(botToken);

    ChatChannels chatChannels =
        new ChatChannels(methods, botToken, dataDir.store(), dataDir.gitDirectory());
    GitServe gitServe =
        GitServe.create(settings.data(), chatChannels, new GitServe.Settings(false, url));
    Javalin http =
        Javalin.create(
            config -> {
              config.showJavalinBanner = false;
              config.http.maxRequestSize = 16L * 1024 * 1024;
              gitServe.configure(config);
            });
    closeLater(http::stop);
    this.http = http;
    if (workspace != null) {
      workspace.register(http);
    }
    Outbox outbox =
        closeLater(
            Outbox.sqlite(settings.data(), methods, outboxLimits(), Clock.systemUTC()).start());
    OpsChannel ops = settings.ops();
    Outbox opsOutbox =
        ops == null || ops.token() == null
            ? outbox
            : closeLater(
                Outbox.sqlite(
                        settings.data().resolve("ops"),
                        Chat.slack(ops.apiUrl()).methods(ops.token()),
                        outboxLimits(),
                        Clock.systemUTC())
                    .start());
    DbOptions dbOptions = DbOptions.defaults();
    if (ops != null) {
      dbOptions =
          dbOptions.withOpsListener(
              event ->
                  opsOutbox.enqueue(
                      new OutgoingCall.PostMessage(
                          "db:"
                              + event.at().toEpochMilli()
                              + ":"
                              + event.database()
                              + ":"
                              + event.kind()
                              + ":"
                              + Integer.toHexString(event.message().hashCode()),
                          ops.channel(),
                          null,
                          "db `" + event.database() + "`: " + event.message())));
    }
    PostgresUrl postgres = settings.dbPostgres();
    DbLayer db =
        closeLater(
            postgres == null
                ? DbLayer.duckDb(settings.data(), dbOptions)
                : postgres.openLayer(dbOptions));
    dbEngine = describeDbEngine(postgres, settings.data());
    log.info("db layer on {}", dbEngine);
    DbHttp.register(http, db);
    String botUserId = local ? workspace.botUserId() : botUserId(methods, botToken);
    Bot bot =
        Chat.bot(outbox, new MaterializerOutcomes(materializer, dataDir.journal()), botUserId)
            .issuingTokens(
                (user, channel) ->
                    new GitAccess.Grant(
                        gitServe.addToken(user),
                        url
                            + "/git/"
                            + Optional.ofNullable(dataDir.store().channelName(channel))
                                .orElse(channel)
                            + ".git"));
    // CI hangs off the materializer's outcomes; its routes and meters join the server's.
    Optional<CiWiring> ci =
        CiWiring.start(dataDir, outbox, metrics, http, gitServe, chatChannels, url);
    ci.ifPresent(this::closeLater);
    this.ci = ci.orElse(null);
    Counter eventsReceived = metrics.counter("threadbare_events_journaled_total");
    EventIntake intake =
        closeLater(
            Chat.intake(dataDir.journal())
                .enrichWith(
                    FileDownloader.create(botToken, FileDownloader.DEFAULT_MAX_BYTES, outbox))
                .onJournaled(bot)
                .onJournaled(entries -> eventsReceived.increment(entries.size())));
    String signingSecret = local ? randomSecret() : settings.slack().signingSecret();
    if (signingSecret != null && !signingSecret.isBlank()) {
      Chat.eventsEndpoint(signingSecret, intake).onSlashCommand(bot).register(http);
    }
    if (!local && settings.slack().appToken() != null && !settings.slack().appToken().isBlank()) {
      closeLater(
          SocketModeReceiver.create(settings.slack().appToken(), slack, intake)
              .onSlashCommand(bot)
              .start());
    }

    Gauge.builder("threadbare_journal_lag_entries", dataDir, d -> lag(d)).register(metrics);
    Gauge.builder("threadbare_outbox_depth", outbox, Outbox::depth).register(metrics);
    Gauge.builder("threadbare_outbox_rate_limit_waits", outbox, Outbox::rateLimitWaits)
        .register(metrics);
    http.get("/healthz", ctx -> ctx.result("ok"));
    http.get(
        "/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4").result(metrics.scrape()));

    http.start(settings.host(), port);
    // Answer what a crash kept from the bot (journaled, not yet answered) before events flow.
    bot.resume(dataDir.journal());
    ci.ifPresent(c -> c.bornAt(outbox));

    if (settings.dbPort() >= 0) {
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

    if (workspace != null) {
      // The local workspace delivers its events to our own endpoint, signed, as Slack would.
      workspace.setEventsRequestUrl(url + "/slack/events", signingSecret);
    }
    // Anything journaled before a crash but not yet in git.
    dataDir.catchUp();
    CatchUp catchUp =
        closeLater(
            opsReports(
                    Chat.catchUp(dataDir.journal(), intake, methods, botToken)
                        .requestsPerMinute(local ? 600 : catchUpPerMinute()),
                    ops,
                    opsOutbox)
                .build());
    // Runs at once (in the background), then every five minutes.
    catchUp.start(Duration.ofMinutes(5));
  }

  /** A non-blank environment variable, or null. */
  private static String env(String name) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? null : value.strip();
  }

  private static OutboxLimits outboxLimits() {
    OutboxLimits slack = OutboxLimits.slackDefaults();
    if (env("THREADBARE_OUTBOX_PER_MINUTE") == null) {
      return slack;
    }
    double perMinute = positiveNumber("THREADBARE_OUTBOX_PER_MINUTE");
    int budget = (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.round(perMinute)));
    Map<String, Integer> budgets = new HashMap<>();
    slack.perMinute().keySet().forEach(method -> budgets.put(method, budget));
    return new OutboxLimits(
        Duration.ofNanos((long) (60e9 / perMinute)), budgets, slack.retryBackoff());
  }

  private static double catchUpPerMinute() {
    return env("THREADBARE_CATCHUP_PER_MINUTE") == null
        ? CatchUp.DEFAULT_REQUESTS_PER_MINUTE
        : positiveNumber("THREADBARE_CATCHUP_PER_MINUTE");
  }

  private static double positiveNumber(String name) {
    String value = env(name);
    try {
      double perMinute = Double.parseDouble(value);
      if (perMinute > 0 && Double.isFinite(perMinute)) {
        return perMinute;
      }
    } catch (NumberFormatException e) {
      // falls through to the error below
    }
    throw new ThreadbareException(
        name
            + "=\""
            + value
            + "\" is not a positive number: set it to calls a minute, such as 600");
  }

  private static CatchUp.Builder opsReports(
      CatchUp.Builder builder, OpsChannel ops, Outbox opsOutbox) {
    return ops == null ? builder : builder.opsChannel(opsOutbox, ops.channel());
  }

  private static long lag(DataDir dataDir) {
    return dataDir.journal().lastSeq() - dataDir.journal().cursor(Materializer.CURSOR);
  }

  private static String botUserId(MethodsClient methods, String botToken) {
    try {
      AuthTestResponse auth = methods.authTest(r -> r.token(botToken));
      if (!auth.isOk()) {
        throw new ThreadbareException(
            "auth.test with the bot token failed: " + auth.getError() + " (check SLACK_BOT_TOKEN)");
      }
      return auth.getUserId();
    } catch (IOException e) {
      throw new UncheckedIOException("auth.test: " + e.getMessage(), e);
    } catch (com.slack.api.methods.SlackApiException e) {
      throw new ThreadbareException("auth.test: " + e.getMessage(), e);
    }
  }

  private static String randomSecret() {
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  private static int freePort(String host) {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getByName(host))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on " + host + ": " + e.getMessage(), e);
    }
  }

  private static String hostForUrl(String host) {
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
