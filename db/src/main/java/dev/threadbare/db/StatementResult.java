package dev.threadbare.db;

import java.util.List;
import java.util.Objects;

/**
 * What one statement answered. Immutable (rows are not deep-copied).
 *
 * @param commandTag PostgreSQL's command tag: {@code SELECT 3}, {@code INSERT 0 1}, {@code BEGIN}…
 * @param columns result columns; empty when the statement returns no rows
 * @param rows values as Java objects (null for SQL NULL), one array per row
 * @param notices notices to show the client (such as a CREATE INDEX accepted as a no-op)
 */
public record StatementResult(
    String commandTag, List<ResultColumn> columns, List<Object[]> rows, List<String> notices) {
  public StatementResult {
    Objects.requireNonNull(commandTag, "commandTag");
    columns = List.copyOf(columns);
    rows = List.copyOf(rows);
    notices = List.copyOf(notices);
  }

  /** Whether the statement returns rows (a query, or RETURNING). */
  public boolean hasRows() {
    return !columns.isEmpty();
  }
}
