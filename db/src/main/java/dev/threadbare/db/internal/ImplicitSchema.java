package dev.threadbare.db.internal;

import dev.threadbare.db.internal.Plan.ColumnWrite;
import dev.threadbare.db.internal.Plan.ValueSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The implicit schema (DESIGN.md section 7) for one session: a write that names a table or column
 * that does not exist creates it with the type of the value, every written value is checked against
 * its column's type, and the columns a statement created are recorded as this version's. Used by
 * one session's thread.
 */
final class ImplicitSchema {
  private final LogicalDatabase db;
  private final LayerContext context;
  private final Connection connection;
  private final TransactionBlock block;

  ImplicitSchema(LogicalDatabase db, Connection connection, TransactionBlock block) {
    this.db = db;
    this.context = db.context;
    this.connection = connection;
    this.block = block;
  }

  /**
   * Creates the table or columns the write needs, then checks every written value against its
   * column's type. Returns the parameters converted to the columns' types, or null when the schema
   * changed so that the plan must be made again.
   */
  List<Object> ensureAndCoerce(Plan plan, List<Object> params, List<String> notices)
      throws SQLException {
    String table = plan.table();
    Map<String, ColumnType> existing = db.schema().get(table);
    Map<String, ColumnType> missing = new LinkedHashMap<>();
    for (ColumnWrite write : plan.writes()) {
      if (existing != null && existing.containsKey(write.column())) {
        continue;
      }
      ColumnType type = inferType(write.value(), params);
      ColumnType known = missing.get(write.column());
      if (known == null || known == ColumnType.OTHER) {
        missing.put(write.column(), type == null ? ColumnType.OTHER : type);
      }
    }
    if (missing.isEmpty()) {
      return coerceWrites(plan, params);
    }
    for (ColumnWrite write : plan.writes()) {
      if (missing.get(write.column()) == ColumnType.OTHER
          && write.value() instanceof ValueSource.Expression e) {
        throw Errors.cannotInferType(table, write.column(), e.text());
      }
    }
    if (existing != null) {
      block.beforeAlter(table, "add column(s) " + missing.keySet() + " to " + table, plan.sql());
    }
    for (int attempt = 1; ; attempt++) {
      try {
        createMissing(plan, table, existing, missing, notices);
        break;
      } catch (SQLException e) {
        String state = String.valueOf(e.getSQLState());
        boolean transientLock =
            state.equals(dev.threadbare.db.SqlState.DEADLOCK_DETECTED)
                || state.equals(dev.threadbare.db.SqlState.SERIALIZATION_FAILURE)
                || state.equals(dev.threadbare.db.SqlState.LOCK_NOT_AVAILABLE)
                || String.valueOf(e.getMessage()).contains("Conflict");
        if (!transientLock || attempt >= 5 || !block.idle()) {
          throw e;
        }
        sleepQuietly(50L * attempt);
      }
    }
    afterSchemaChange();
    // Columns read earlier as unknown are now real: plans that rewrote them must be redone.
    if (!plan.requestedColumns().isEmpty() || plan.createTable()) {
      return null;
    }
    return coerceWrites(plan, params);
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void createMissing(
      Plan plan,
      String table,
      Map<String, ColumnType> existing,
      Map<String, ColumnType> missing,
      List<String> notices)
      throws SQLException {
    boolean duck = context.engine.isDuckDb();
    try (Statement s = connection.createStatement()) {
      if (existing == null) {
        StringBuilder ddl =
            new StringBuilder("CREATE TABLE IF NOT EXISTS ")
                .append(DuckDbEngine.quote(table))
                .append(" (");
        String sep = "";
        for (var column : missing.entrySet()) {
          ddl.append(sep)
              .append(DuckDbEngine.quote(column.getKey()))
              .append(' ')
              .append(storedType(column.getValue()).ddlName(duck));
          sep = ", ";
        }
        List<String> conflictKey = OnConflict.columns(plan.sql());
        if (!conflictKey.isEmpty() && missing.keySet().containsAll(conflictKey)) {
          // INSERT … ON CONFLICT (key) needs a unique constraint on the key to infer
          ddl.append(", UNIQUE (");
          ddl.append(String.join(", ", conflictKey.stream().map(DuckDbEngine::quote).toList()));
          ddl.append(')');
        }
        s.execute(ddl.append(')').toString());
        notices.add("table " + table + " created with columns " + missing.keySet());
      } else {
        for (var column : missing.entrySet()) {
          s.execute(
              "ALTER TABLE "
                  + DuckDbEngine.quote(table)
                  + " ADD COLUMN IF NOT EXISTS "
                  + DuckDbEngine.quote(column.getKey())
                  + " "
                  + storedType(column.getValue()).ddlName(duck));
        }
        notices.add("column(s) " + missing.keySet() + " added to " + table);
      }
    }
  }

  /** A value of a type the layer does not infer is stored as text. */
  private static ColumnType storedType(ColumnType inferred) {
    return inferred == ColumnType.OTHER ? ColumnType.TEXT : inferred;
  }

  private List<Object> coerceWrites(Plan plan, List<Object> params) {
    String table = plan.table();
    Map<String, ColumnType> columns = db.schema().get(table);
    List<Object> bound = null;
    for (ColumnWrite write : plan.writes()) {
      ColumnType type = columns == null ? null : columns.get(write.column());
      if (type == null) {
        continue;
      }
      switch (write.value()) {
        case ValueSource.Literal literal ->
            Values.checkLiteral(table, write.column(), type, literal.type(), literal.text());
        case ValueSource.Parameter p -> {
          if (p.index() >= 0 && p.index() < params.size()) {
            Object value = params.get(p.index());
            Object coerced = Values.coerce(table, write.column(), type, value);
            if (coerced != value) {
              if (bound == null) {
                bound = new ArrayList<>(params);
              }
              bound.set(p.index(), coerced);
            }
          }
        }
        default -> {}
      }
    }
    return bound == null ? params : bound;
  }

  private static ColumnType inferType(ValueSource source, List<Object> params) {
    return switch (source) {
      case ValueSource.Literal l -> l.type();
      case ValueSource.Parameter p ->
          p.index() >= 0 && p.index() < params.size()
              ? ColumnType.ofJavaValue(params.get(p.index()))
              : null;
      default -> null;
    };
  }

  /** Reloads the schema after DDL and records new columns as created by this version. */
  void afterSchemaChange() throws SQLException {
    Map<String, Map<String, ColumnType>> added = db.reloadSchema(connection);
    long now = context.now();
    for (var table : added.entrySet()) {
      for (var column : table.getValue().entrySet()) {
        block.columnCreated(table.getKey(), column.getKey(), column.getValue().displayName(), now);
      }
    }
  }

  /** A preview's write is refused when it would take the database past its cap. */
  void checkSize(String sql, List<Object> params) throws SQLException {
    long limit = context.caps.of(db.name(), context.options.previewLimitBytes());
    long estimate = sql.length();
    for (Object p : params) {
      estimate += Values.sizeOf(p);
    }
    db.previewSize.admit(
        db.name(), estimate, limit, () -> context.engine.sizeBytes(db.name(), connection));
  }
}
