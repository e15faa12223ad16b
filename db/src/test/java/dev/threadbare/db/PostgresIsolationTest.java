package dev.threadbare.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadbare.db.internal.PostgresEngine;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The escape attempts on PostgreSQL, and the per-database roles behind the layer's rules: with the
 * rules out of the way (a raw connection of the layer's pool), a tenant still reaches nothing
 * outside its database.
 */
class PostgresIsolationTest extends IsolationContract {
  private DbLayer.PostgresServer server;

  @Override
  DbLayer newLayer(DbOptions options) {
    if (server == null) {
      server = SharedPostgres.freshServer();
    }
    return DbLayer.postgres(server, options);
  }

  @Override
  Path secretsDir() {
    return Path.of(System.getProperty("java.io.tmpdir"));
  }

  @Override
  String slowQuery() {
    return "SELECT pg_sleep(30) AS slept";
  }

  private PostgresEngine engine() {
    return new PostgresEngine(
        server.host(),
        server.port(),
        server.user(),
        server.password(),
        server.adminDatabase(),
        server.databasePrefix(),
        Duration.ofSeconds(7));
  }

  private static String sqlState(Statement s, String sql) {
    try {
      s.execute(sql);
      return "ran";
    } catch (SQLException e) {
      return e.getSQLState();
    }
  }

  @Test
  void aTenantRoleReachesNothingOutsideItsDatabase() throws Exception {
    try (PostgresEngine engine = engine()) {
      engine.ensureDatabase("a");
      engine.ensureDatabase("b");
      String b = server.databasePrefix() + "b";
      try (Connection other = engine.connect("b");
          Statement os = other.createStatement();
          Connection tenant = engine.connect("a");
          Statement s = tenant.createStatement()) {
        os.execute("SELECT 'the secret of b' AS s");
        int bPid;
        try (ResultSet rs = os.executeQuery("SELECT pg_backend_pid()")) {
          rs.next();
          bPid = rs.getInt(1);
        }
        try (ResultSet rs =
            s.executeQuery(
                "SELECT current_user, rolcreatedb, rolcreaterole,"
                    + " rolsuper FROM pg_roles WHERE rolname = current_user")) {
          rs.next();
          assertThat(rs.getString(1)).isEqualTo(server.databasePrefix() + "a");
          assertThat(rs.getBoolean(2)).isFalse();
          assertThat(rs.getBoolean(3)).isFalse();
          assertThat(rs.getBoolean(4)).isFalse();
        }
        // another tenant's live query text is hidden
        List<String> seen = new ArrayList<>();
        try (ResultSet rs =
            s.executeQuery("SELECT query FROM pg_stat_activity WHERE datname = '" + b + "'")) {
          while (rs.next()) {
            seen.add(rs.getString(1));
          }
        }
        assertThat(seen).isNotEmpty().noneMatch(q -> q != null && q.contains("secret of b"));
        assertThat(sqlState(s, "SELECT pg_terminate_backend(" + bPid + ")")).isEqualTo("42501");
        assertThat(sqlState(s, "SELECT pg_cancel_backend(" + bPid + ")")).isEqualTo("42501");
        assertThat(sqlState(s, "ALTER DATABASE " + b + " SET statement_timeout = '1ms'"))
            .isEqualTo("42501");
        assertThat(
                sqlState(s, "ALTER DATABASE " + server.databasePrefix() + "a SET work_mem = '1GB'"))
            .isEqualTo("42501");
        assertThat(sqlState(s, "CREATE DATABASE evil")).isEqualTo("42501");
        assertThat(sqlState(s, "CREATE ROLE evil")).isEqualTo("42501");
        assertThat(sqlState(s, "SET ROLE " + server.user())).isEqualTo("42501");
        assertThat(sqlState(s, "ALTER SYSTEM SET work_mem = '1GB'")).isEqualTo("42501");
        assertThat(sqlState(s, "SELECT pg_read_file('/etc/passwd')")).isEqualTo("42501");
        assertThat(sqlState(s, "COPY (SELECT 1) TO '/tmp/threadbare-escape.csv'"))
            .isEqualTo("42501");
        try (ResultSet rs =
            s.executeQuery(
                "SELECT has_database_privilege('"
                    + b
                    + "', 'CONNECT'),"
                    + " current_setting('statement_timeout')")) {
          rs.next();
          assertThat(rs.getBoolean(1)).isFalse();
          assertThat(rs.getString(2)).isEqualTo("7s");
        }
        // b's session survived it all
        try (ResultSet rs = os.executeQuery("SELECT 1")) {
          assertThat(rs.next()).isTrue();
        }
      }
    }
  }

  @Test
  void theLayersSessionsRunAsTheDatabasesRole() {
    assertThat(rows("SELECT current_user AS u"))
        .containsExactly(List.of(server.databasePrefix() + "prod"));
    // and see no other tenant's queries
    Credentials other = layer.addCredentials("other", "v1");
    try (SqlSession s = layer.open(other.user(), "other")) {
      s.execute("SELECT 'the secret of other' AS s", List.of());
      assertThat(
              rows(
                  "SELECT query FROM pg_stat_activity WHERE datname = '"
                      + server.databasePrefix()
                      + "other'"))
          .noneMatch(r -> String.valueOf(r.get(0)).contains("secret of other"));
    }
  }

  @Test
  void aDatabaseFromBeforeRolesIsHandedToItsRole() throws Exception {
    String name = server.databasePrefix() + "old";
    try (Connection admin = SharedPostgres.connect(server.adminDatabase());
        Statement s = admin.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    try (Connection admin = SharedPostgres.connect(name);
        Statement s = admin.createStatement()) {
      s.execute("CREATE TABLE kept (id bigint)");
      s.execute("INSERT INTO kept VALUES (1)");
    }
    try (PostgresEngine engine = engine();
        Connection tenant = engine.connect("old");
        Statement s = tenant.createStatement()) {
      s.execute("ALTER TABLE kept ADD COLUMN note text");
      s.execute("INSERT INTO kept (id, note) VALUES (2, 'new')");
      try (ResultSet rs = s.executeQuery("SELECT count(*) FROM kept")) {
        rs.next();
        assertThat(rs.getLong(1)).isEqualTo(2);
      }
    }
  }
}
