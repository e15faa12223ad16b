package dev.threadbare.db.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.threadbare.db.DbException;
import dev.threadbare.db.SqlState;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.postgresql.util.PSQLException;

/**
 * PostgreSQL: one server database per logical database ({@code <prefix><name>}, prefix {@code tb_}
 * by default), created on demand, and the catalog in the schema {@code threadbare_catalog} of the
 * admin database. A small connection pool per logical database. Thread safe.
 *
 * <p>Each logical database has its own role, named like its server database: LOGIN, no CREATEDB, no
 * CREATEROLE, CONNECT only to its own database (PUBLIC's CONNECT is revoked there), owner of its
 * tables, with the layer's {@code statement_timeout}. The pool of a logical database logs in as
 * that role, so nothing a tenant says reaches another database, another tenant's sessions or the
 * instance. The role's password is derived from the admin's credentials (an HMAC), so several layer
 * nodes agree on it without storing it. The admin role (the URL's user) needs CREATEDB and
 * CREATEROLE, and CREATE on its own database for the catalog schema.
 *
 * <p>A host that starts with {@code /} is a Unix-socket directory, as in libpq: the layer then
 * talks to a local server through {@code <dir>/.s.PGSQL.<port>}, which costs the kernel less per
 * round trip than TCP over loopback.
 */
public final class PostgresEngine implements Engine {
  private final String host;
  private final int port;
  private final String user;
  private final String password;
  private final String adminDatabase;
  private final String prefix;
  private final Duration statementTimeout;
  private final Map<String, HikariDataSource> pools = new ConcurrentHashMap<>();

  public PostgresEngine(
      String host,
      int port,
      String user,
      String password,
      String adminDatabase,
      String prefix,
      Duration statementTimeout) {
    this.prefix = prefix;
    this.statementTimeout = statementTimeout;
    this.host = host;
    this.port = port;
    this.user = user;
    this.password = password;
    this.adminDatabase = adminDatabase;
  }

  @Override
  public boolean isDuckDb() {
    return false;
  }

  String serverName(String database) {
    return prefix + database;
  }

  private boolean unixSocket() {
    return host.startsWith("/");
  }

  private String url(String serverDatabase) {
    // pgjdbc needs a host in the URL even when the socket factory ignores it
    return "jdbc:postgresql://"
        + (unixSocket() ? "localhost" : host)
        + ":"
        + port
        + "/"
        + serverDatabase;
  }

  /** The role of a logical database: named like its server database. */
  String roleName(String database) {
    return serverName(database);
  }

  /** The role's password: an HMAC of its name under the admin's credentials. */
  String rolePassword(String role) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(
          new SecretKeySpec(
              (user + '\0' + password).getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return "tb" + HexFormat.of().formatHex(mac.doFinal(role.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  private Properties properties() {
    return properties(user, password);
  }

  private Properties properties(String user, String password) {
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("password", password);
    // Strings bound as parameters take the type the statement needs, as psql literals do.
    p.setProperty("stringtype", "unspecified");
    if (unixSocket()) {
      p.setProperty("socketFactory", "org.newsclub.net.unix.AFUNIXSocketFactory$FactoryArg");
      p.setProperty("socketFactoryArg", host + "/.s.PGSQL." + port);
      p.setProperty("sslmode", "disable"); // a local socket: nothing to encrypt
    } else {
      // One read per round trip instead of three (see BlockingSocketFactory).
      p.setProperty("socketFactory", BlockingSocketFactory.class.getName());
    }
    return p;
  }

  @Override
  public void ensureDatabase(String database) {
    if (pools.containsKey(database)) {
      return;
    }
    synchronized (pools) {
      if (pools.containsKey(database)) {
        return;
      }
      String serverName = serverName(database);
      String role = roleName(database);
      try (Connection admin = DriverManager.getConnection(url(adminDatabase), properties());
          Statement s = admin.createStatement()) {
        ensureRole(s, role);
        boolean exists;
        try (ResultSet rs =
            s.executeQuery(
                "SELECT 1 FROM pg_database WHERE datname = '"
                    + serverName.replace("'", "''")
                    + "'")) {
          exists = rs.next();
        }
        if (!exists) {
          try {
            s.execute("CREATE DATABASE " + DuckDbEngine.quote(serverName));
          } catch (SQLException e) {
            if (!SqlState.DUPLICATE_DATABASE.equals(e.getSQLState())) {
              throw e;
            }
          }
        }
        // CONNECT only for its own role (and the admin, who owns the database)
        s.execute("REVOKE ALL ON DATABASE " + DuckDbEngine.quote(serverName) + " FROM PUBLIC");
        s.execute(
            "GRANT CONNECT, TEMPORARY ON DATABASE "
                + DuckDbEngine.quote(serverName)
                + " TO "
                + DuckDbEngine.quote(role));
      } catch (SQLException e) {
        throw translate(e, "CREATE DATABASE " + serverName);
      }
      try (Connection admin = DriverManager.getConnection(url(serverName), properties());
          Statement s = admin.createStatement()) {
        handOver(s, role);
      } catch (SQLException e) {
        throw translate(e, "hand the tables of " + serverName + " to the role " + role);
      }
      HikariConfig config = new HikariConfig();
      config.setJdbcUrl(url(serverName));
      config.setDataSourceProperties(properties(role, rolePassword(role)));
      config.setMaximumPoolSize(8);
      config.setMinimumIdle(0);
      config.setIdleTimeout(60_000);
      config.setPoolName("threadbare-db-" + database);
      pools.put(database, new HikariDataSource(config));
    }
  }

  /**
   * Creates the logical database's role, or brings an existing one to what it must be (login with
   * the derived password, no privileges beyond its database, the statement timeout). The admin is
   * made a member so that it may hand tables over to the role.
   */
  private void ensureRole(Statement s, String role) throws SQLException {
    String quoted = DuckDbEngine.quote(role);
    boolean exists;
    try (ResultSet rs =
        s.executeQuery(
            "SELECT 1 FROM pg_roles WHERE rolname = '" + role.replace("'", "''") + "'")) {
      exists = rs.next();
    }
    String attributes =
        " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD '"
            + rolePassword(role)
            + "'";
    if (!exists) {
      try {
        s.execute("CREATE ROLE " + quoted + attributes);
      } catch (SQLException e) {
        if (!SqlState.DUPLICATE_OBJECT.equals(e.getSQLState())) { // another node made it meanwhile
          throw e;
        }
      }
    }
    s.execute("ALTER ROLE " + quoted + attributes);
    s.execute(
        "ALTER ROLE "
            + quoted
            + " SET statement_timeout = '"
            + Math.max(1, statementTimeout.toMillis())
            + "ms'");
    try (ResultSet rs =
        s.executeQuery(
            "SELECT pg_has_role(current_user, '" + role.replace("'", "''") + "', 'MEMBER')")) {
      rs.next();
      if (!rs.getBoolean(1)) {
        s.execute("GRANT " + quoted + " TO CURRENT_USER");
      }
    }
  }

  /**
   * In the logical database, as the admin: lets the role create in {@code public} and gives it the
   * tables, views and sequences there that it does not own yet (those made before databases had
   * roles).
   */
  private static void handOver(Statement s, String role) throws SQLException {
    String quoted = DuckDbEngine.quote(role);
    try {
      s.execute("GRANT USAGE, CREATE ON SCHEMA public TO " + quoted);
    } catch (SQLException e) {
      // PostgreSQL 14 and older: public is the bootstrap superuser's and open to all already
    }
    java.util.List<String> statements = new java.util.ArrayList<>();
    try (ResultSet rs =
        s.executeQuery(
            "SELECT c.relname, c.relkind FROM pg_class c"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')"
                + " AND c.relowner <> (SELECT oid FROM pg_roles WHERE rolname = '"
                + role.replace("'", "''")
                + "')")) {
      while (rs.next()) {
        String kind =
            switch (rs.getString(2)) {
              case "v" -> "VIEW";
              case "m" -> "MATERIALIZED VIEW";
              case "S" -> "SEQUENCE";
              default -> "TABLE";
            };
        statements.add(
            "ALTER "
                + kind
                + " public."
                + DuckDbEngine.quote(rs.getString(1))
                + " OWNER TO "
                + quoted);
      }
    }
    for (String statement : statements) {
      s.execute(statement);
    }
  }

  @Override
  public void runMaintenance(Statement statement, String sql) throws SQLException {
    // an index build on a big table may take longer than a tenant's statement may
    statement.execute("SET statement_timeout = 0");
    try {
      statement.execute(sql);
    } finally {
      statement.execute("RESET statement_timeout");
    }
  }

  @Override
  public Connection connect(String database) throws SQLException {
    ensureDatabase(database);
    return pools.get(database).getConnection();
  }

  @Override
  public Map<String, Map<String, ColumnType>> loadSchema(Connection connection)
      throws SQLException {
    return Engine.readSchema(
        connection,
        // pg_catalog directly: information_schema's views cost tens of milliseconds
        "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod)"
            + " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
            + " JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')"
            + " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY c.relname, a.attnum",
        false);
  }

  @Override
  public long sizeBytes(String database, Connection connection) throws SQLException {
    try (Statement s = connection.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c"
                    + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                    + " WHERE n.nspname = 'public' AND c.relkind = 'r'")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Override
  public String createIndexSql(String index, String table, String column) {
    return "CREATE INDEX CONCURRENTLY IF NOT EXISTS "
        + Planner.quoteIfNeeded(index)
        + " ON "
        + DuckDbEngine.quote(table)
        + " ("
        + DuckDbEngine.quote(column)
        + ")";
  }

  @Override
  public String dropIndexSql(String index) {
    return "DROP INDEX CONCURRENTLY IF EXISTS " + Planner.quoteIfNeeded(index);
  }

  @Override
  public Connection catalogConnection() throws SQLException {
    try {
      return DriverManager.getConnection(url(adminDatabase), properties());
    } catch (SQLException e) {
      // the first contact with the server: say where the layer looked and why it failed
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      throw new SQLException(
          "cannot connect to PostgreSQL at "
              + (unixSocket() ? "socket " + host + "/.s.PGSQL." + port : host + ":" + port)
              + ", database "
              + adminDatabase
              + ", as "
              + user
              + ": "
              + root.getMessage()
              + "; check that the server runs there and lets this user connect",
          SqlState.SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION,
          e);
    }
  }

  @Override
  public boolean catalogIsSqlite() {
    return false;
  }

  @Override
  public DbException translate(SQLException e, String sql) {
    String state = e.getSQLState() == null ? SqlState.INTERNAL_ERROR : e.getSQLState();
    String message = e.getMessage();
    if (SqlState.QUERY_CANCELED.equals(state)
        && String.valueOf(message).contains("statement timeout")) {
      // the role's statement_timeout fired before the layer's own deadline: the same limit
      return Errors.statementTimeout(statementTimeout);
    }
    String hint = null;
    if (e instanceof PSQLException p && p.getServerErrorMessage() != null) {
      message = p.getServerErrorMessage().getMessage();
      hint = p.getServerErrorMessage().getHint();
    }
    return Errors.engine(state, message, hint, sql, e);
  }

  @Override
  public void close() {
    pools.values().forEach(HikariDataSource::close);
    pools.clear();
  }
}
