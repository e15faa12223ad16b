package dev.threadbare.db.internal;

import dev.threadbare.db.DbException;
import dev.threadbare.db.ResultColumn;
import dev.threadbare.db.SqlState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;
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

  @Override
  public Plan adapt(Plan plan) {
    return DuckDbDialect.adapt(plan);
  }

  /**
   * Statements share the gate, DDL (which may build or drop indexes) holds it alone when it can.
   * Reads share it too because a read running while DuckDB built an index on the table was once
   * seen returning wrong values (ids 3, 257, 258 for rows 1, 2, 3 just committed): an index build
   * now waits for running statements and holds new ones back while it runs.
   */
  @Override
  public <T> T gated(WriteGate gate, Plan.Kind kind, Supplier<T> body) {
    if (kind == Plan.Kind.DDL || kind == Plan.Kind.SET_NOT_NULL) {
      boolean alone = gate.enterExclusive(10, TimeUnit.SECONDS);
      try {
        return body.get();
      } finally {
        if (alone) {
          gate.leaveExclusive();
        }
      }
    }
    gate.enterShared();
    try {
      return body.get();
    } finally {
      gate.leaveShared();
    }
  }

  @Override
  public boolean usesWriteGate() {
    return true;
  }

  /** DuckDB has no savepoints: ROLLBACK TO rolls back and runs the block again. */
  @Override
  public boolean hasSavepoints() {
    return false;
  }

  /**
   * The configuration is locked ({@link #lockedDown}): the session settings drivers send
   * (application_name, extra_float_digits…; IsolationRules allows only those) are acknowledged and
   * not run.
   */
  @Override
  public boolean runsSettings() {
    return false;
  }

  /**
   * DuckDB refuses to commit a transaction that altered a table after updating or deleting its
   * rows: say so at the statement, rather than fail the whole transaction at COMMIT.
   */
  @Override
  public void beforeAlterInTransaction(
      LogicalDatabase db,
      String table,
      boolean changedRows,
      String what,
      String sql,
      boolean implicitBlock) {
    if (changedRows) {
      throw Errors.duckDbAlterAfterChange(table, what, sql, implicitBlock);
    }
  }

  private static final Pattern ADDED_REFERENCES =
      Pattern.compile(
          "(?is)\\s+REFERENCES\\s+[\\w\".]+\\s*(?:\\([^)]*\\))?"
              + "(?:\\s+ON\\s+(?:DELETE|UPDATE)\\s+(?:CASCADE|RESTRICT|SET\\s+NULL"
              + "|SET\\s+DEFAULT|NO\\s+ACTION))*");

  private static final Pattern ADDED_FOREIGN_KEY =
      Pattern.compile(
          "(?is)(?:,\\s*|(?<=\\s))ADD\\s+(?:CONSTRAINT\\s+(?:\"[^\"]*\"|[\\w$]+)\\s+)?FOREIGN\\s+KEY"
              + "\\s*\\([^)]*\\)\\s*REFERENCES\\s+[\\w\".]+\\s*(?:\\([^)]*\\))?"
              + "(?:\\s+ON\\s+(?:DELETE|UPDATE)\\s+(?:CASCADE|RESTRICT|SET\\s+NULL"
              + "|SET\\s+DEFAULT|NO\\s+ACTION))*");
  private static final Pattern NO_ACTIONS_LEFT =
      Pattern.compile(
          "(?is)\\s*ALTER\\s+TABLE\\s+(?:IF\\s+EXISTS\\s+)?(?:ONLY\\s+)?[\\w\".]+[\\s,;]*");

  /**
   * DuckDB cannot add a constraint to an existing table: the ALTER without its references (the
   * column and its indexes are made), and a notice that the reference is not enforced.
   */
  @Override
  public Plan alterAddingForeignKeys(Plan plan, List<String> notices) {
    String sql = ADDED_FOREIGN_KEY.matcher(plan.sql()).replaceAll("");
    sql = ADDED_REFERENCES.matcher(sql).replaceAll("");
    if (NO_ACTIONS_LEFT.matcher(sql).matches()) {
      // only ADD [CONSTRAINT …] FOREIGN KEY (knex's .references()): nothing for DuckDB to run
      notices.add(
          "DuckDB cannot add a foreign key to an existing table: the indexes were made, the"
              + " reference is not enforced");
      return null;
    }
    notices.add(
        "DuckDB cannot add a foreign key to an existing table: the column and its indexes were"
            + " made, the reference is not enforced");
    return plan.withSql(sql);
  }

  @Override
  public void beforeDdl(Connection connection, String sql) throws SQLException {
    DuckDbDialect.createSequences(connection, sql); // for serial and identity columns
  }

  @Override
  public String resultLabel(String label, String sql) {
    return DuckDbDialect.columnLabel(label, sql);
  }

  @Override
  public boolean isRowCount(List<ResultColumn> columns) {
    return columns.size() == 1 && columns.get(0).name().equals("Count");
  }

  /** DuckDB 1.5 says "Catalog Error: … an index depends on it!", earlier "Dependency Error". */
  @Override
  public boolean isIndexDependency(SQLException e) {
    String message = String.valueOf(e.getMessage());
    return message.contains("Dependency Error") || message.contains("index depends on it");
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
    // One thread per statement: the session's own. DuckDB's default (a worker per core) spent
    // about 45% more CPU on a point query waking workers it did not need (270 against 150 µs per
    // select by key, docs/PERFORMANCE.md); a scan then runs on one core, and the cores serve
    // concurrent sessions instead.
    p.setProperty("threads", "1");
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
