package dev.threadbare.db.internal;

import dev.threadbare.db.DbException;
import dev.threadbare.db.SqlState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.duckdb.DuckDBConnection;

/**
 * DuckDB: one file per logical database under {@code DIR/db/}, and the catalog in SQLite at {@code
 * DIR/catalog.sqlite}. One root connection per file stays open for the engine's life; sessions get
 * duplicates of it. Thread safe.
 */
public final class DuckDbEngine implements Engine {
  private final Path dataDir;
  private final Map<String, DuckDBConnection> roots = new ConcurrentHashMap<>();

  public DuckDbEngine(Path dataDir) {
    this.dataDir = dataDir;
    try {
      Files.createDirectories(dataDir.resolve("db"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create data directory " + dataDir, e);
    }
  }

  @Override
  public boolean isDuckDb() {
    return true;
  }

  Path file(String database) {
    return dataDir.resolve("db").resolve(database + ".duckdb");
  }

  private DuckDBConnection root(String database) throws SQLException {
    DuckDBConnection root = roots.get(database);
    if (root != null) {
      return root;
    }
    synchronized (roots) {
      root = roots.get(database);
      if (root == null) {
        root =
            (DuckDBConnection)
                DriverManager.getConnection(
                    "jdbc:duckdb:" + file(database).toAbsolutePath(), lockedDown());
        roots.put(database, root);
      }
      return root;
    }
  }

  /**
   * DuckDB as the securing guide has it for untrusted SQL: no file, network or extension access
   * beyond the database's own file (and DuckDB's spill files beside it), and the configuration
   * locked so that no statement can turn that back on or change the instance for other sessions.
   * The layer's {@link IsolationRules} refuse the same statements first, naming the rule.
   */
  static Properties lockedDown() {
    Properties p = new Properties();
    p.setProperty("enable_external_access", "false");
    p.setProperty("autoinstall_known_extensions", "false");
    p.setProperty("autoload_known_extensions", "false");
    // PostgreSQL's answer to 7/2 is 3; set at open because the configuration is locked after.
    p.setProperty("integer_division", "true");
    p.setProperty("lock_configuration", "true");
    return p;
  }

  @Override
  public void ensureDatabase(String database) {
    try {
      root(database);
    } catch (SQLException e) {
      throw translate(e, "open database " + database);
    }
  }

  @Override
  public Connection connect(String database) throws SQLException {
    Connection connection = root(database).duplicate();
    try {
      DuckDbCatalog.install(connection);
    } catch (SQLException | RuntimeException e) {
      connection.close();
      throw e;
    }
    return connection;
  }

  @Override
  public Map<String, Map<String, ColumnType>> loadSchema(Connection connection)
      throws SQLException {
    return Engine.readSchema(
        connection,
        "SELECT table_name, column_name, data_type FROM duckdb_columns()"
            + " WHERE schema_name = 'main' AND database_name = current_database()"
            + " ORDER BY table_name, column_index",
        true);
  }

  @Override
  public long sizeBytes(String database, Connection connection) {
    Path file = file(database);
    Path wal = file.resolveSibling(file.getFileName() + ".wal");
    try {
      return (Files.exists(file) ? Files.size(file) : 0)
          + (Files.exists(wal) ? Files.size(wal) : 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String createIndexSql(String index, String table, String column) {
    return "CREATE INDEX IF NOT EXISTS "
        + Planner.quoteIfNeeded(index)
        + " ON "
        + quote(table)
        + " ("
        + quote(column)
        + ")";
  }

  @Override
  public String dropIndexSql(String index) {
    return "DROP INDEX IF EXISTS " + Planner.quoteIfNeeded(index);
  }

  static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  @Override
  public Connection catalogConnection() throws SQLException {
    return DriverManager.getConnection(
        "jdbc:sqlite:" + dataDir.resolve("catalog.sqlite").toAbsolutePath());
  }

  @Override
  public boolean catalogIsSqlite() {
    return true;
  }

  @Override
  public DbException translate(SQLException e, String sql) {
    String message = String.valueOf(e.getMessage());
    int lineBreak = message.indexOf('\n');
    String first = lineBreak < 0 ? message : message.substring(0, lineBreak);
    String state;
    if (message.contains("INTERRUPT")) {
      state = SqlState.QUERY_CANCELED;
    } else if (message.startsWith("Parser Error")) {
      state = SqlState.SYNTAX_ERROR;
    } else if (message.startsWith("Catalog Error") && message.contains("Table")) {
      state = SqlState.UNDEFINED_TABLE;
    } else if (message.startsWith("Binder Error") && message.contains("not found")) {
      state = SqlState.UNDEFINED_COLUMN;
    } else if (message.startsWith("Binder Error")) {
      state = SqlState.DATATYPE_MISMATCH;
    } else if (message.startsWith("Conversion Error")) {
      state = SqlState.INVALID_TEXT_REPRESENTATION;
    } else if (message.startsWith("Constraint Error") && message.contains("NOT NULL")) {
      state = SqlState.NOT_NULL_VIOLATION;
    } else if (message.startsWith("Constraint Error") && message.contains("foreign key")) {
      state = SqlState.FOREIGN_KEY_VIOLATION;
    } else if (message.startsWith("Constraint Error")) {
      state = SqlState.UNIQUE_VIOLATION;
    } else if (message.startsWith("Out of Range Error")) {
      state = SqlState.NUMERIC_VALUE_OUT_OF_RANGE;
    } else if (message.startsWith("TransactionContext Error")) {
      state = SqlState.SERIALIZATION_FAILURE;
    } else if (message.startsWith("Invalid Input Error")) {
      state = SqlState.INVALID_PARAMETER_VALUE;
    } else {
      state =
          e.getSQLState() != null && e.getSQLState().length() == 5
              ? e.getSQLState()
              : SqlState.INTERNAL_ERROR;
    }
    return Errors.engine(state, first, null, sql, e);
  }

  @Override
  public void close() {
    for (DuckDBConnection root : roots.values()) {
      try {
        root.close();
      } catch (SQLException e) {
        // closing at shutdown: nothing left to do with the error
      }
    }
    roots.clear();
  }
}
