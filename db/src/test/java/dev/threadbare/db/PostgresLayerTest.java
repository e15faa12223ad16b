package dev.threadbare.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The layer contract on an embedded PostgreSQL (one per test JVM). */
class PostgresLayerTest extends LayerContract {
  private DbLayer.PostgresServer server;

  @Override
  DbLayer newLayer(DbOptions options) {
    if (server == null) {
      server = SharedPostgres.freshServer();
    }
    return DbLayer.postgres(server, options);
  }

  @Override
  Connection scratchConnection() throws Exception {
    String name = server.adminDatabase() + "_scratch";
    try (Connection admin = SharedPostgres.connect("postgres");
        Statement s = admin.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    return SharedPostgres.connect(name);
  }

  @Override
  String slowQuery() {
    return "SELECT pg_sleep(30) AS slept";
  }

  @Override
  boolean duckDb() {
    return false;
  }

  /**
   * A transaction that makes the layer add a column while the first index build on the table (a
   * CREATE INDEX CONCURRENTLY, which waits for that transaction before it ends) runs: the build is
   * canceled and retried, rather than the transaction losing a deadlock.
   */
  @Test
  void anAlterInATransactionDoesNotDeadlockWithAnIndexBuild() throws Exception {
    run("CREATE TABLE ledger (id bigint, kind text)");
    run("INSERT INTO ledger (id, kind) SELECT g, 'k' || g FROM generate_series(1, 300000) g");
    run("SELECT id FROM ledger WHERE kind = 'k1'"); // the first filter on kind: a build starts
    try (SqlSession other = layer.open(creds.user(), "prod")) {
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (other
              .execute(
                  "SELECT count(pid) AS n FROM pg_stat_activity"
                      + " WHERE query LIKE 'CREATE INDEX CONCURRENTLY%' AND state = 'active'",
                  List.of())
              .get(0)
              .rows()
              .get(0)[0]
              .equals(0L)
          && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
    }
    // while it builds, a transaction changes a row, then needs a new column (an ALTER), which
    // waits for the build, which waits for the transaction
    session.execute("BEGIN; UPDATE ledger SET id = 0 WHERE id = 1", List.of());
    run("UPDATE ledger SET flag = true WHERE id = 0");
    assertThat(run("COMMIT").commandTag()).isEqualTo("COMMIT");
    assertThat(rows("SELECT id, kind, flag FROM ledger WHERE id = 0"))
        .containsExactly(List.of(0L, "k1", true));
    // the build was retried once the transaction ended
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (events.stream().noneMatch(e -> e.message().contains("ledger.kind"))
        && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(events)
        .filteredOn(e -> e.message().contains("ledger.kind"))
        .extracting(OpsEvent::kind)
        .containsExactly("index-created");
  }
}
