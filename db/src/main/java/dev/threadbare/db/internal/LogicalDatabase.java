package dev.threadbare.db.internal;

import dev.threadbare.db.DbException;
import dev.threadbare.db.internal.CatalogStore.IndexRow;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One logical database as the layer sees it: a cached schema snapshot with a version, the plans
 * made against it, the automatic indexes and the columns already reported as requested. Shared by
 * all sessions on the database; thread safe.
 */
public final class LogicalDatabase {
  private static final int PLAN_CACHE_LIMIT = 10_000;

  final String name;
  final LayerContext context;
  private volatile Map<String, Map<String, ColumnType>> schema = Map.of();
  private volatile long schemaVersion;
  private final PlanCache plans = new PlanCache(PLAN_CACHE_LIMIT);

  /** Live automatic indexes by "table\0column" → index name. */
  private final Map<String, String> liveIndexes = new ConcurrentHashMap<>();

  /** Columns whose index is being built or failed to build. */
  private final Set<String> pendingIndexes = ConcurrentHashMap.newKeySet();

  /** The background index builds running now, by table. */
  private final Map<Statement, String> runningBuilds = new ConcurrentHashMap<>();

  private final Set<String> requestedSeen = ConcurrentHashMap.newKeySet();

  /** The preview cap's measure of the database's size, shared by its sessions. */
  final PreviewSize previewSize = new PreviewSize();

  /**
   * Where the engine needs it (DuckDB): index builds exclude statements (see {@link WriteGate}).
   */
  final WriteGate gate = new WriteGate();

  LogicalDatabase(String name, LayerContext context) {
    this.name = name;
    this.context = context;
    try (Connection c = context.engine.connect(name)) {
      reloadSchema(c);
    } catch (SQLException e) {
      throw context.engine.translate(e, "load schema of " + name);
    }
    for (IndexRow row : context.catalog.indexes(name)) {
      if (row.droppedAt() == null) {
        liveIndexes.put(key(row.table(), row.column()), row.name());
      }
    }
  }

  public String name() {
    return name;
  }

  Map<String, Map<String, ColumnType>> schema() {
    return schema;
  }

  long schemaVersion() {
    return schemaVersion;
  }

  /** Reads the schema from the engine; returns the columns that were not there before. */
  synchronized Map<String, Map<String, ColumnType>> reloadSchema(Connection connection)
      throws SQLException {
    Map<String, Map<String, ColumnType>> fresh = context.engine.loadSchema(connection);
    Map<String, Map<String, ColumnType>> added = new java.util.LinkedHashMap<>();
    for (var table : fresh.entrySet()) {
      Map<String, ColumnType> old = schema.get(table.getKey());
      for (var column : table.getValue().entrySet()) {
        if (old == null || !old.containsKey(column.getKey())) {
          added
              .computeIfAbsent(table.getKey(), k -> new java.util.LinkedHashMap<>())
              .put(column.getKey(), column.getValue());
        }
      }
    }
    if (!fresh.equals(schema)) {
      schema = Map.copyOf(fresh);
      schemaVersion++;
    }
    return added;
  }

  /** Forgets the cached schema's version so the next statements re-plan (after a rollback). */
  synchronized void invalidate(Connection connection) throws SQLException {
    schema = Map.of();
    schemaVersion++;
    reloadSchema(connection);
  }

  /** The plan for one statement, from the cache when the schema has not changed since. */
  Plan plan(String sql) {
    long version = schemaVersion;
    Plan cached = plans.get(sql, version);
    if (cached != null) {
      return cached;
    }
    IsolationRules.check(sql);
    Plan plan = new Planner(schema, context.options.parseTimeout()).plan(sql);
    plan = context.engine.adapt(plan);
    plans.put(sql, version, plan);
    return plan;
  }

  /** Records a column read before it existed, once per version. */
  void requested(String table, String column, String version) {
    if (requestedSeen.add(table + '\0' + column + '\0' + version)) {
      context.catalog.recordRequested(name, table, column, version, context.now());
    }
  }

  static String key(String table, String column) {
    return table + '\0' + column;
  }

  /** The automatic index's name for a column: readable, unique, within 63 bytes. */
  static String indexName(String table, String column) {
    String readable = (table + "_" + column).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    if (readable.length() > 40) {
      readable = readable.substring(0, 40);
    }
    byte[] digest;
    try {
      digest =
          java.security.MessageDigest.getInstance("SHA-256")
              .digest(key(table, column).getBytes(StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    return "tb_auto_" + readable + "_" + HexFormat.of().formatHex(digest, 0, 4);
  }

  /**
   * A statement filters, joins or sorts on a column: note the use of its index, or start building
   * one in the background.
   */
  void wish(Plan.IndexWish wish) {
    String key = key(wish.table(), wish.column());
    String live = liveIndexes.get(key);
    if (live != null) {
      context.usage.indexUsed(name, live, context.now());
      return;
    }
    if (!pendingIndexes.add(key)) {
      return;
    }
    context.background.execute(
        () -> {
          try {
            build(wish.table(), wish.column(), "first " + wish.reason() + " on the column", true);
          } catch (RuntimeException e) {
            context.emit(
                name,
                "index-failed",
                "could not build the index on "
                    + wish.table()
                    + "."
                    + wish.column()
                    + ": "
                    + e.getMessage());
          }
        });
  }

  /**
   * Cancels the background index builds running on {@code table} (they are retried). On PostgreSQL,
   * a transaction about to ALTER a table would otherwise deadlock with a {@code CREATE INDEX
   * CONCURRENTLY} on it, which waits for that transaction to end.
   */
  void cancelBuildsOn(String table) {
    runningBuilds.forEach(
        (statement, on) -> {
          if (on.equals(table)) {
            try {
              statement.cancel();
            } catch (SQLException e) {
              // the build ended meanwhile
            }
          }
        });
  }

  /** Builds the index now (foreign keys), on the given connection. */
  void ensureIndexNow(Connection connection, String table, String column, String reason)
      throws SQLException {
    String key = key(table, column);
    if (liveIndexes.containsKey(key) || !schema.containsKey(table)) {
      return;
    }
    String index = indexName(table, column);
    try (Statement s = connection.createStatement()) {
      s.execute(
          context
              .engine
              .createIndexSql(index, table, column)
              .replace("CREATE INDEX CONCURRENTLY", "CREATE INDEX"));
    }
    registerIndex(index, table, column, reason);
  }

  private void build(String table, String column, String reason, boolean retry) {
    String index = indexName(table, column);
    String sql = context.engine.createIndexSql(index, table, column);
    DbException last = null;
    for (int attempt = 0; attempt < (retry ? 3 : 1); attempt++) {
      boolean gated = context.engine.usesWriteGate();
      if (gated && !gate.enterExclusive(30, java.util.concurrent.TimeUnit.SECONDS)) {
        last = Errors.indexBuildPostponed(table);
        continue;
      }
      try (Connection c = context.engine.connect(name);
          Statement s = c.createStatement()) {
        runningBuilds.put(s, table);
        try {
          context.engine.runMaintenance(s, sql);
        } finally {
          runningBuilds.remove(s);
        }
        registerIndex(index, table, column, reason);
        return;
      } catch (SQLException e) {
        last = context.engine.translate(e, sql);
        // a failed concurrent build leaves an invalid index behind: clear it before retrying
        try (Connection c = context.engine.connect(name);
            Statement s = c.createStatement()) {
          s.execute(context.engine.dropIndexSql(index));
        } catch (SQLException cleanup) {
          last.addSuppressed(cleanup);
        }
      } finally {
        if (gated) {
          gate.leaveExclusive();
        }
      }
      try {
        Thread.sleep(100L * (attempt + 1));
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    // forget the attempt so that a later statement asks again
    pendingIndexes.remove(key(table, column));
    throw last;
  }

  private void registerIndex(String index, String table, String column, String reason) {
    String key = key(table, column);
    if (liveIndexes.putIfAbsent(key, index) == null) {
      context.catalog.addIndex(name, index, table, column, reason, context.now());
      context.emit(
          name, "index-created", "index " + index + " on " + table + "." + column + ": " + reason);
    }
    pendingIndexes.remove(key);
  }

  /**
   * Runs {@code ddl} on DuckDB, which refuses some ALTERs on a table with indexes: on that refusal
   * the table's automatic indexes are dropped, the ALTER runs, and they are built again.
   */
  void alterAroundIndexes(Connection connection, String table, SqlAction ddl) throws SQLException {
    try {
      ddl.run();
    } catch (SQLException e) {
      if (!context.engine.isIndexDependency(e)) {
        throw e;
      }
      if (!connection.getAutoCommit()) {
        // DuckDB keeps the dependency on a dropped index until the transaction ends
        throw Errors.duckDbAlterWithIndexInTransaction(table, e);
      }
      Map<String, String> onTable = new java.util.LinkedHashMap<>();
      liveIndexes.forEach(
          (key, index) -> {
            if (key.startsWith(table + '\0')) {
              onTable.put(key.substring(table.length() + 1), index);
            }
          });
      try (Statement s = connection.createStatement()) {
        for (String index : onTable.values()) {
          s.execute(context.engine.dropIndexSql(index));
        }
        ddl.run();
        for (var entry : onTable.entrySet()) {
          s.execute(context.engine.createIndexSql(entry.getValue(), table, entry.getKey()));
        }
      }
    }
  }

  /** A JDBC action. */
  @FunctionalInterface
  interface SqlAction {
    void run() throws SQLException;
  }

  /** Drops indexes unused since {@code cutoff}; called by the layer's maintenance. */
  void dropUnusedIndexes(long cutoff, String retention) {
    for (IndexRow row : context.catalog.indexes(name)) {
      if (row.droppedAt() != null || row.lastUsedAt() >= cutoff) {
        continue;
      }
      String sql = context.engine.dropIndexSql(row.name());
      boolean gated = context.engine.usesWriteGate();
      if (gated && !gate.enterExclusive(30, java.util.concurrent.TimeUnit.SECONDS)) {
        continue; // busy: the next maintenance run tries again
      }
      try (Connection c = context.engine.connect(name);
          Statement s = c.createStatement()) {
        context.engine.runMaintenance(s, sql);
      } catch (SQLException e) {
        context.emit(
            name,
            "index-failed",
            "could not drop unused index " + row.name() + ": " + e.getMessage());
        continue;
      } finally {
        if (gated) {
          gate.leaveExclusive();
        }
      }
      liveIndexes.remove(key(row.table(), row.column()));
      pendingIndexes.remove(key(row.table(), row.column()));
      String why = "unused for " + retention;
      context.catalog.indexDropped(name, row.name(), context.now(), why);
      context.emit(
          name,
          "index-dropped",
          "index " + row.name() + " on " + row.table() + "." + row.column() + " dropped: " + why);
    }
  }
}
