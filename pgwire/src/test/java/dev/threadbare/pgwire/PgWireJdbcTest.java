package dev.threadbare.pgwire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.threadbare.db.Credentials;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;

/** The PostgreSQL JDBC driver against the wire server over the db layer on DuckDB, in process. */
class PgWireJdbcTest {
  private static InProcessLayer layer;
  private static PgWireServer server;
  // two versions of one deployment, each with credentials of its own for the database "app"
  private static Credentials alice;
  private static Credentials bob;

  @BeforeAll
  static void start() {
    layer = new InProcessLayer();
    alice = layer.app();
    bob = layer.addCredentials("app", "v2");
    server =
        PgWireServer.start(
            layer.service(),
            new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0),
            PgWireServer.Settings.defaults());
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
    layer.close();
  }

  static String url(String database) {
    return "jdbc:postgresql://127.0.0.1:" + server.port() + "/" + database;
  }

  static Connection connect(Credentials credentials) throws SQLException {
    return connect(credentials, new Properties());
  }

  static Connection connect(Credentials credentials, Properties extra) throws SQLException {
    return connect(credentials.user(), credentials.password(), extra);
  }

  static Connection connect(String user, String password, Properties extra) throws SQLException {
    Properties properties = new Properties();
    properties.putAll(extra);
    properties.setProperty("user", user);
    properties.setProperty("password", password);
    return DriverManager.getConnection(url("app"), properties);
  }

  @Test
  void scriptedSessionWithParametersJoinsAndTransactions() throws Exception {
    try (Connection connection = connect(alice);
        Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE TABLE people (id BIGINT, name VARCHAR, active BOOLEAN, score DOUBLE,"
              + " balance DECIMAL(12,2), born DATE, seen TIMESTAMP, photo BLOB)");
      statement.execute("CREATE TABLE pets (owner BIGINT, pet VARCHAR)");
      try (PreparedStatement insert =
          connection.prepareStatement("INSERT INTO people VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
        insert.setLong(1, 1);
        insert.setString(2, "Zoë 'quoted'");
        insert.setBoolean(3, true);
        insert.setDouble(4, 0.1);
        insert.setBigDecimal(5, new BigDecimal("-1234.50"));
        insert.setObject(6, LocalDate.of(1999, 12, 31));
        insert.setObject(7, LocalDateTime.of(2024, 2, 29, 23, 59, 58, 123_456_000));
        insert.setBytes(8, new byte[] {0, 1, (byte) 0xfe, (byte) 0xff});
        assertThat(insert.executeUpdate()).isEqualTo(1);
        insert.setLong(1, 2);
        insert.setString(2, "Bo");
        insert.setBoolean(3, false);
        insert.setDouble(4, 1e20);
        insert.setBigDecimal(5, new BigDecimal("0.00"));
        insert.setNull(6, java.sql.Types.DATE);
        insert.setNull(7, java.sql.Types.TIMESTAMP);
        insert.setNull(8, java.sql.Types.BINARY);
        assertThat(insert.executeUpdate()).isEqualTo(1);
      }
      statement.executeUpdate("INSERT INTO pets VALUES (1, 'cat'), (1, 'dog'), (2, 'fish')");

      try (ResultSet rs =
          statement.executeQuery(
              "SELECT id, name, active, score, balance, born, seen, photo FROM people ORDER BY id")) {
        assertThat(rs.getMetaData().getColumnTypeName(1)).isEqualTo("int8");
        assertThat(rs.getMetaData().getColumnTypeName(5)).isEqualTo("numeric");
        assertThat(rs.next()).isTrue();
        assertThat(rs.getLong(1)).isEqualTo(1);
        assertThat(rs.getString(2)).isEqualTo("Zoë 'quoted'");
        assertThat(rs.getBoolean(3)).isTrue();
        assertThat(rs.getDouble(4)).isEqualTo(0.1);
        // by value: the DuckDB engine answers -1234.5 where PostgreSQL answers -1234.50
        assertThat(rs.getBigDecimal(5)).isEqualByComparingTo(new BigDecimal("-1234.50"));
        assertThat(rs.getObject(6, LocalDate.class)).isEqualTo(LocalDate.of(1999, 12, 31));
        assertThat(rs.getObject(7, LocalDateTime.class))
            .isEqualTo(LocalDateTime.of(2024, 2, 29, 23, 59, 58, 123_456_000));
        assertThat(rs.getBytes(8)).containsExactly(0, 1, 0xfe, 0xff);
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(2)).isEqualTo("Bo");
        assertThat(rs.getDouble(4)).isEqualTo(1e20);
        assertThat(rs.getObject(6)).isNull();
        assertThat(rs.getBytes(8)).isNull();
        assertThat(rs.next()).isFalse();
      }

      try (PreparedStatement join =
          connection.prepareStatement(
              "SELECT p.name, count(*) AS pets FROM people p JOIN pets q ON q.owner = p.id"
                  + " WHERE p.id >= ? GROUP BY p.name ORDER BY p.name")) {
        join.setInt(1, 1);
        assertThat(rows(join.executeQuery())).containsExactly("Bo|1", "Zoë 'quoted'|2");
      }

      connection.setAutoCommit(false);
      statement.executeUpdate("INSERT INTO pets VALUES (2, 'newt')");
      connection.rollback();
      statement.executeUpdate("INSERT INTO pets VALUES (2, 'crab')");
      connection.commit();
      connection.setAutoCommit(true);
      assertThat(rows(statement.executeQuery("SELECT pet FROM pets WHERE owner = 2 ORDER BY pet")))
          .containsExactly("crab", "fish");
    }
  }

  @Test
  void batchesArePipelinedUntilOneSync() throws Exception {
    try (Connection connection = connect(bob);
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE batch (n INTEGER, label VARCHAR)");
      try (PreparedStatement insert =
          connection.prepareStatement("INSERT INTO batch VALUES (?, ?)")) {
        for (int n = 0; n < 500; n++) {
          insert.setInt(1, n);
          insert.setString(2, "label " + n);
          insert.addBatch();
        }
        int[] counts = insert.executeBatch();
        assertThat(counts).hasSize(500).containsOnly(1);
      }
      assertThat(rows(statement.executeQuery("SELECT count(*) AS c, sum(n) AS s FROM batch")))
          .containsExactly("500|124750");
    }
  }

  @Test
  void errorsCarryTheirSqlStateAndTheSessionRecovers() throws Exception {
    try (Connection connection = connect(alice);
        Statement statement = connection.createStatement()) {
      assertThatThrownBy(() -> statement.execute("DROP TABLE anything"))
          .isInstanceOfSatisfying(
              PSQLException.class,
              e -> {
                assertThat(e.getSQLState()).isEqualTo("0A000");
                assertThat(e.getServerErrorMessage().getMessage())
                    .startsWith(
                        "DROP TABLE anything is refused by the house rule names-are-permanent");
                assertThat(e.getServerErrorMessage().getHint())
                    .startsWith("to rename, write the new name alongside the old");
              });
      assertThatThrownBy(() -> statement.executeQuery("SELECT CAST('nowhere' AS integer) AS n"))
          .isInstanceOfSatisfying(
              PSQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("22P02"))
          .hasMessageContaining("nowhere");
      assertThat(rows(statement.executeQuery("SELECT 41 + 1 AS answer"))).containsExactly("42");

      connection.setAutoCommit(false);
      statement.execute("CREATE TABLE ledger (amount INTEGER)");
      assertThatThrownBy(() -> statement.execute("DROP TABLE ledger"))
          .isInstanceOf(PSQLException.class);
      assertThatThrownBy(() -> statement.executeQuery("SELECT 1"))
          .isInstanceOfSatisfying(
              PSQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("25P02"));
      connection.rollback();
      assertThat(rows(statement.executeQuery("SELECT 'back' AS state"))).containsExactly("back");
      connection.setAutoCommit(true);
    }
  }

  @Test
  void noticesReachTheClientAsWarnings() throws Exception {
    try (Connection connection = connect(alice);
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE INDEX people_name ON people (name)");
      SQLWarning warning = statement.getWarnings();
      assertThat((Object) warning).isNotNull();
      assertThat(warning.getMessage())
          .startsWith("CREATE INDEX accepted as a no-op: indexes are automatic");
    }
  }

  @Test
  void serverPreparedStatementsUseBinaryFormatsAndPortalsSuspend() throws Exception {
    Properties properties = new Properties();
    properties.setProperty("prepareThreshold", "1");
    try (Connection connection = connect(bob, properties);
        Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE TABLE samples (k INTEGER, v BIGINT, f DOUBLE, d DATE, t TIMESTAMP, n DECIMAL(10,3), s VARCHAR)");
      try (PreparedStatement insert =
          connection.prepareStatement("INSERT INTO samples VALUES (?, ?, ?, ?, ?, ?, ?)")) {
        for (int k = 0; k < 30; k++) {
          insert.setInt(1, k);
          insert.setLong(2, k * 1_000_000_000_000L);
          insert.setDouble(3, k / 4.0);
          insert.setObject(4, LocalDate.of(2000, 1, 1).plusDays(k * 400L));
          insert.setObject(5, LocalDateTime.of(1970, 1, 1, 0, 0).plusMinutes(k * 99_999L));
          insert.setBigDecimal(6, new BigDecimal(k).movePointLeft(3).negate());
          insert.setString(7, "row " + k);
          insert.executeUpdate();
        }
      }
      try (PreparedStatement select =
          connection.prepareStatement("SELECT k, v, f, d, t, n, s FROM samples WHERE k = ?")) {
        for (int round = 0; round < 8; round++) {
          int k = round * 3;
          select.setInt(1, k);
          try (ResultSet rs = select.executeQuery()) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(k);
            assertThat(rs.getLong(2)).isEqualTo(k * 1_000_000_000_000L);
            assertThat(rs.getDouble(3)).isEqualTo(k / 4.0);
            assertThat(rs.getObject(4, LocalDate.class))
                .isEqualTo(LocalDate.of(2000, 1, 1).plusDays(k * 400L));
            assertThat(rs.getObject(5, LocalDateTime.class))
                .isEqualTo(LocalDateTime.of(1970, 1, 1, 0, 0).plusMinutes(k * 99_999L));
            assertThat(rs.getBigDecimal(6))
                .isEqualByComparingTo(new BigDecimal(k).movePointLeft(3).negate());
            assertThat(rs.getString(7)).isEqualTo("row " + k);
            assertThat(rs.next()).isFalse();
          }
        }
      }
      connection.setAutoCommit(false);
      try (PreparedStatement all =
          connection.prepareStatement("SELECT k FROM samples ORDER BY k")) {
        all.setFetchSize(7);
        List<Integer> keys = new ArrayList<>();
        try (ResultSet rs = all.executeQuery()) {
          while (rs.next()) {
            keys.add(rs.getInt(1));
          }
        }
        assertThat(keys).hasSize(30).isSorted().startsWith(0, 1).endsWith(29);
      }
      connection.commit();
    }
  }

  @Test
  void wrongPasswordAndUnknownUserAreRefusedWith28P01() {
    assertThatThrownBy(() -> connect(alice.user(), "wrong", new Properties()).close())
        .isInstanceOfSatisfying(
            PSQLException.class,
            e -> {
              assertThat(e.getSQLState()).isEqualTo("28P01");
              assertThat(e.getMessage())
                  .contains("password authentication failed for user \"" + alice.user() + "\"");
            });
    assertThatThrownBy(() -> connect("mallory", bob.password(), new Properties()).close())
        .isInstanceOfSatisfying(
            PSQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("28P01"));
  }

  @Test
  void unknownDatabaseIsRefusedWithTheLayersSqlState() {
    assertThatThrownBy(
            () ->
                DriverManager.getConnection(url("missing"), alice.user(), alice.password()).close())
        .isInstanceOfSatisfying(
            PSQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("3D000"));
  }

  @Test
  void sslPreferFallsBackToPlainAndSslRequireFails() throws Exception {
    Properties prefer = new Properties();
    prefer.setProperty("sslmode", "prefer");
    try (Connection connection = connect(alice, prefer);
        Statement statement = connection.createStatement()) {
      assertThat(rows(statement.executeQuery("SELECT 'plain' AS transport")))
          .containsExactly("plain");
    }
    Properties require = new Properties();
    require.setProperty("sslmode", "require");
    assertThatThrownBy(() -> connect(alice, require).close())
        .isInstanceOf(PSQLException.class)
        .hasMessageContaining("SSL");
  }

  @Test
  void cancelStopsASlowQuery() throws Exception {
    try (Connection connection = connect(alice);
        Statement statement = connection.createStatement()) {
      CompletableFuture<Throwable> outcome =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  statement.executeQuery(
                      "SELECT count(a.range) AS n FROM range(300000) a, range(300000) b");
                  return null;
                } catch (SQLException e) {
                  return e;
                }
              });
      // cancel until it lands: a cancel that arrives before the query starts cancels nothing
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (!outcome.isDone() && System.nanoTime() < deadline) {
        Thread.sleep(100);
        statement.cancel();
      }
      Throwable failure = outcome.get(30, TimeUnit.SECONDS);
      assertThat(failure)
          .isInstanceOfSatisfying(
              PSQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("57014"));
      assertThat(rows(statement.executeQuery("SELECT 'alive' AS s"))).containsExactly("alive");
    }
  }

  @Test
  void cleartextPasswordWorksOnlyWhenAllowed() throws Exception {
    try (PgWireServer cleartext =
        PgWireServer.start(
            layer.service(),
            new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0),
            PgWireServer.Settings.defaults().withCleartextPassword(true))) {
      String url = "jdbc:postgresql://127.0.0.1:" + cleartext.port() + "/app";
      try (Connection connection = DriverManager.getConnection(url, bob.user(), bob.password());
          Statement statement = connection.createStatement()) {
        assertThat(rows(statement.executeQuery("SELECT 7 AS n"))).containsExactly("7");
      }
      assertThatThrownBy(() -> DriverManager.getConnection(url, bob.user(), "nope").close())
          .isInstanceOfSatisfying(
              PSQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("28P01"));
    }
  }

  @Test
  void onlyABatchBeforeSyncOpensAnImplicitBlockALonePreparedStatementRunsInAutocommit()
      throws Exception {
    try (Connection connection = connect(alice);
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE lone_or_batch (id BIGINT PRIMARY KEY)");
      int before = layer.implicitBlocksOpened();
      try (PreparedStatement insert =
              connection.prepareStatement("INSERT INTO lone_or_batch (id) VALUES (?)");
          PreparedStatement select =
              connection.prepareStatement("SELECT id FROM lone_or_batch WHERE id = ?")) {
        for (int id = 1; id <= 7; id++) { // past pgjdbc's prepareThreshold: named statements too
          insert.setLong(1, id);
          assertThat(insert.executeUpdate()).isEqualTo(1);
          select.setLong(1, id);
          assertThat(rows(select.executeQuery())).containsExactly(String.valueOf(id));
        }
        assertThat(layer.implicitBlocksOpened()).as("lone statements").isEqualTo(before);

        insert.setLong(1, 8);
        insert.addBatch();
        insert.setLong(1, 9);
        insert.addBatch();
        assertThat(insert.executeBatch()).containsExactly(1, 1);
        assertThat(layer.implicitBlocksOpened()).as("one batch").isEqualTo(before + 1);

        insert.setLong(1, 10);
        insert.addBatch();
        insert.setLong(1, 1); // a duplicate: the whole batch is rolled back
        insert.addBatch();
        assertThatThrownBy(insert::executeBatch).isInstanceOf(java.sql.BatchUpdateException.class);
      }
      assertThat(rows(statement.executeQuery("SELECT count(*) FROM lone_or_batch")))
          .containsExactly("9");
    }
  }

  static List<String> rows(ResultSet rs) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (rs) {
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder row = new StringBuilder();
        for (int c = 1; c <= columns; c++) {
          if (c > 1) {
            row.append('|');
          }
          row.append(rs.getString(c));
        }
        rows.add(row.toString());
      }
    }
    return rows;
  }
}
