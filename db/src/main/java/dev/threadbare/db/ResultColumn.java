package dev.threadbare.db;

import java.util.Objects;

/** A result column: its name and its PostgreSQL type OID (25 text, 20 int8, 701 float8…). */
public record ResultColumn(String name, int typeOid) {
  public ResultColumn {
    Objects.requireNonNull(name, "name");
  }
}
