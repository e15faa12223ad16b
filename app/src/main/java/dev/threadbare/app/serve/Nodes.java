package dev.threadbare.app.serve;

import com.slack.api.methods.MethodsClient;
import dev.threadbare.app.DataDir;
import dev.threadbare.chat.bot.Bot;
import dev.threadbare.chat.outbox.Outbox;
import dev.threadbare.core.journal.Journal;
import dev.threadbare.journal.Journals;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Several {@code serve} nodes on one PostgreSQL journal (DESIGN.md section 8), or one alone. Every
 * node journals the events it receives (message identity makes a retry delivered to the other node
 * a no-op), follows what the others append ({@link Journals#follow}: LISTEN/NOTIFY, polled too)
 * into its own git store, and serves git and the code browser. One node leads ({@link Leadership}):
 * only its bot answers and only it drains the outbox, which lives in the shared database so a
 * takeover sends what the old leader enqueued and never a call twice. Catch-up runs on the first
 * node to lead.
 *
 * <p>With a SQLite journal everything is as it was: one node, the outbox in {@code DIR/outbox.db}.
 * Lifecycle: {@link #start}, then {@link #outbox}, {@link #drive}, {@link #whenLeading}; closed by
 * serve. Not thread safe while wired.
 */
final class Nodes implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Nodes.class);

  /** How often a node reads the journal for others' entries when no notification comes. */
  static final Duration FOLLOW_POLL = Duration.ofSeconds(1);

  private final DataDir dataDir;
  private final Leadership leadership;

  private Nodes(DataDir dataDir, Leadership leadership) {
    this.dataDir = dataDir;
    this.leadership = leadership;
  }

  /** Contends for leadership when {@code dataDir}'s journal is shared; else a lone leader. */
  static Nodes start(DataDir dataDir) {
    return new Nodes(
        dataDir,
        dataDir
            .sharedJournal()
            .map(login -> Leadership.contend(login, DataDir.nodeId(dataDir.directory())))
            .orElseGet(Leadership::alone));
  }

  /**
   * Whether this node leads now: the one node whose bot answers, whose outbox drains, and which
   * runs CI and starts deployments (a lone node always leads).
   */
  boolean leading() {
    return leadership.leading();
  }

  /**
   * Serves {@code GET /nodes/leader}: 200 on the leading node, 503 on the others, so a load
   * balancer's health check sends deployments' and prod's host names to the node that runs them.
   */
  void serveLeaderCheck(io.javalin.Javalin http) {
    http.get(
        "/nodes/leader",
        ctx -> {
          boolean leads = leadership.leading();
          ctx.status(leads ? 200 : 503)
              .result(
                  "node "
                      + leadership.node()
                      + (leads ? " leads" : " follows")
                      + ": deployments and CI run on the leader\n");
        });
  }

  /** Whether the journal is shared with other nodes. */
  boolean shared() {
    return dataDir.sharedJournal().isPresent();
  }

  /**
   * The bot's outbox, not yet started: in {@code data} alone; beside a shared journal in its
   * database, drained while this node leads.
   */
  Outbox outbox(Path data, MethodsClient methods) {
    if (!shared()) {
      return Outbox.sqlite(data, methods, ServeEnvironment.outboxLimits(), Clock.systemUTC());
    }
    DataDir.JournalLogin login = dataDir.sharedJournal().orElseThrow();
    return Outbox.postgres(
            login.url(),
            login.user(),
            login.password(),
            methods,
            ServeEnvironment.outboxLimits(),
            Clock.systemUTC())
        .drainingWhile(leadership::leading);
  }

  /**
   * Lets the bot answer: alone, resumes it at once. Shared, it follows (materializing only) until
   * this node leads, answers from then on, and is handed every entry any node appends.
   */
  void drive(Bot bot, Journal journal, Server.Closer closer) {
    if (!shared()) {
      bot.resume(journal);
      return;
    }
    long from = journal.cursor(Bot.CURSOR);
    // Atomic with a change of leadership (its listeners run holding the same monitor).
    synchronized (leadership) {
      if (!leadership.leading()) {
        bot.follow();
      }
      leadership.onChange(
          leads -> {
            if (leads) {
              bot.lead();
            } else {
              bot.follow();
            }
          });
    }
    bot.resume(journal);
    closer.closeLater(Journals.follow(journal, from, FOLLOW_POLL, bot::onJournaled));
    log.info(
        "node {} shares its journal; it {}",
        leadership.node(),
        leadership.leading() ? "leads" : "follows");
  }

  /** Runs {@code start} once: now if this node leads, else when it first comes to lead. */
  void whenLeading(Runnable start) {
    AtomicBoolean done = new AtomicBoolean();
    Runnable once =
        () -> {
          if (done.compareAndSet(false, true)) {
            start.run();
          }
        };
    leadership.onChange(
        leads -> {
          if (leads) {
            once.run();
          }
        });
    if (leadership.leading()) {
      once.run();
    }
  }

  @Override
  public void close() {
    leadership.close();
  }
}
