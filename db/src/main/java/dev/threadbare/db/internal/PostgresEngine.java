package dev.threadbare.db.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.threadbare.db.DbException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.postgresql.util.PSQLException;

/**
 * PostgreSQL: one server database per logical database ({@code <prefix><name>}, prefix {@code tb_}
 * by default), created on demand, and the catalog in the schema {@code threadbare_catalog} of the
 * admin database. A small connection pool per logical database. Thread safe.
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
  private final Map<String, HikariDataSource> pools = new ConcurrentHashMap<>();

  public PostgresEngine(
      String host, int port, String user, String password, String adminDatabase, String prefix) {
    this.prefix = prefix;
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

  private Properties properties() {
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
      try (Connection admin = DriverManager.getConnection(url(adminDatabase), properties());
          Statement s = admin.createStatement()) {
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
            if (!"42P04".equals(e.getSQLState())) {
              throw e;
            }
          }
        }
      } catch (SQLException e) {
        throw translate(e, "CREATE DATABASE " + serverName);
      }
      HikariConfig config = new HikariConfig();
      config.setJdbcUrl(url(serverName));
      config.setDataSourceProperties(properties());
      config.setMaximumPoolSize(8);
      config.setMinimumIdle(0);
      config.setIdleTimeout(60_000);
      config.setPoolName("threadbare-db-" + database);
      pools.put(database, new HikariDataSource(config));
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
          "08001",
          e);
    }
  }

  @Override
  public boolean catalogIsSqlite() {
    return false;
  }

  @Override
  public DbException translate(SQLException e, String sql) {
    String state = e.getSQLState() == null ? "XX000" : e.getSQLState();
    String message = e.getMessage();
    String hint = null;
    if (e instanceof PSQLException p && p.getServerErrorMessage() != null) {
      message = p.getServerErrorMessage().getMessage();
      hint = p.getServerErrorMessage().getHint();
    }
    return new DbException(state, message + " (in: " + SqlText.excerpt(sql, 200) + ")", hint, e);
  }

  @Override
  public void close() {
    pools.values().forEach(HikariDataSource::close);
    pools.clear();
  }
}
