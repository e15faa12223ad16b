package dev.threadbare.app.cli;

import dev.threadbare.app.DataDirLock;
import dev.threadbare.app.ServedPorts;
import dev.threadbare.app.serve.DbTls;
import dev.threadbare.db.Credentials;
import dev.threadbare.db.DbHttp;
import dev.threadbare.db.DbLayer;
import dev.threadbare.db.DbOptions;
import dev.threadbare.pgwire.PgWireServer;
import dev.threadbare.pgwire.TlsIdentity;
import io.javalin.Javalin;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code threadbare db …}: the migration-free database layer on a data directory (DuckDB files
 * under {@code DIR/db/}, the layer's catalog in {@code DIR/catalog.sqlite}) or, with {@code
 * --db-postgres URL} (or {@code THREADBARE_DB_POSTGRES}), on a PostgreSQL server (one database
 * {@code tb_<name>} per logical database, the catalog in the admin database). Each subcommand opens
 * the layer, does its work and closes it; {@code serve} keeps it open until interrupted.
 */
@Command(
    name = "db",
    description = "The migration-free SQL layer.",
    subcommands = {
      DbCommand.AddCredentials.class,
      DbCommand.Describe.class,
      DbCommand.GcReport.class,
      DbCommand.Serve.class,
      DbBackupCommands.Backup.class,
      DbBackupCommands.Restore.class,
    })
public final class DbCommand {

  /** The PostgreSQL wire port {@code serve} and {@code db serve} listen on by default. */
  static final int DEFAULT_PORT = 5433;

  /** Options every db subcommand shares. */
  static final class DataOption {
    @Option(
        names = "--data",
        description = "Data directory, as for serve (default: ${DEFAULT-VALUE}).")
    Path data = Path.of("threadbare-data");
  }

  /** {@code threadbare db add-credentials}. */
  @Command(
      name = "add-credentials",
      description =
          "Create credentials for one deployed version: prints the HTTP bearer token, then the"
              + " DATABASE_URL on the last line.")
  public static final class AddCredentials implements Callable<Integer> {
    @picocli.CommandLine.Mixin DataOption data = new DataOption();

    @picocli.CommandLine.Mixin DbEngineOption engine = new DbEngineOption();

    @Option(names = "--database", required = true, description = "prod, or a preview's name.")
    String database;

    @Option(names = "--version", required = true, description = "The deployed version (commit).")
    String version;

    @Option(
        names = "--host",
        description =
            "Host in the URL (default: where the serve running on DIR listens, else 127.0.0.1).")
    String host;

    @Option(
        names = "--port",
        description =
            "Port in the URL (default: the db port of the serve running on DIR, else "
                + DEFAULT_PORT
                + ").")
    Integer port;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      Optional<ServedPorts> served =
          ServedPorts.readFrom(data.data).filter(ports -> ports.dbPort() >= 0);
      String urlHost =
          host != null ? host : served.map(ServedPorts::connectHost).orElse("127.0.0.1");
      int urlPort = port != null ? port : served.map(ServedPorts::dbPort).orElse(DEFAULT_PORT);
      try (DbLayer layer = engine.open(data.data, DbOptions.defaults())) {
        Credentials credentials = layer.addCredentials(database, version);
        PrintWriter out = spec.commandLine().getOut();
        out.println(credentials.bearerToken());
        out.println(credentials.connectionUrl(urlHost, urlPort));
        out.flush();
      }
      return 0;
    }
  }

  /**
   * A report on one database, printed as JSON: what {@code describe} and {@code gc-report} share.
   */
  abstract static class DatabaseReport implements Callable<Integer> {
    @picocli.CommandLine.Mixin DataOption data = new DataOption();

    @picocli.CommandLine.Mixin DbEngineOption engine = new DbEngineOption();

    @Option(names = "--database", required = true, description = "prod, or a preview's name.")
    String database;

    @Spec CommandSpec spec;

    /** The report's text for {@link #database}. */
    abstract String render(DbLayer layer);

    @Override
    public Integer call() {
      try (DbLayer layer = engine.open(data.data, DbOptions.defaults())) {
        PrintWriter out = spec.commandLine().getOut();
        out.println(render(layer));
        out.flush();
      }
      return 0;
    }
  }

  /** {@code threadbare db describe}. */
  @Command(
      name = "describe",
      description = "Print a database's tables, columns with their creators, and indexes (JSON).")
  public static final class Describe extends DatabaseReport {
    @Override
    String render(DbLayer layer) {
      return DbHttp.describeText(layer.describe(database));
    }
  }

  /** {@code threadbare db gc-report}. */
  @Command(
      name = "gc-report",
      description =
          "Print, per column, the versions holding it and whether it could be collected (JSON)."
              + " Drops nothing.")
  public static final class GcReport extends DatabaseReport {
    @Override
    String render(DbLayer layer) {
      return DbHttp.gcReportText(layer.gcReport(database));
    }
  }

  /** {@code threadbare db serve}. */
  @Command(
      name = "serve",
      description =
          "Serve the db layer over the PostgreSQL wire protocol (and HTTP with --http-port) until"
              + " interrupted.")
  public static final class Serve implements Callable<Integer> {
    @picocli.CommandLine.Mixin DataOption data = new DataOption();

    @picocli.CommandLine.Mixin DbEngineOption engine = new DbEngineOption();

    @Option(names = "--host", description = "Address to bind (default: ${DEFAULT-VALUE}).")
    String host = "127.0.0.1";

    @Option(
        names = "--port",
        description = "PostgreSQL wire port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port = DEFAULT_PORT;

    @picocli.CommandLine.Mixin DbTlsOption tls = new DbTlsOption();

    @Option(
        names = "--http-port",
        description = "Also serve POST /db/<database>/sql on this port; -1 for none (default).")
    int httpPort = -1;

    @Spec CommandSpec spec;

    private final CountDownLatch stop = new CountDownLatch(1);

    /** Asks a running {@code serve} to stop (a shutdown hook does it on Ctrl-C). */
    public void requestStop() {
      stop.countDown();
    }

    @Override
    public Integer call() throws InterruptedException {
      Thread hook = new Thread(stop::countDown, "threadbare-db-serve-stop");
      Runtime.getRuntime().addShutdownHook(hook);
      try (DataDirLock lock = DataDirLock.acquire(data.data, "threadbare db serve")) {
        serveUntilStopped();
      } finally {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
          // already shutting down
        }
      }
      return 0;
    }

    private void serveUntilStopped() throws InterruptedException {
      TlsIdentity identity = tls.settings().identity(data.data, host);
      try (DbLayer layer = engine.open(data.data, DbOptions.defaults());
          PgWireServer server =
              PgWireServer.start(
                  layer,
                  new InetSocketAddress(host, port),
                  PgWireServer.Settings.defaults()
                      .withTls(identity == null ? null : identity.sslContext()))) {
        Javalin http = null;
        if (httpPort >= 0) {
          http = Javalin.create();
          DbHttp.register(http, layer);
          http.start(host, httpPort);
        }
        PrintWriter out = spec.commandLine().getOut();
        // the same lines as serve's; the engine first, so that it is out once the port is
        if (engine.postgres != null) {
          out.println("threadbare db layer on " + engine.describe(data.data));
        }
        out.println("threadbare db listening on postgresql://" + host + ":" + server.port());
        out.println("threadbare db TLS: " + DbTls.describe(identity));
        if (http != null) {
          out.println("threadbare db listening on http://" + host + ":" + http.port() + "/db/");
        }
        out.flush();
        try (ServedPorts.Written ports =
            ServedPorts.ofThisProcess("threadbare db serve", host, null, server.port())
                .writeTo(data.data)) {
          stop.await();
        } finally {
          if (http != null) {
            http.stop();
          }
        }
      }
    }
  }
}
