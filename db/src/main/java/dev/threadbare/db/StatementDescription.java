package dev.threadbare.db;

import java.util.List;

/** A statement described before it runs: its parameter type OIDs and result columns. */
public record StatementDescription(List<Integer> parameterTypes, List<ResultColumn> columns) {
  public StatementDescription {
    parameterTypes = List.copyOf(parameterTypes);
    columns = List.copyOf(columns);
  }
}
