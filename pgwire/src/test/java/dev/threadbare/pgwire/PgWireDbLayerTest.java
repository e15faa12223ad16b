package dev.threadbare.pgwire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.threadbare.db.Credentials;
import dev.threadbare.db.DbException;
import dev.threadbare.db.DbLayer;
import dev.threadbare.db.DbOptions;
import dev.threadbare.db.SqlSession;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.util.PSQLException;

/**
 * The wire server in front of the real db layer, on DuckDB and on PostgreSQL: a JDBC session under
 * the house rules (implicit schema, refusals with the layer's SQLSTATE) and psql.
 */
class PgWireDbLayerTest {
  @TempDir static Path dataDir;
  private static EmbeddedPostgres postgres;
  private static DbLayer duckLayer;
  private static DbLayer postgresLayer;
  private static PgWireServer duckServer;
  private static PgWireServer postgresServer;
  private static Credentials duckCredentials;
  private static Credentials postgresCredentials;

  @BeforeAll
  static void start() throws Exception {
    duckLayer = DbLayer.duckDb(dataDir);
    duckCredentials = duckLayer.addCredentials("shop", "v1");
    duckServer = wire(duckLayer);
    postgres = EmbeddedPostgres.builder().start();
    postgresLayer =
        DbLayer.postgres(
            new DbLayer.PostgresServer(
                "localhost", postgres.getPort(), "postgres", "postgres", "postgres"),
            DbOptions.defaults());
    postgresCredentials = postgresLayer.addCredentials("shop", "v1");
    postgresServer = wire(postgresLayer);
  }

  private static PgWireServer wire(DbLayer layer) {
    return PgWireServer.start(
        layer,
        new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0),
        PgWireServer.Settings.defaults());
  }

  @AfterAll
  static void stop() throws Exception {
    duckServer.close();
    postgresServer.close();
    duckLayer.close();
    postgresLayer.close();
    postgres.close();
  }

  @Test
  void scriptedSessionOnDuckDb() throws Exception {
    scriptedSession(duckLayer, duckServer, duckCredentials);
  }

  @Test
  void scriptedSessionOnPostgres() throws Exception {
    scriptedSession(postgresLayer, postgresServer, postgresCredentials);
  }

  @Test
  void batchesBeforeOneSyncAreOneTransactionAsInPostgres() throws Exception {
    List<String> duck;
    List<String> layerOnPostgres;
    List<String> real;
    try (Connection c = connect(duckServer, duckCredentials);
        Connection observer = connect(duckServer, duckCredentials)) {
      duck = batchScenario(c, observer);
    }
    try (Connection c = connect(postgresServer, postgresCredentials);
        Connection observer = connect(postgresServer, postgresCredentials)) {
      layerOnPostgres = batchScenario(c, observer);
    }
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        Connection observer = postgres.getPostgresDatabase().getConnection()) {
      real = batchScenario(c, observer);
    }
    assertThat(real)
        .as("PostgreSQL itself")
        .containsExactly(
            "statement batch with a failure: failed, ids []",
            "prepared batch: ok [1, 1, 1], ids [1, 2, 3]",
            "prepared batch with a failure: failed, ids [1, 2, 3]",
            "execute(\"a; b\") with a failure: failed, ids [1, 2, 3]",
            "batch in an explicit block: ok [1, 1], then a failing batch, rollback, ids [1, 2, 3]",
            "batch in an explicit block, commit, ids [1, 2, 3, 30, 31]",
            "lone statements: 1, failed, 1, ids [1, 2, 3, 30, 31, 40, 41]");
    assertThat(duck).as("the layer on DuckDB").isEqualTo(real);
    assertThat(layerOnPostgres).as("the layer on PostgreSQL").isEqualTo(real);
  }

  @Test
  void anErrorThatRunsNoStatementFailsAnExplicitBlockAsInPostgres() throws Exception {
    for (DbLayer layer : List.of(duckLayer, postgresLayer)) {
      Credentials credentials = layer.addCredentials("shop", "v-raw");
      try (PgWireServer server =
              PgWireServer.start(
                  layer,
                  new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0),
                  PgWireServer.Settings.defaults().withCleartextPassword(true));
          RawPgClient client = new RawPgClient(server.port())) {
        client.startup(credentials.user(), "shop");
        assertThat(client.read().type()).isEqualTo('R');
        client.send('p', RawPgClient.cstring(credentials.password()));
        client.readUntil('Z');
        client.send('Q', RawPgClient.cstring("BEGIN"));
        assertThat(status(client.readUntil('Z'))).isEqualTo('T');
        // Bind of a statement never parsed: an error that runs no statement
        client.send(
            'B',
            RawPgClient.cstring(""),
            RawPgClient.cstring("never_parsed"),
            RawPgClient.int16(0),
            RawPgClient.int16(0),
            RawPgClient.int16(0));
        client.send('S');
        List<RawPgClient.Message> answer = client.readUntil('Z');
        assertThat(answer.get(0).type()).isEqualTo('E');
        assertThat(status(answer)).as("the block is failed, as PostgreSQL says 'E'").isEqualTo('E');
        client.send('Q', RawPgClient.cstring("SELECT 1 AS one"));
        answer = client.readUntil('Z');
        assertThat(answer.get(0).fields()).containsEntry('C', "25P02");
        client.send('Q', RawPgClient.cstring("ROLLBACK"));
        assertThat(status(client.readUntil('Z'))).isEqualTo('I');
      }
    }
  }

  /** {@code psql -c sql} as {@code credentials} against {@code server}, without TLS. */
  private static PgWirePsqlTest.PsqlRun psqlAs(
      PgWireServer server, Credentials credentials, String sql) throws Exception {
    return PgWirePsqlTest.psql(
        server.port(),
        credentials.user(),
        credentials.password(),
        "disable",
        "",
        "-U",
        credentials.user(),
        "-d",
        credentials.database(),
        "-c",
        sql);
  }

  private static char status(List<RawPgClient.Message> untilReady) {
    return (char) untilReady.get(untilReady.size() - 1).body()[0];
  }

  /** Batches of inserts under pgjdbc (autocommit on unless said), and what each left committed. */
  private static List<String> batchScenario(Connection connection, Connection observer)
      throws Exception {
    List<String> seen = new java.util.ArrayList<>();
    try (Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE batched (id bigint PRIMARY KEY, note text)");
      statement.addBatch("INSERT INTO batched (id, note) VALUES (1, 'a')");
      statement.addBatch("INSERT INTO batched (id, note) VALUES (2, 'b')");
      statement.addBatch("INSERT INTO batched (id, note) VALUES (1, 'duplicate')");
      seen.add(
          "statement batch with a failure: " + outcome(statement::executeBatch) + ids(observer));
      try (PreparedStatement insert =
          connection.prepareStatement("INSERT INTO batched (id, note) VALUES (?, ?)")) {
        for (long id = 1; id <= 3; id++) {
          insert.setLong(1, id);
          insert.setString(2, "n" + id);
          insert.addBatch();
        }
        seen.add(
            "prepared batch: "
                + outcome(() -> java.util.Arrays.toString(insert.executeBatch()))
                + ids(observer));
        for (long id : new long[] {4, 2, 5}) {
          insert.setLong(1, id);
          insert.setString(2, "n" + id);
          insert.addBatch();
        }
        seen.add("prepared batch with a failure: " + outcome(insert::executeBatch) + ids(observer));
        seen.add(
            "execute(\"a; b\") with a failure: "
                + outcome(
                    () ->
                        statement.execute(
                            "INSERT INTO batched (id, note) VALUES (10, 'x');"
                                + " INSERT INTO batched (id, note) VALUES (1, 'y')"))
                + ids(observer));

        connection.setAutoCommit(false);
        for (long id : new long[] {20, 21}) {
          insert.setLong(1, id);
          insert.setString(2, "n" + id);
          insert.addBatch();
        }
        String first = outcome(() -> java.util.Arrays.toString(insert.executeBatch()));
        for (long id : new long[] {22, 1}) {
          insert.setLong(1, id);
          insert.setString(2, "n" + id);
          insert.addBatch();
        }
        outcome(insert::executeBatch);
        connection.rollback();
        seen.add(
            "batch in an explicit block: "
                + first
                + ", then a failing batch, rollback"
                + ids(observer));
        for (long id : new long[] {30, 31}) {
          insert.setLong(1, id);
          insert.setString(2, "n" + id);
          insert.addBatch();
        }
        insert.executeBatch();
        connection.commit();
        connection.setAutoCommit(true);
        seen.add("batch in an explicit block, commit" + ids(observer));

        StringBuilder lone = new StringBuilder("lone statements: ");
        for (long id : new long[] {40, 1, 41}) {
          insert.setLong(1, id);
          insert.setString(2, "n" + id);
          lone.append(id == 1 ? outcome(insert::executeUpdate) : insert.executeUpdate())
              .append(id == 41 ? "" : ", ");
        }
        seen.add(lone + ids(observer));
      }
    }
    return seen;
  }

  private interface SqlCall {
    Object call() throws java.sql.SQLException;
  }

  private static String outcome(SqlCall call) {
    try {
      return "ok " + call.call();
    } catch (java.sql.SQLException e) {
      return "failed";
    }
  }

  /** The committed ids, as another connection sees them. */
  private static String ids(Connection observer) throws Exception {
    // Sorted here, not by ORDER BY: a filter or sort would start the layer's background index
    // build, and this scenario is about transactions, not about reads racing an index build.
    try (Statement statement = observer.createStatement();
        ResultSet rs = statement.executeQuery("SELECT id FROM batched")) {
      List<Long> ids = new java.util.ArrayList<>();
      while (rs.next()) {
        ids.add(rs.getLong(1));
      }
      java.util.Collections.sort(ids);
      return ", ids " + ids;
    }
  }

  private static Connection connect(PgWireServer server, Credentials credentials) throws Exception {
    return DriverManager.getConnection(
        "jdbc:postgresql://127.0.0.1:" + server.port() + "/" + credentials.database(),
        credentials.user(),
        credentials.password());
  }

  /** What the layer itself answers to {@code sql}, called directly rather than over the wire. */
  private static DbException refusalOf(DbLayer layer, Credentials credentials, String sql) {
    try (SqlSession session = layer.open(credentials.user(), credentials.database())) {
      session.execute(sql, List.of());
    } catch (DbException e) {
      return e;
    }
    throw new AssertionError("the layer accepted " + sql);
  }

  private static void scriptedSession(DbLayer layer, PgWireServer server, Credentials credentials)
      throws Exception {
    try (Connection connection = connect(server, credentials);
        Statement statement = connection.createStatement()) {
      try (PreparedStatement insert =
          connection.prepareStatement(
              "INSERT INTO orders (id, customer, total, note) VALUES (?, ?, ?, ?)")) {
        for (int id = 1; id <= 6; id++) { // past pgjdbc's prepareThreshold: named, binary
          insert.setLong(1, id);
          insert.setLong(2, id % 2 + 1);
          insert.setBigDecimal(3, new BigDecimal(id * 10 + ".25"));
          insert.setString(4, id == 3 ? null : "order " + id);
          assertThat(insert.executeUpdate()).isEqualTo(1);
        }
      }
      statement.executeUpdate("INSERT INTO customers (id, name) VALUES (1, 'Ada'), (2, 'Bo')");
      assertThat(
              PgWireJdbcTest.rows(
                  statement.executeQuery(
                      "SELECT c.name, count(o.id) AS orders FROM orders o"
                          + " JOIN customers c ON c.id = o.customer"
                          + " GROUP BY c.name ORDER BY c.name")))
          .containsExactly("Ada|3", "Bo|3");
      try (var spent = statement.executeQuery("SELECT sum(total) AS spent FROM orders")) {
        assertThat(spent.next()).isTrue();
        assertThat(spent.getBigDecimal(1)).isEqualByComparingTo("211.50");
      }

      connection.setAutoCommit(false);
      statement.executeUpdate("INSERT INTO customers (id, name) VALUES (3, 'Cy')");
      connection.rollback();
      connection.setAutoCommit(true);
      assertThat(
              PgWireJdbcTest.rows(statement.executeQuery("SELECT count(id) AS n FROM customers")))
          .containsExactly("2");

      for (String refused : List.of("SELECT * FROM orders", "DROP TABLE orders")) {
        DbException expected = refusalOf(layer, credentials, refused);
        assertThatThrownBy(() -> statement.execute(refused))
            .isInstanceOfSatisfying(
                PSQLException.class,
                e -> {
                  assertThat(e.getSQLState()).isEqualTo(expected.sqlState());
                  assertThat(e.getServerErrorMessage().getMessage())
                      .isEqualTo(expected.getMessage());
                });
      }
      try (PreparedStatement byId =
          connection.prepareStatement("SELECT note FROM orders WHERE id = ?")) {
        byId.setLong(1, 2);
        assertThat(PgWireJdbcTest.rows(byId.executeQuery())).containsExactly("order 2");
        byId.setLong(1, 3);
        assertThat(PgWireJdbcTest.rows(byId.executeQuery())).containsExactly("null");
      }
    }
  }

  @Test
  void cancelReachesTheLayerOnDuckDb() throws Exception {
    cancelSlowQuery(
        duckServer,
        duckCredentials,
        "SELECT count(a.range) AS n FROM range(300000) a, range(300000) b");
  }

  @Test
  void cancelReachesTheLayerOnPostgres() throws Exception {
    cancelSlowQuery(postgresServer, postgresCredentials, "SELECT pg_sleep(30) AS slept");
  }

  private static void cancelSlowQuery(PgWireServer server, Credentials credentials, String sql)
      throws Exception {
    try (Connection connection = connect(server, credentials);
        Statement statement = connection.createStatement()) {
      java.util.concurrent.CompletableFuture<Throwable> outcome =
          java.util.concurrent.CompletableFuture.supplyAsync(
              () -> {
                try {
                  statement.executeQuery(sql).close();
                  return null;
                } catch (java.sql.SQLException e) {
                  return e;
                }
              });
      // cancel until it lands: a cancel that arrives before the query starts cancels nothing
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
      while (!outcome.isDone() && System.nanoTime() < deadline) {
        Thread.sleep(100);
        statement.cancel();
      }
      assertThat(outcome.get(20, java.util.concurrent.TimeUnit.SECONDS))
          .isInstanceOfSatisfying(
              PSQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("57014"));
      assertThat(PgWireJdbcTest.rows(statement.executeQuery("SELECT 1 AS one")))
          .containsExactly("1");
    }
  }

  @Test
  void psqlSessionOnDuckDb() throws Exception {
    PgWirePsqlTest.PsqlRun run =
        PgWirePsqlTest.psql(
            duckServer.port(),
            duckCredentials.user(),
            duckCredentials.password(),
            "prefer",
            """
            INSERT INTO events (id, kind) VALUES (1, 'signup'), (2, 'login');
            SELECT id, kind FROM events ORDER BY id;
            SELECT * FROM events;
            SELECT count(id) AS n FROM events;
            """,
            "-U",
            duckCredentials.user(),
            "-d",
            "shop");
    DbException refusal = refusalOf(duckLayer, duckCredentials, "SELECT * FROM events");
    assertThat(run.output())
        .startsWith("NOTICE:  00000: ") // the implicit CREATE TABLE, told as a notice
        .contains(
            "id|kind\n1|signup\n2|login\nERROR:  "
                + refusal.sqlState()
                + ": "
                + refusal.getMessage()
                + "\nHINT:  "
                + refusal.hint()
                + "\nn\n2\n")
        .endsWith("n\n2\n");
  }

  @Test
  void psqlFailingScriptOnDuckDb() throws Exception {
    failingScript(duckLayer, duckServer, duckCredentials);
  }

  @Test
  void psqlFailingScriptOnPostgres() throws Exception {
    failingScript(postgresLayer, postgresServer, postgresCredentials);
  }

  /**
   * A script of several statements in one Query message (psql -c): the results before the failing
   * statement are printed before the error, and the script is rolled back as one transaction.
   */
  private static void failingScript(DbLayer layer, PgWireServer server, Credentials credentials)
      throws Exception {
    try (SqlSession session = layer.open(credentials.user(), credentials.database())) {
      session.execute("INSERT INTO ledger (id, amount) VALUES (1, 10)", List.of());
    }
    String script =
        "UPDATE ledger SET amount = 20 WHERE id = 1; SELECT id, amount FROM ledger;"
            + " INSERT INTO ledger (id, amount) VALUES (2, 5);"
            + " SELECT * FROM ledger; SELECT 'never' AS reached";
    DbException refusal = refusalOf(layer, credentials, "SELECT * FROM ledger");
    PgWirePsqlTest.PsqlRun run = psqlAs(server, credentials, script);
    assertThat(run.output())
        .isEqualTo(
            "id|amount\n1|20\nERROR:  "
                + refusal.sqlState()
                + ": "
                + refusal.getMessage()
                + "\nHINT:  "
                + refusal.hint()
                + "\n");
    assertThat(run.exitCode()).isEqualTo(1);
    // rolled back as one transaction: the update and the insert
    PgWirePsqlTest.PsqlRun after =
        psqlAs(server, credentials, "SELECT id, amount FROM ledger ORDER BY id");
    assertThat(after.output()).isEqualTo("id|amount\n1|10\n");
  }

  @Test
  void wrongPasswordIsRefused() {
    assertThatThrownBy(
            () ->
                DriverManager.getConnection(
                        "jdbc:postgresql://127.0.0.1:" + duckServer.port() + "/shop",
                        duckCredentials.user(),
                        "not-" + duckCredentials.password())
                    .close())
        .isInstanceOfSatisfying(
            PSQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("28P01"));
  }
}
