package dev.threadbare.db;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What a logical database holds, as the layer's catalog knows it: tables and columns with the
 * versions that created them, columns read before anyone wrote them, and the automatic indexes with
 * why and when they were made or dropped. Immutable snapshot.
 */
public record CatalogDescription(String database, List<Table> tables, List<Index> indexes) {
  public CatalogDescription {
    Objects.requireNonNull(database, "database");
    tables = List.copyOf(tables);
    indexes = List.copyOf(indexes);
  }

  /** A table and its columns. */
  public record Table(String name, List<Column> columns) {
    public Table {
      Objects.requireNonNull(name, "name");
      columns = List.copyOf(columns);
    }
  }

  /**
   * A column. {@code type} is null and {@code requestedBy} non-empty for a column that versions
   * read but none has written yet (it answers NULLs).
   */
  public record Column(
      String name, String type, String createdBy, Instant createdAt, List<String> requestedBy) {
    public Column {
      Objects.requireNonNull(name, "name");
      requestedBy = List.copyOf(requestedBy);
    }
  }

  /** An automatic index; {@code droppedAt} is null while it lives. */
  public record Index(
      String name,
      String table,
      String column,
      String reason,
      Instant createdAt,
      Instant lastUsedAt,
      Instant droppedAt,
      String dropReason) {
    public Index {
      Objects.requireNonNull(name, "name");
    }
  }
}
