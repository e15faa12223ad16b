package dev.threadbare.db.internal;

import dev.threadbare.db.UntypedParameter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Value rules: whether a literal or parameter fits a column's type (and the parameter converted to
 * it), and reading result values as the Java types the contract names. Stateless.
 */
final class Values {
  private static final Set<String> BOOLEAN_WORDS =
      Set.of("true", "false", "t", "f", "yes", "no", "y", "n", "on", "off", "1", "0");
  private static final Pattern DATE_LIKE = Pattern.compile("^\\s*\\d{4}-\\d{2}-\\d{2}.*");

  private Values() {}

  /** Checks a literal written to a column; throws 42804 when it cannot fit. */
  static void checkLiteral(
      String table, String column, ColumnType target, ColumnType literal, String text) {
    if (target.isText() || target == ColumnType.OTHER) {
      return;
    }
    String shown = text == null ? "of type " + literal.displayName() : quoteShown(literal, text);
    boolean ok =
        switch (target) {
          case SMALLINT, INTEGER, BIGINT ->
              literal == ColumnType.BIGINT
                  // a cast to an integer type (1::int, CAST(2 AS smallint), $1::integer): the
                  // engine checks the range
                  || (text == null
                      && (literal == ColumnType.SMALLINT || literal == ColumnType.INTEGER))
                  || ((literal.isNumeric() || literal.isText())
                      && text != null
                      && isIntegral(text));
          case NUMERIC, REAL, DOUBLE ->
              literal.isNumeric() || (literal.isText() && text != null && isNumber(text));
          case BOOLEAN ->
              literal == ColumnType.BOOLEAN
                  || (literal.isText()
                      && text != null
                      && BOOLEAN_WORDS.contains(text.strip().toLowerCase(Locale.ROOT)));
          case DATE, TIMESTAMP, TIMESTAMPTZ ->
              literal == ColumnType.DATE
                  || literal == ColumnType.TIMESTAMP
                  || literal == ColumnType.TIMESTAMPTZ
                  || (literal.isText() && (text == null || DATE_LIKE.matcher(text).matches()));
          case BYTEA -> literal == ColumnType.BYTEA || literal.isText();
          case JSON, JSONB ->
              literal == ColumnType.JSON || literal == ColumnType.JSONB || literal.isText();
          default -> literal == target || literal.isText();
        };
    if (!ok) {
      throw Errors.incompatibleValue(table, column, target, shown);
    }
  }

  private static String quoteShown(ColumnType literal, String text) {
    String cut = text.length() > 60 ? text.substring(0, 60) + "…" : text;
    return literal.isText() ? "'" + cut + "'" : cut;
  }

  private static boolean isIntegral(String text) {
    try {
      new BigDecimal(text.strip()).toBigIntegerExact();
      return true;
    } catch (ArithmeticException | NumberFormatException e) {
      return false;
    }
  }

  private static boolean isNumber(String text) {
    try {
      new BigDecimal(text.strip());
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** Converts a parameter written to a column to the column's type; throws 42804 if it cannot. */
  static Object coerce(String table, String column, ColumnType target, Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof UntypedParameter untyped) {
      value = untyped.text();
    }
    try {
      Object converted = convert(target, value);
      if (converted != null) {
        return converted;
      }
    } catch (NumberFormatException | ArithmeticException | DateTimeParseException e) {
      // falls through to the error naming the column
    }
    String shown =
        value instanceof byte[] b
            ? "of " + b.length + " bytes"
            : value instanceof String s
                ? "'" + (s.length() > 60 ? s.substring(0, 60) + "…" : s) + "'"
                : value.toString();
    throw Errors.incompatibleValue(table, column, target, shown);
  }

  private static Object convert(ColumnType target, Object value) {
    return switch (target) {
      case TEXT, VARCHAR, OTHER -> value instanceof byte[] ? null : value.toString();
      case SMALLINT, INTEGER, BIGINT -> {
        BigInteger i =
            switch (value) {
              case Long l -> BigInteger.valueOf(l);
              case Integer n -> BigInteger.valueOf(n);
              case Short n -> BigInteger.valueOf(n);
              case BigDecimal d -> d.toBigIntegerExact();
              case String s -> new BigDecimal(s.strip()).toBigIntegerExact();
              default -> null;
            };
        if (i == null) {
          yield null;
        }
        yield target == ColumnType.BIGINT
            ? (Object) i.longValueExact()
            : target == ColumnType.INTEGER ? (Object) i.intValueExact() : i.shortValueExact();
      }
      case NUMERIC ->
          switch (value) {
            case BigDecimal d -> d;
            case Long l -> BigDecimal.valueOf(l);
            case Integer n -> BigDecimal.valueOf(n);
            case Short n -> BigDecimal.valueOf(n);
            case Double d -> BigDecimal.valueOf(d);
            case Float f -> new BigDecimal(f.toString());
            case String s -> new BigDecimal(s.strip());
            default -> null;
          };
      case REAL, DOUBLE ->
          switch (value) {
            case Number n when !(value instanceof BigInteger) -> n.doubleValue();
            case String s -> Double.parseDouble(s.strip());
            default -> null;
          };
      case BOOLEAN ->
          switch (value) {
            case Boolean b -> b;
            case String s when BOOLEAN_WORDS.contains(s.strip().toLowerCase(Locale.ROOT)) ->
                Set.of("true", "t", "yes", "y", "on", "1")
                    .contains(s.strip().toLowerCase(Locale.ROOT));
            default -> null;
          };
      case DATE ->
          switch (value) {
            case LocalDate d -> d;
            case LocalDateTime t -> t.toLocalDate();
            case String s -> DateTimeText.parse(s).date();
            default -> null;
          };
      case TIMESTAMP ->
          switch (value) {
            case LocalDateTime t -> t;
            case LocalDate d -> d.atStartOfDay();
            case OffsetDateTime t -> t.toLocalDateTime();
            case String s -> DateTimeText.parse(s).local();
            default -> null;
          };
      case TIMESTAMPTZ ->
          switch (value) {
            case OffsetDateTime t -> t;
            case LocalDateTime t -> t.atOffset(ZoneOffset.UTC);
            case LocalDate d -> d.atStartOfDay().atOffset(ZoneOffset.UTC);
            case String s -> DateTimeText.parse(s).instant();
            default -> null;
          };
      case BYTEA ->
          switch (value) {
            case byte[] b -> b;
            case String s when s.startsWith("\\x") -> HexFormat.of().parseHex(s.substring(2));
            default -> null;
          };
      default -> value;
    };
  }

  /**
   * The type a new column gets from an untyped parameter's text, as a person reads it: an integer
   * (no leading zero) is bigint, a decimal number numeric, {@code true}/{@code false} boolean, an
   * ISO date date, an ISO date and time timestamp (timestamptz with an offset or Z), anything else
   * text. db/README.md says the same.
   */
  static ColumnType inferUntyped(String text) {
    String t = text.strip();
    if (!t.equals(text) || t.isEmpty()) {
      return ColumnType.TEXT;
    }
    if (INTEGER_TEXT.matcher(t).matches()) {
      return t.replace("-", "").replace("+", "").length() <= 18
          ? ColumnType.BIGINT
          : ColumnType.NUMERIC;
    }
    if (DECIMAL_TEXT.matcher(t).matches()) {
      return ColumnType.NUMERIC;
    }
    if (t.equalsIgnoreCase("true") || t.equalsIgnoreCase("false")) {
      return ColumnType.BOOLEAN;
    }
    DateTimeText parsed = DateTimeText.tryParse(t);
    if (parsed != null) {
      return parsed.time() == null
          ? ColumnType.DATE
          : parsed.offset() == null ? ColumnType.TIMESTAMP : ColumnType.TIMESTAMPTZ;
    }
    return ColumnType.TEXT;
  }

  private static final Pattern INTEGER_TEXT = Pattern.compile("^[+-]?(?:0|[1-9][0-9]*)$");
  private static final Pattern DECIMAL_TEXT = Pattern.compile("^[+-]?(?:0|[1-9][0-9]*)\\.[0-9]+$");

  /** Reads column {@code i} as the Java type its PostgreSQL type maps to. */
  static Object read(ResultSet rs, int i, ColumnType type) throws SQLException {
    return read(rs, i, type, false);
  }

  /**
   * Reads column {@code i}; on DuckDB a numeric drops the zeros its fixed scale pads it with
   * (PostgreSQL prints {@code 1.5}, not {@code 1.500000000000000000}).
   */
  static Object read(ResultSet rs, int i, ColumnType type, boolean duckDb) throws SQLException {
    Object value = readValue(rs, i, type);
    if (duckDb && value instanceof BigDecimal d && d.scale() > 0) {
      BigDecimal stripped = d.stripTrailingZeros();
      return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
    }
    return value;
  }

  private static Object readValue(ResultSet rs, int i, ColumnType type) throws SQLException {
    Object raw = rs.getObject(i);
    if (raw == null) {
      return null;
    }
    try {
      return switch (type) {
        case SMALLINT -> ((Number) raw).shortValue();
        case INTEGER -> ((Number) raw).intValue();
        case BIGINT -> ((Number) raw).longValue();
        case REAL -> ((Number) raw).floatValue();
        case DOUBLE -> ((Number) raw).doubleValue();
        case NUMERIC ->
            switch (raw) {
              case BigDecimal d -> d;
              case BigInteger b -> new BigDecimal(b);
              case Number n -> new BigDecimal(n.toString());
              default -> new BigDecimal(raw.toString());
            };
        case BOOLEAN -> raw instanceof Boolean b ? b : Boolean.valueOf(raw.toString());
        case DATE -> rs.getObject(i, LocalDate.class);
        case TIMESTAMP -> rs.getObject(i, LocalDateTime.class);
        case TIMESTAMPTZ -> {
          // DuckDB answers in the JVM's zone; the session's TimeZone is UTC, as PostgreSQL's
          OffsetDateTime t = rs.getObject(i, OffsetDateTime.class);
          yield t == null ? null : t.withOffsetSameInstant(ZoneOffset.UTC);
        }
        case BYTEA -> rs.getBytes(i);
        case SMALLINT_ARRAY,
            INTEGER_ARRAY,
            BIGINT_ARRAY,
            TEXT_ARRAY,
            BOOLEAN_ARRAY,
            DOUBLE_ARRAY,
            NUMERIC_ARRAY -> {
          java.sql.Array array = rs.getArray(i);
          Object elements = array.getArray();
          yield elements instanceof Object[] objects
              ? java.util.Arrays.asList(objects)
              : rs.getString(i);
        }
        case TEXT, VARCHAR -> rs.getString(i);
        default -> rs.getString(i);
      };
    } catch (ClassCastException e) {
      throw Errors.unreadableValue(type, raw);
    }
  }

  /** An estimate of a parameter's stored size, for the preview cap. */
  static long sizeOf(Object value) {
    return switch (value) {
      case null -> 1;
      case String s -> s.length();
      case byte[] b -> b.length;
      default -> 16;
    };
  }
}
