package dev.threadbare.db.internal;

import dev.threadbare.db.StatementResult;
import dev.threadbare.db.internal.Plan.ColumnRef;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The DDL a session runs, with what the layer adds: foreign keys get their indexes at once, an
 * ALTER runs around the automatic indexes that would block it, the catalog follows column types,
 * and SET NOT NULL is checked against the rows and the deployed versions first. Used by one
 * session's thread.
 */
final class DdlStatements {
  private final LogicalDatabase db;
  private final LayerContext context;
  private final Connection connection;
  private final TransactionBlock block;
  private final ImplicitSchema schema;
  private final StatementRunner statements;

  DdlStatements(
      LogicalDatabase db,
      Connection connection,
      TransactionBlock block,
      ImplicitSchema schema,
      StatementRunner statements) {
    this.db = db;
    this.context = db.context;
    this.connection = connection;
    this.block = block;
    this.schema = schema;
    this.statements = statements;
  }

  /** SET NOT NULL, once no row holds a NULL and no deployed version omits the column. */
  StatementResult setNotNull(Plan plan, List<Object> params, List<String> notices)
      throws SQLException {
    checkSetNotNull(plan.requestedColumns().get(0));
    return run(plan, params, notices);
  }

  StatementResult run(Plan original, List<Object> params, List<String> notices)
      throws SQLException {
    Plan plan = original;
    boolean alter = SqlText.firstWord(plan.sql()).equals("ALTER");
    if (alter && !plan.foreignKeys().isEmpty()) {
      plan = context.engine.alterAddingForeignKeys(plan, notices);
      if (plan == null) {
        ensureForeignKeyIndexes(original);
        return new StatementResult("ALTER TABLE", List.of(), List.of(), notices);
      }
    }
    if (alter) {
      block.beforeAlter(plan.table(), "alter " + plan.table(), plan.sql());
    }
    context.engine.beforeDdl(connection, plan.sql());
    Plan ddl = plan;
    StatementResult[] holder = new StatementResult[1];
    if (plan.table() != null) {
      db.alterAroundIndexes(
          connection, plan.table(), () -> holder[0] = statements.run(ddl, params, notices));
    } else {
      holder[0] = statements.run(ddl, params, notices);
    }
    StatementResult result = holder[0];
    Map<String, ColumnType> before = plan.table() == null ? null : db.schema().get(plan.table());
    schema.afterSchemaChange();
    if (before != null) {
      // ALTER COLUMN … TYPE: the catalog (what describe shows) follows the engine
      String table = plan.table();
      Map<String, ColumnType> after = db.schema().getOrDefault(table, Map.of());
      before.forEach(
          (column, type) -> {
            ColumnType now = after.get(column);
            if (now != null && now != type) {
              context.catalog.updateColumnType(db.name(), table, column, now.displayName());
            }
          });
    }
    ensureForeignKeyIndexes(plan);
    return result;
  }

  private void ensureForeignKeyIndexes(Plan plan) throws SQLException {
    for (Plan.ForeignKey fk : plan.foreignKeys()) {
      db.ensureIndexNow(
          connection, fk.table(), fk.column(), "foreign key " + fk.table() + "." + fk.column());
      if (fk.referencedColumn() != null) {
        db.ensureIndexNow(
            connection,
            fk.referencedTable(),
            fk.referencedColumn(),
            "referenced by foreign key " + fk.table() + "." + fk.column());
      }
    }
  }

  private void checkSetNotNull(ColumnRef target) throws SQLException {
    String table = target.table();
    String column = target.column();
    Map<String, ColumnType> columns = db.schema().get(table);
    if (columns == null || !columns.containsKey(column)) {
      return; // the engine names the missing column
    }
    try (Statement s = connection.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT count(*) FROM "
                    + DuckDbEngine.quote(table)
                    + " WHERE "
                    + DuckDbEngine.quote(column)
                    + " IS NULL")) {
      rs.next();
      long nulls = rs.getLong(1);
      if (nulls > 0) {
        throw Errors.setNotNullHasNulls(table, column, nulls);
      }
    }
    context.usage.flush(context.catalog);
    long cutoff = context.now() - context.options.retention().toMillis();
    Set<String> inTheWay = new TreeSet<>();
    for (CatalogStore.UsageRow row : context.catalog.usage(db.name())) {
      if (row.table().equals(table)
          && row.column().equals(column)
          && row.kind().equals("omit")
          && row.lastAt() >= cutoff) {
        inTheWay.add(row.version());
      }
    }
    if (!inTheWay.isEmpty()) {
      throw Errors.setNotNullVersionsInTheWay(table, column, inTheWay);
    }
  }
}
