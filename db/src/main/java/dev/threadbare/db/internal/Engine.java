package dev.threadbare.db.internal;

import dev.threadbare.db.DbException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The port to a SQL engine that holds the logical databases: DuckDB files or PostgreSQL databases.
 * Implementations are thread safe; connections they hand out are not.
 */
public interface Engine extends AutoCloseable {

  /** Whether this is DuckDB: type names and values are spelled DuckDB's way. */
  boolean isDuckDb();

  // What the engines do differently, asked by the session. PostgreSQL's answers are the defaults.

  /** The plan as this engine runs it (DuckDB rewrites PostgreSQL spellings it lacks). */
  default Plan adapt(Plan plan) {
    return plan;
  }

  /**
   * Runs one autocommit statement of {@code kind} under the database's gate, as this engine needs:
   * PostgreSQL needs none; DuckDB keeps index builds apart from every other statement.
   */
  default <T> T gated(WriteGate gate, Plan.Kind kind, java.util.function.Supplier<T> body) {
    return body.get();
  }

  /** Whether a transaction holds a share of the database's {@link WriteGate} from BEGIN to end. */
  default boolean usesWriteGate() {
    return false;
  }

  /** Whether the engine has savepoints (DuckDB has none: the layer replays the block). */
  default boolean hasSavepoints() {
    return true;
  }

  /** Whether session settings ({@code SET application_name …}) are run (else acknowledged). */
  default boolean runsSettings() {
    return true;
  }

  /**
   * Called before a transaction block ALTERs {@code table} ({@code changedRows}: the block updated
   * or deleted its rows). PostgreSQL: cancels index builds on the table, which would deadlock with
   * the ALTER; DuckDB: refuses what it could not commit.
   */
  default void beforeAlterInTransaction(
      LogicalDatabase db,
      String table,
      boolean changedRows,
      String what,
      String sql,
      boolean implicitBlock) {
    db.cancelBuildsOn(table);
  }

  /**
   * The ALTER to run for a plan that adds foreign keys to an existing table, noting in {@code
   * notices} what differs; null when nothing is left to run (the indexes are still made).
   */
  default Plan alterAddingForeignKeys(Plan plan, java.util.List<String> notices) {
    return plan;
  }

  /** Runs before DDL on the session's connection (DuckDB: the sequences serial columns need). */
  default void beforeDdl(Connection connection, String sql) throws SQLException {}

  /** The name a client sees for a result column the engine labelled {@code label}. */
  default String resultLabel(String label, String sql) {
    return label;
  }

  /**
   * Whether a write's result columns are the engine's row count rather than rows to answer (DuckDB
   * answers an INSERT with a "Count" column).
   */
  default boolean isRowCount(java.util.List<dev.threadbare.db.ResultColumn> columns) {
    return false;
  }

  /** Whether {@code e} is the engine refusing an ALTER because an index depends on the table. */
  default boolean isIndexDependency(SQLException e) {
    return false;
  }

  /** Creates the logical database if it does not exist. */
  void ensureDatabase(String database);

  /** A new connection to the logical database, in autocommit mode. The caller closes it. */
  Connection connect(String database) throws SQLException;

  /** Tables and their columns in the default schema, in column order. */
  Map<String, Map<String, ColumnType>> loadSchema(Connection connection) throws SQLException;

  /**
   * Reads a schema from {@code query}, whose rows are (table, column, engine type name) in table
   * and column order: the one loop both engines' {@link #loadSchema} share.
   */
  static Map<String, Map<String, ColumnType>> readSchema(
      Connection connection, String query, boolean duckDb) throws SQLException {
    Map<String, Map<String, ColumnType>> schema = new LinkedHashMap<>();
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery(query)) {
      while (rs.next()) {
        schema
            .computeIfAbsent(rs.getString(1), k -> new LinkedHashMap<>())
            .put(rs.getString(2), ColumnType.fromEngineName(rs.getString(3), duckDb));
      }
    }
    return schema;
  }

  /** Bytes the logical database's tables use (what the preview cap measures). */
  long sizeBytes(String database, Connection connection) throws SQLException;

  /** The statement that builds an index without blocking writers where the engine can. */
  String createIndexSql(String index, String table, String column);

  /** The statement that drops an index. */
  String dropIndexSql(String index);

  /**
   * Runs the layer's own maintenance {@code sql} (an index build or drop) on a tenant's connection,
   * free of the limits meant for the tenant's statements.
   */
  default void runMaintenance(Statement statement, String sql) throws SQLException {
    statement.execute(sql);
  }

  /** A connection to the layer's own catalog. The caller closes it. */
  Connection catalogConnection() throws SQLException;

  /** Whether the catalog is SQLite (else PostgreSQL). */
  boolean catalogIsSqlite();

  /** An engine error as a DbException with a real SQLSTATE. */
  DbException translate(SQLException e, String sql);

  @Override
  void close();
}
