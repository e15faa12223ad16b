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

  /** Whether this is DuckDB (type spellings and a few behaviours differ). */
  boolean isDuckDb();

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
