package dev.threadbare.app.cli;

import dev.threadbare.app.ServedPorts;
import dev.threadbare.app.serve.DbTls;
import dev.threadbare.app.serve.Server;
import dev.threadbare.workspace.LocalWorkspace;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code threadbare serve}: runs everything in one process until interrupted. */
@Command(
    name = "serve",
    description =
        "Run threadbare: local workspace (or real Slack with SLACK_* set), bot, journal, git, db.")
public final class ServeCommand implements Callable<Integer> {

  @Option(names = "--data", description = "Data directory (default: ${DEFAULT-VALUE}).")
  Path data = Path.of("threadbare-data");

  @Option(names = "--host", description = "Address to bind (default: ${DEFAULT-VALUE}).")
  String host = "127.0.0.1";

  @Option(
      names = "--port",
      description = "HTTP port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int port = 8080;

  @Option(
      names = "--db-port",
      description = "PostgreSQL wire port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int dbPort = 5433;

  @Option(
      names = "--journal-url",
      description = "PostgreSQL JDBC URL for the journal (default: SQLite in the data directory).")
  String journalUrl;

  @Option(
      names = "--base-host",
      description =
          "Deployments are served at http://<uuid>.<base-host>/ (a wildcard DNS name such as"
              + " apps.example.com; default: localhost:<port>).")
  String baseHost;

  @Option(
      names = "--max-running",
      description =
          "At most this many deployments run at once; the least recently used stops"
              + " first (default: one per 256 MB of memory, at least 4).")
  int maxRunning;

  @Option(
      names = "--backup-every",
      paramLabel = "DURATION",
      description =
          "Back the chat up in Slack's export format into DIR/backups every DURATION (1d, 12h,"
              + " 30m, PT6H or off; default: ${DEFAULT-VALUE}); each is reported in the ops"
              + " channel.")
  String backupEvery = "1d";

  @Option(
      names = "--backup-keep",
      paramLabel = "N",
      description = "Keep the newest N scheduled backups (default: ${DEFAULT-VALUE}).")
  int backupKeep = 7;

  @picocli.CommandLine.Mixin DbEngineOption engine = new DbEngineOption();

  @picocli.CommandLine.Mixin DbTlsOption tls = new DbTlsOption();

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    Server server =
        Server.start(
            new Server.Settings(
                data,
                host,
                port,
                dbPort,
                journalUrl,
                Server.SlackCredentials.fromEnvironment(),
                Server.OpsChannel.fromEnvironment(),
                engine.postgres,
                tls.settings(),
                baseHost,
                maxRunning));
    Path backups;
    try {
      backups = server.scheduleBackups(backupEvery, backupKeep);
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    ServedPorts.Written ports =
        ServedPorts.ofThisProcess("threadbare serve", host, server.url(), server.dbPort())
            .writeTo(data);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  ports.close();
                  stopped.countDown();
                }));
    Optional<String> adminToken = server.workspace().flatMap(LocalWorkspace::adminSignInToken);
    PrintWriter out = spec.commandLine().getOut();
    out.println("threadbare listening on " + server.url());
    out.println(
        "threadbare backups: every "
            + backupEvery
            + " into "
            + backups
            + " (newest "
            + backupKeep
            + " kept)");
    adminToken.ifPresent(
        token ->
            out.println(
                "Sign in to "
                    + server.url()
                    + " as admin with this token (also its API token; shown until an admin"
                    + " has signed in, and `threadbare workspace add-user --admin NAME` makes"
                    + " another admin): "
                    + token));
    if (server.dbPort() >= 0) {
      out.println("threadbare db listening on postgresql://" + host + ":" + server.dbPort());
      out.println("threadbare db TLS: " + DbTls.describe(server.dbTls()));
    }
    if (engine.postgres != null) {
      out.println("threadbare db layer on " + server.dbEngine());
    }
    out.flush();
    stopped.await();
    return 0;
  }
}
