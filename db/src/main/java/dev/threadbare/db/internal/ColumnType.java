package dev.threadbare.db.internal;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.Locale;

/**
 * The column types the layer creates and understands, with their PostgreSQL OIDs and their spelling
 * on each engine. Immutable.
 */
public enum ColumnType {
  SMALLINT(21, "smallint", "SMALLINT", 1),
  INTEGER(23, "integer", "INTEGER", 2),
  BIGINT(20, "bigint", "BIGINT", 3),
  NUMERIC(1700, "numeric", DuckDbDialect.NUMERIC, 4),
  REAL(700, "real", "FLOAT", 4),
  DOUBLE(701, "double precision", "DOUBLE", 5),
  TEXT(25, "text", "VARCHAR", 0),
  VARCHAR(1043, "varchar", "VARCHAR", 0),
  BOOLEAN(16, "boolean", "BOOLEAN", 0),
  DATE(1082, "date", "DATE", 0),
  TIMESTAMP(1114, "timestamp", "TIMESTAMP", 0),
  TIMESTAMPTZ(1184, "timestamptz", "TIMESTAMPTZ", 0),
  BYTEA(17, "bytea", "BLOB", 0),
  TIME(1083, "time", "TIME", 0),
  INTERVAL(1186, "interval", "INTERVAL", 0),
  UUID(2950, "uuid", "UUID", 0),
  JSON(114, "json", "JSON", 0),
  // DuckDB has one JSON type: jsonb columns are JSON there (and answer as json)
  JSONB(3802, "jsonb", "JSON", 0),
  SMALLINT_ARRAY(1005, "smallint[]", "SMALLINT[]", 0),
  INTEGER_ARRAY(1007, "integer[]", "INTEGER[]", 0),
  BIGINT_ARRAY(1016, "bigint[]", "BIGINT[]", 0),
  TEXT_ARRAY(1009, "text[]", "VARCHAR[]", 0),
  BOOLEAN_ARRAY(1000, "boolean[]", "BOOLEAN[]", 0),
  DOUBLE_ARRAY(1022, "double precision[]", "DOUBLE[]", 0),
  NUMERIC_ARRAY(1231, "numeric[]", DuckDbDialect.NUMERIC + "[]", 0),
  OTHER(0, "text", "VARCHAR", 0);

  private final int oid;
  private final String postgresName;
  private final String duckDbName;
  private final int numericRank;

  ColumnType(int oid, String postgresName, String duckDbName, int numericRank) {
    this.oid = oid;
    this.postgresName = postgresName;
    this.duckDbName = duckDbName;
    this.numericRank = numericRank;
  }

  /** The PostgreSQL type OID. */
  public int oid() {
    return oid;
  }

  /** How the type is spelled in DDL on the given engine. */
  public String ddlName(boolean duckDb) {
    return duckDb ? duckDbName : postgresName;
  }

  /** The name users read in errors: PostgreSQL's. */
  public String displayName() {
    return this == OTHER ? "unknown" : postgresName;
  }

  public boolean isNumeric() {
    return numericRank > 0;
  }

  /** Whether values of this type are arrays (read as lists). */
  public boolean isArray() {
    return name().endsWith("_ARRAY");
  }

  public boolean isText() {
    return this == TEXT || this == VARCHAR;
  }

  /** Whether a column of this type may be altered to {@code target} without losing values. */
  public boolean widensTo(ColumnType target) {
    if (target == this || target.isText()) {
      return true;
    }
    if (isNumeric() && target.isNumeric()) {
      if (target == NUMERIC) {
        return this != REAL && this != DOUBLE;
      }
      if (target == DOUBLE) {
        return true;
      }
      return numericRank < target.numericRank && this != NUMERIC;
    }
    return (this == DATE && (target == TIMESTAMP || target == TIMESTAMPTZ))
        || (this == TIMESTAMP && target == TIMESTAMPTZ);
  }

  /** Maps an engine's type name (information_schema or result metadata, either engine). */
  public static ColumnType fromEngineName(String name, boolean duckDb) {
    String n = name.toLowerCase(Locale.ROOT).trim();
    if (n.endsWith("[]") || (n.startsWith("_") && n.length() > 1)) {
      // DuckDB and format_type spell arrays element[]; result metadata (pgjdbc) _element
      String element = n.endsWith("[]") ? n.substring(0, n.length() - 2) : n.substring(1);
      if (element.equals("name") || element.equals("char")) {
        return OTHER; // PostgreSQL's name[] (catalog queries): clients read it as text
      }
      return switch (fromEngineName(element, duckDb)) {
        case SMALLINT -> SMALLINT_ARRAY;
        case INTEGER -> INTEGER_ARRAY;
        case BIGINT -> BIGINT_ARRAY;
        case TEXT, VARCHAR -> TEXT_ARRAY;
        case BOOLEAN -> BOOLEAN_ARRAY;
        case DOUBLE, REAL -> DOUBLE_ARRAY;
        case NUMERIC -> NUMERIC_ARRAY;
        default -> OTHER;
      };
    }
    int paren = n.indexOf('(');
    if (paren > 0) {
      n = n.substring(0, paren).trim();
    }
    return switch (n) {
      case "smallint", "int2", "tinyint", "utinyint", "usmallint" -> SMALLINT;
      case "integer", "int", "int4", "serial", "uinteger" -> INTEGER;
      case "bigint", "int8", "bigserial", "ubigint" -> BIGINT;
      case "numeric", "decimal", "hugeint", "uhugeint" -> NUMERIC;
      case "real", "float4", "float" -> REAL;
      case "double precision", "double", "float8" -> DOUBLE;
      case "text", "string", "name" -> TEXT;
      // DuckDB's VARCHAR is its only text type, so it answers as PostgreSQL's text.
      case "varchar", "character varying", "character", "char", "bpchar" -> duckDb ? TEXT : VARCHAR;
      case "boolean", "bool" -> BOOLEAN;
      case "date" -> DATE;
      case "timestamp", "timestamp without time zone", "datetime", "timestamp_us" -> TIMESTAMP;
      case "timestamptz", "timestamp with time zone" -> TIMESTAMPTZ;
      case "bytea", "blob" -> BYTEA;
      case "time", "time without time zone" -> TIME;
      case "interval" -> INTERVAL;
      case "uuid" -> UUID;
      case "json" -> JSON;
      case "jsonb" -> JSONB;
      default -> OTHER;
    };
  }

  /** The type a new column gets from a parameter's Java value; null when it cannot tell. */
  public static ColumnType ofJavaValue(Object value) {
    return switch (value) {
      case null -> null;
      case Integer i -> INTEGER;
      case Short s -> SMALLINT;
      case Long l -> BIGINT;
      case Double d -> DOUBLE;
      case Float f -> REAL;
      case BigDecimal b -> NUMERIC;
      case String s -> TEXT;
      case Boolean b -> BOOLEAN;
      case LocalDate d -> DATE;
      case LocalDateTime t -> TIMESTAMP;
      case OffsetDateTime t -> TIMESTAMPTZ;
      case byte[] b -> BYTEA;
      case dev.threadbare.db.UntypedParameter u -> Values.inferUntyped(u.text());
      default -> null;
    };
  }
}
