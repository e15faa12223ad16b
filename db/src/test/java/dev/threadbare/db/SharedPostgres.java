package dev.threadbare.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/** One embedded PostgreSQL per test JVM, started on first use and stopped at exit. */
final class SharedPostgres {
  private static EmbeddedPostgres postgres;
  private static final AtomicInteger COUNTER = new AtomicInteger();

  private SharedPostgres() {}

  static synchronized EmbeddedPostgres get() {
    if (postgres == null) {
      try {
        postgres = EmbeddedPostgres.builder().start();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      postgres.close();
                    } catch (IOException e) {
                      // exiting anyway
                    }
                  }));
    }
    return postgres;
  }

  /** A server description with a fresh admin database and database prefix, for isolation. */
  static DbLayer.PostgresServer freshServer() {
    EmbeddedPostgres pg = get();
    String name = "t" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
    try (Connection c = pg.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return new DbLayer.PostgresServer(
        "localhost", pg.getPort(), "postgres", "postgres", name, name + "_");
  }

  static Connection connect(String database) throws SQLException {
    return get().getDatabase("postgres", database).getConnection();
  }
}
