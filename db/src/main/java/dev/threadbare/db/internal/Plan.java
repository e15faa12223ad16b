package dev.threadbare.db.internal;

import java.util.List;
import java.util.Objects;

/**
 * What the planner decided about one statement: the SQL to run (rewritten where the house rules
 * demand), the schema it needs, the usage it records and the indexes it wishes for. Immutable;
 * cached per statement text and schema version.
 */
public record Plan(
    Kind kind,
    String sql,
    SqlText.Placeholders placeholders,
    String table,
    boolean createTable,
    List<ColumnWrite> writes,
    List<Use> uses,
    List<IndexWish> indexWishes,
    List<ForeignKey> foreignKeys,
    List<ColumnRef> requestedColumns,
    List<String> notices,
    String commandTag) {

  public Plan {
    Objects.requireNonNull(kind, "kind");
    writes = List.copyOf(writes);
    uses = List.copyOf(uses);
    indexWishes = List.copyOf(indexWishes);
    foreignKeys = List.copyOf(foreignKeys);
    requestedColumns = List.copyOf(requestedColumns);
    notices = List.copyOf(notices);
  }

  /** This plan running {@code sql} instead (an engine's spelling of the same statement). */
  Plan withSql(String sql) {
    return rewritten(kind, sql, commandTag);
  }

  /** This plan running {@code sql} as {@code kind}, answered with {@code commandTag}. */
  Plan rewritten(Kind kind, String sql, String commandTag) {
    return new Plan(
        kind,
        sql,
        SqlText.placeholders(sql),
        table,
        createTable,
        writes,
        uses,
        indexWishes,
        foreignKeys,
        requestedColumns,
        notices,
        commandTag);
  }

  /**
   * A plan that writes, reads and wishes for nothing the layer tracks: DDL, SET NOT NULL and
   * statements passed through, with the foreign keys and the columns they name.
   */
  static Plan withoutUses(
      Kind kind,
      String sql,
      String table,
      List<ForeignKey> foreignKeys,
      List<ColumnRef> requestedColumns) {
    return new Plan(
        kind,
        sql,
        SqlText.placeholders(sql),
        table,
        false,
        List.of(),
        List.of(),
        List.of(),
        foreignKeys,
        requestedColumns,
        List.of(),
        null);
  }

  /** How the session runs the statement. */
  public enum Kind {
    QUERY,
    INSERT,
    UPDATE,
    DELETE,
    DDL,
    SET_NOT_NULL,
    SET,
    NOOP,
    OTHER
  }

  /**
   * How a statement uses a column. INSERT and UPDATE are the two kinds of write; OMIT marks an
   * INSERT into the column's table that did not supply it (what SET NOT NULL checks).
   */
  public enum UseKind {
    READ,
    INSERT,
    UPDATE,
    OMIT
  }

  /** A table and column, as stored (unquoted names folded to lower case). */
  public record ColumnRef(String table, String column) {}

  /** One use of a column. */
  public record Use(String table, String column, UseKind kind) {}

  /** A column the statement filters, joins or sorts on. */
  public record IndexWish(String table, String column, String reason) {}

  /** A REFERENCES clause: the referencing and referenced columns. */
  public record ForeignKey(
      String table, String column, String referencedTable, String referencedColumn) {}

  /** A value written to a column, for implicit creation and the type check. */
  public record ColumnWrite(String table, String column, ValueSource value) {}

  /** Where a written value comes from. */
  public sealed interface ValueSource {
    /** A literal of a known type; text is its SQL spelling. */
    record Literal(ColumnType type, String text) implements ValueSource {}

    /** The NULL literal. */
    record Null() implements ValueSource {}

    /** Parameter {@code $index+1}. */
    record Parameter(int index) implements ValueSource {}

    /** An expression whose type the layer does not infer. */
    record Expression(String text) implements ValueSource {}
  }
}
