package dev.threadbare.db;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Which columns could be garbage collected: per column, the versions that hold it (used it) and
 * when each last did; collectible only when no version used it within the retention period. The
 * report drops nothing. Immutable snapshot.
 */
public record GcReport(String database, Instant asOf, Duration retention, List<ColumnUse> columns) {
  public GcReport {
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(asOf, "asOf");
    Objects.requireNonNull(retention, "retention");
    columns = List.copyOf(columns);
  }

  /** One column and the versions holding it. {@code lastUsed} is null if none ever used it. */
  public record ColumnUse(
      String table, String column, List<VersionUse> heldBy, Instant lastUsed, boolean collectible) {
    public ColumnUse {
      heldBy = List.copyOf(heldBy);
    }
  }

  /** A version's last use of a column, and whether it read or wrote it. */
  public record VersionUse(String version, Instant lastUsed, List<String> kinds) {
    public VersionUse {
      kinds = List.copyOf(kinds);
    }
  }

  /** The columns that could go. */
  public List<ColumnUse> collectible() {
    return columns.stream().filter(ColumnUse::collectible).toList();
  }
}
