package dev.threadbare.app.serve;

import dev.threadbare.app.DataDir;
import dev.threadbare.chat.bot.Bot;
import dev.threadbare.chat.outbox.Outbox;
import dev.threadbare.ci.Ci;
import dev.threadbare.ci.CiHttp;
import dev.threadbare.ci.RunStore;
import dev.threadbare.core.journal.JournalEntry;
import dev.threadbare.core.materialization.BranchUpdate;
import dev.threadbare.core.materialization.EntryOutcome;
import dev.threadbare.gitserve.GitServe;
import dev.threadbare.gitserve.ServedChannel;
import dev.threadbare.sandbox.Sandbox;
import dev.threadbare.sandbox.SandboxException;
import dev.threadbare.sandbox.Sandboxes;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CI inside {@code serve}: the sandbox, the run store ({@link #openStore}), the runner fed by the
 * materializer's outcomes (one run per commit per branch), the chat reporter, the {@code /ci/}
 * routes and the meters. Without a usable bubblewrap CI is off and the server says so.
 */
final class CiWiring implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CiWiring.class);

  /** Where {@code serve} records its base URL for {@code threadbare ci}'s log links. */
  static final String BASE_URL_FILE = "ci-base-url";

  private final Ci ci;
  private final RunStore store;
  private final DataDir dataDir;
  private volatile long bornMillis = -1;

  private CiWiring(Ci ci, RunStore store, DataDir dataDir) {
    this.ci = ci;
    this.store = store;
    this.dataDir = dataDir;
  }

  /**
   * Starts CI, or returns empty (and logs why) when the sandbox cannot run here; {@code deploys}
   * hears of every run before the chat does (so a green reaction finds the version deployed). Every
   * node queues the runs of the commits it materializes (a run is recorded once, by channel, branch
   * and commit); runs execute, and are reported, only while {@code runsHere} holds: on the leader,
   * which at a takeover runs again what the old leader was running.
   */
  static Optional<CiWiring> start(
      DataDir dataDir,
      Outbox outbox,
      MeterRegistry metrics,
      Javalin http,
      GitServe gitServe,
      ChatChannels channels,
      String url,
      Ci.Listener deploys,
      BooleanSupplier runsHere) {
    Path data = dataDir.directory();
    // Outside the data directory (the sandbox user must traverse its path), one per data directory.
    String tag = Integer.toHexString(data.toAbsolutePath().toString().hashCode());
    Path scratch = Path.of(System.getProperty("java.io.tmpdir"), "threadbare-sandbox-" + tag);
    Sandbox sandbox;
    try {
      sandbox = Sandboxes.bubblewrap(scratch);
    } catch (SandboxException e) {
      log.warn("CI is off: {}", e.getMessage());
      return Optional.empty();
    }
    log.info("CI sandbox: {}", sandbox.describe());
    RunStore store = openStore(dataDir);
    ChatCi chat = new ChatCi(outbox, url, metrics);
    Ci ci =
        Ci.builder(
                store,
                channel -> dataDir.store().repository(channel),
                sandbox,
                scratch.resolve("ci"),
                data.resolve("ci-logs"))
            .concurrency(concurrency())
            .runWhile(runsHere)
            .listener(deploys)
            .listener(chat)
            .build();
    chat.attach(ci);
    try {
      Files.writeString(data.resolve(BASE_URL_FILE), url + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      log.warn("cannot record the base URL for `threadbare ci`: {}", e.toString());
    }
    CiWiring wiring = new CiWiring(ci, store, dataDir);
    dataDir.materializer().addListener(wiring::onMaterialized);
    CiHttp.register(http, ci, (ctx, channel) -> allowed(ctx, channel, gitServe, channels));
    Gauge.builder("threadbare_ci_queue_depth", ci, Ci::queueDepth)
        .description("CI runs waiting for a slot")
        .register(metrics);
    Gauge.builder("threadbare_ci_running", ci, Ci::running)
        .description("CI runs executing")
        .register(metrics);
    ci.start();
    return Optional.of(wiring);
  }

  /**
   * The run store: beside a PostgreSQL journal in its database (table {@code ci_runs}, shared by
   * the nodes, so a run has one id and one record whichever node queued it), else {@code
   * DIR/ci.db}.
   */
  static RunStore openStore(DataDir dataDir) {
    return dataDir
        .sharedJournal()
        .map(login -> RunStore.postgres(login.url(), login.user(), login.password()))
        .orElseGet(() -> RunStore.sqlite(dataDir.directory().resolve("ci.db")));
  }

  private static int concurrency() {
    String value = System.getenv("THREADBARE_CI_CONCURRENCY");
    if (value == null || value.isBlank()) {
      return Runtime.getRuntime().availableProcessors();
    }
    try {
      int n = Integer.parseInt(value.strip());
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // falls through
    }
    throw new dev.threadbare.core.ThreadbareException(
        "THREADBARE_CI_CONCURRENCY=\"" + value + "\" is not a positive whole number of runs");
  }

  /** After the bot's first start: messages from before its birth (history) get no CI. */
  void bornAt(Outbox outbox) {
    try {
      bornMillis = Long.parseLong(outbox.rememberOnce(Bot.BORN, "1"));
    } catch (NumberFormatException e) {
      bornMillis = -1;
    }
  }

  private void onMaterialized(List<EntryOutcome> outcomes) {
    for (EntryOutcome outcome : outcomes) {
      onOutcome(outcome);
    }
  }

  /** One run per commit: a message that moved several branches gets one run on each. */
  private void onOutcome(EntryOutcome outcome) {
    JournalEntry entry = outcome.entry();
    if (outcome.branches().isEmpty() || isHistory(entry)) {
      return;
    }
    for (BranchUpdate change : outcome.branches()) {
      try {
        ci.submit(
            entry.channel(),
            channelName(entry.channel()),
            change.branch(),
            change.after(),
            entry.ts());
      } catch (RuntimeException e) {
        log.warn("CI could not queue {} on {}: {}", change.after(), change.branch(), e.toString());
      }
    }
  }

  private String channelName(String channel) {
    try {
      String name = dataDir.store().channelName(channel);
      return name == null ? channel : name;
    } catch (RuntimeException e) {
      return channel;
    }
  }

  private boolean isHistory(JournalEntry entry) {
    long born = bornMillis;
    if (born <= 1) {
      return false;
    }
    try {
      long tsMillis = new BigDecimal(entry.ts()).movePointRight(3).longValue();
      return tsMillis < born;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /**
   * Whether the request's token may read {@code channel} (else answered 401/404); also deploys'.
   */
  static boolean allowed(Context ctx, String channel, GitServe gitServe, ChatChannels channels) {
    Optional<String> token = token(ctx.header("Authorization"));
    if (token.isEmpty()) {
      String cookie = ctx.cookie("threadbare_token");
      token = cookie == null || cookie.isBlank() ? Optional.empty() : Optional.of(cookie);
    }
    // A token (git and API clients), else the chat UI's session on this server: one sign-in.
    Optional<String> user =
        token.isPresent() ? gitServe.userOf(token.get()) : gitServe.sessionUser(ctx::cookie);
    if (token.isEmpty() && user.isEmpty()) {
      ctx.status(401)
          .header("WWW-Authenticate", "Basic realm=\"threadbare\", charset=\"UTF-8\"")
          .result(
              "authentication required: sign in to the chat on this server, or use your"
                  + " threadbare token (ask the bot with `token`)");
      return false;
    }
    if (user.isEmpty()) {
      ctx.status(401).result("the token is unknown or revoked: ask the bot with `token`");
      return false;
    }
    Optional<ServedChannel> served = channels.find(channel);
    if (served.isEmpty() || !served.get().readableBy(user.get())) {
      ctx.status(404).result("no channel " + channel);
      return false;
    }
    return true;
  }

  private static Optional<String> token(String authorization) {
    if (authorization == null || authorization.indexOf(' ') < 0) {
      return Optional.empty();
    }
    String scheme = authorization.substring(0, authorization.indexOf(' '));
    String value = authorization.substring(authorization.indexOf(' ') + 1).strip();
    if (scheme.equalsIgnoreCase("Bearer")) {
      return Optional.of(value);
    }
    if (!scheme.equalsIgnoreCase("Basic")) {
      return Optional.empty();
    }
    try {
      String decoded = new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
      int colon = decoded.indexOf(':');
      return colon < 0 ? Optional.empty() : Optional.of(decoded.substring(colon + 1));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  Ci ci() {
    return ci;
  }

  @Override
  public void close() {
    ci.close();
    store.close();
  }
}
