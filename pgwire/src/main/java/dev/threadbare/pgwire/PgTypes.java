package dev.threadbare.pgwire;

import dev.threadbare.db.SqlState;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Locale;
import java.util.UUID;

/**
 * PostgreSQL's type OIDs and the text and binary representations of values on the wire, as the
 * server writes them with {@code DateStyle=ISO}, {@code TimeZone=UTC} and {@code
 * integer_datetimes=on}. Stateless and thread safe.
 *
 * @see <a href="https://www.postgresql.org/docs/current/datatype.html">Data types</a>
 */
final class PgTypes {
  static final int UNSPECIFIED = 0;
  static final int BOOL = 16;
  static final int BYTEA = 17;
  static final int CHAR = 18;
  static final int NAME = 19;
  static final int INT8 = 20;
  static final int INT2 = 21;
  static final int INT4 = 23;
  static final int TEXT = 25;
  static final int OID = 26;
  static final int JSON = 114;
  static final int FLOAT4 = 700;
  static final int FLOAT8 = 701;
  static final int UNKNOWN = 705;
  static final int BPCHAR = 1042;
  static final int VARCHAR = 1043;
  static final int DATE = 1082;
  static final int TIME = 1083;
  static final int TIMESTAMP = 1114;
  static final int TIMESTAMPTZ = 1184;
  static final int NUMERIC = 1700;
  static final int UUID_OID = 2950;
  static final int JSONB = 3802;

  private static final LocalDate PG_EPOCH_DATE = LocalDate.of(2000, 1, 1);
  private static final LocalDateTime PG_EPOCH = PG_EPOCH_DATE.atStartOfDay();
  private static final HexFormat HEX = HexFormat.of();

  private static final DateTimeFormatter TIMESTAMP_INPUT =
      new DateTimeFormatterBuilder()
          .parseCaseInsensitive()
          .append(DateTimeFormatter.ISO_LOCAL_DATE)
          .optionalStart()
          .appendLiteral(' ')
          .optionalEnd()
          .optionalStart()
          .appendLiteral('T')
          .optionalEnd()
          .optionalStart()
          .appendValue(ChronoField.HOUR_OF_DAY, 2)
          .appendLiteral(':')
          .appendValue(ChronoField.MINUTE_OF_HOUR, 2)
          .optionalStart()
          .appendLiteral(':')
          .appendValue(ChronoField.SECOND_OF_MINUTE, 2)
          .optionalStart()
          .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
          .optionalEnd()
          .optionalEnd()
          .optionalEnd()
          .optionalStart()
          .appendOffset("+HH:mm", "Z")
          .optionalEnd()
          .optionalStart()
          .appendOffset("+HH", "Z")
          .optionalEnd()
          .parseDefaulting(ChronoField.HOUR_OF_DAY, 0)
          .parseDefaulting(ChronoField.MINUTE_OF_HOUR, 0)
          .parseDefaulting(ChronoField.SECOND_OF_MINUTE, 0)
          .toFormatter(Locale.ROOT);

  private PgTypes() {}

  /** The fixed size PostgreSQL reports for a type in RowDescription, or -1 (variable). */
  static short typeSize(int oid) {
    return switch (oid) {
      case BOOL, CHAR -> 1;
      case INT2 -> 2;
      case INT4, OID, FLOAT4, DATE -> 4;
      case INT8, FLOAT8, TIME, TIMESTAMP, TIMESTAMPTZ -> 8;
      case UUID_OID -> 16;
      case NAME -> 64;
      default -> -1;
    };
  }

  /** A short name of a type for error messages. */
  static String typeName(int oid) {
    return switch (oid) {
      case UNSPECIFIED -> "unspecified";
      case BOOL -> "bool";
      case BYTEA -> "bytea";
      case CHAR -> "char";
      case NAME -> "name";
      case INT8 -> "int8";
      case INT2 -> "int2";
      case INT4 -> "int4";
      case TEXT -> "text";
      case OID -> "oid";
      case JSON -> "json";
      case FLOAT4 -> "float4";
      case FLOAT8 -> "float8";
      case UNKNOWN -> "unknown";
      case BPCHAR -> "bpchar";
      case VARCHAR -> "varchar";
      case DATE -> "date";
      case TIME -> "time";
      case TIMESTAMP -> "timestamp";
      case TIMESTAMPTZ -> "timestamptz";
      case NUMERIC -> "numeric";
      case UUID_OID -> "uuid";
      case JSONB -> "jsonb";
      default -> "type " + oid;
    };
  }

  /** Whether values of this type can be sent and received in binary format by this server. */
  static boolean supportsBinary(int oid) {
    return switch (oid) {
      case BOOL,
          BYTEA,
          CHAR,
          NAME,
          INT8,
          INT2,
          INT4,
          TEXT,
          OID,
          JSON,
          FLOAT4,
          FLOAT8,
          UNKNOWN,
          BPCHAR,
          VARCHAR,
          DATE,
          TIME,
          TIMESTAMP,
          TIMESTAMPTZ,
          NUMERIC,
          UUID_OID,
          JSONB ->
          true;
      default -> false;
    };
  }

  // ------------------------------------------------------------------ text output

  /** The text representation of a non-null value, as PostgreSQL prints it. */
  static String toText(Object value) {
    return switch (value) {
      case String s -> s;
      case Boolean b -> b ? "t" : "f";
      case Integer i -> i.toString();
      case Long l -> l.toString();
      case Short s -> s.toString();
      case Byte b -> b.toString();
      case BigInteger b -> b.toString();
      case BigDecimal b -> b.toPlainString();
      case Double d -> doubleText(d, 15);
      case Float f -> floatText(f);
      case byte[] bytes -> "\\x" + HEX.formatHex(bytes);
      case LocalDate d -> dateText(d);
      case LocalDateTime t -> dateText(t.toLocalDate()) + " " + timeText(t.toLocalTime());
      case OffsetDateTime t -> timestampTzText(t.toInstant());
      case ZonedDateTime t -> timestampTzText(t.toInstant());
      case Instant t -> timestampTzText(t);
      case LocalTime t -> timeText(t);
      case OffsetTime t -> timeText(t.toLocalTime()) + offsetText(t.getOffset());
      case java.sql.Timestamp t -> toText(t.toLocalDateTime());
      case java.sql.Date d -> toText(d.toLocalDate());
      case java.sql.Time t -> toText(t.toLocalTime());
      case UUID u -> u.toString();
      case Collection<?> c -> arrayText(c.toArray());
      case Object[] array -> arrayText(array);
      default -> value.toString();
    };
  }

  private static String arrayText(Object[] elements) {
    StringBuilder text = new StringBuilder("{");
    for (int i = 0; i < elements.length; i++) {
      if (i > 0) {
        text.append(',');
      }
      Object element = elements[i];
      if (element == null) {
        text.append("NULL");
        continue;
      }
      String item = toText(element);
      boolean quote =
          item.isEmpty()
              || item.equalsIgnoreCase("NULL")
              || item.chars().anyMatch(ch -> "{},\"\\ \t\n".indexOf(ch) >= 0);
      if (quote && !(element instanceof Collection<?> || element instanceof Object[])) {
        text.append('"').append(item.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
      } else {
        text.append(item);
      }
    }
    return text.append('}').toString();
  }

  private static String dateText(LocalDate date) {
    int year = date.getYear();
    String text =
        String.format(
            Locale.ROOT,
            "%04d-%02d-%02d",
            year > 0 ? year : 1 - year,
            date.getMonthValue(),
            date.getDayOfMonth());
    return year > 0 ? text : text + " BC";
  }

  private static String timeText(LocalTime time) {
    StringBuilder text = new StringBuilder(15);
    appendTwo(text, time.getHour()).append(':');
    appendTwo(text, time.getMinute()).append(':');
    appendTwo(text, time.getSecond());
    int micros = time.getNano() / 1000;
    if (micros != 0) {
      String fraction = String.format(Locale.ROOT, "%06d", micros);
      int end = fraction.length();
      while (fraction.charAt(end - 1) == '0') {
        end--;
      }
      text.append('.').append(fraction, 0, end);
    }
    return text.toString();
  }

  private static StringBuilder appendTwo(StringBuilder text, int value) {
    if (value < 10) {
      text.append('0');
    }
    return text.append(value);
  }

  private static String timestampTzText(Instant instant) {
    LocalDateTime utc = LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
    return toText(utc) + "+00";
  }

  private static String offsetText(ZoneOffset offset) {
    int seconds = offset.getTotalSeconds();
    int abs = Math.abs(seconds);
    String text = (seconds < 0 ? "-" : "+") + String.format(Locale.ROOT, "%02d", abs / 3600);
    if (abs % 3600 != 0) {
      text += String.format(Locale.ROOT, ":%02d", (abs % 3600) / 60);
    }
    return text;
  }

  private static String floatText(float value) {
    if (Float.isNaN(value) || Float.isInfinite(value)) {
      return specialFloatText(value);
    }
    return decimalText(
        new BigDecimal(Float.toString(value)), 6, value < 0 || isNegativeZero(value));
  }

  /** Shortest exact digits, printed like PostgreSQL 12+ with extra_float_digits > 0. */
  static String doubleText(double value, int maxPlainExponent) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      return specialFloatText(value);
    }
    return decimalText(
        new BigDecimal(Double.toString(value)),
        maxPlainExponent,
        value < 0 || isNegativeZero(value));
  }

  private static boolean isNegativeZero(double value) {
    return value == 0 && Double.doubleToRawLongBits(value) != 0;
  }

  private static String specialFloatText(double value) {
    if (Double.isNaN(value)) {
      return "NaN";
    }
    return value > 0 ? "Infinity" : "-Infinity";
  }

  private static String decimalText(BigDecimal decimal, int maxPlainExponent, boolean negative) {
    if (decimal.signum() == 0) {
      return negative ? "-0" : "0";
    }
    BigDecimal stripped = decimal.stripTrailingZeros();
    int exponent = stripped.precision() - stripped.scale() - 1;
    if (exponent >= -4 && exponent < maxPlainExponent) {
      return stripped.toPlainString();
    }
    String digits = stripped.unscaledValue().abs().toString();
    StringBuilder text = new StringBuilder();
    if (stripped.signum() < 0) {
      text.append('-');
    }
    text.append(digits.charAt(0));
    if (digits.length() > 1) {
      text.append('.').append(digits, 1, digits.length());
    }
    text.append('e').append(exponent < 0 ? '-' : '+');
    int absExponent = Math.abs(exponent);
    if (absExponent < 10) {
      text.append('0');
    }
    return text.append(absExponent).toString();
  }

  // ------------------------------------------------------------------ binary output

  /**
   * The binary representation of a non-null value as a column of type {@code oid}.
   *
   * @throws InvalidRequestException when the value cannot be represented so
   */
  static byte[] encodeBinary(Object value, int oid) {
    try {
      return switch (oid) {
        case BOOL -> new byte[] {(byte) (asBoolean(value) ? 1 : 0)};
        case INT2 -> ByteBuffer.allocate(2).putShort((short) asLong(value)).array();
        case INT4 -> ByteBuffer.allocate(4).putInt(Math.toIntExact(asLong(value))).array();
        case OID -> ByteBuffer.allocate(4).putInt((int) asLong(value)).array();
        case INT8 -> ByteBuffer.allocate(8).putLong(asLong(value)).array();
        case FLOAT4 -> ByteBuffer.allocate(4).putFloat((float) asDouble(value)).array();
        case FLOAT8 -> ByteBuffer.allocate(8).putDouble(asDouble(value)).array();
        case NUMERIC -> encodeNumeric(asBigDecimal(value));
        case BYTEA ->
            value instanceof byte[] bytes ? bytes : toText(value).getBytes(StandardCharsets.UTF_8);
        case DATE -> ByteBuffer.allocate(4).putInt(daysSincePgEpoch(asDate(value))).array();
        case TIME -> ByteBuffer.allocate(8).putLong(asTime(value).toNanoOfDay() / 1000).array();
        case TIMESTAMP ->
            ByteBuffer.allocate(8)
                .putLong(ChronoUnit.MICROS.between(PG_EPOCH, asTimestamp(value)))
                .array();
        case TIMESTAMPTZ ->
            ByteBuffer.allocate(8)
                .putLong(
                    ChronoUnit.MICROS.between(PG_EPOCH.toInstant(ZoneOffset.UTC), asInstant(value)))
                .array();
        case UUID_OID -> {
          UUID uuid = value instanceof UUID u ? u : UUID.fromString(toText(value));
          yield ByteBuffer.allocate(16)
              .putLong(uuid.getMostSignificantBits())
              .putLong(uuid.getLeastSignificantBits())
              .array();
        }
        case JSONB -> {
          byte[] text = toText(value).getBytes(StandardCharsets.UTF_8);
          byte[] withVersion = new byte[text.length + 1];
          withVersion[0] = 1;
          System.arraycopy(text, 0, withVersion, 1, text.length);
          yield withVersion;
        }
        case CHAR, NAME, TEXT, JSON, UNKNOWN, BPCHAR, VARCHAR ->
            toText(value).getBytes(StandardCharsets.UTF_8);
        default ->
            throw new InvalidRequestException(
                SqlState.FEATURE_NOT_SUPPORTED,
                "no binary output for "
                    + typeName(oid)
                    + ": request text format (0) for this column");
      };
    } catch (ArithmeticException | IllegalArgumentException | DateTimeParseException e) {
      throw new InvalidRequestException(
          SqlState.INVALID_BINARY_REPRESENTATION,
          "value `"
              + toText(value)
              + "` cannot be sent as binary "
              + typeName(oid)
              + ": the column's declared type does not fit its value; request text format",
          e);
    }
  }

  private static boolean asBoolean(Object value) {
    return value instanceof Boolean b ? b : parseBool(toText(value));
  }

  private static long asLong(Object value) {
    return switch (value) {
      case Long l -> l;
      case Integer i -> i;
      case Short s -> s;
      case Byte b -> b;
      case BigInteger b -> b.longValueExact();
      case BigDecimal b -> b.longValueExact();
      case Boolean b -> b ? 1 : 0;
      default -> Long.parseLong(toText(value).trim());
    };
  }

  private static double asDouble(Object value) {
    return value instanceof Number n ? n.doubleValue() : Double.parseDouble(toText(value).trim());
  }

  private static BigDecimal asBigDecimal(Object value) {
    return switch (value) {
      case BigDecimal b -> b;
      case BigInteger b -> new BigDecimal(b);
      case Long l -> BigDecimal.valueOf(l);
      case Integer i -> BigDecimal.valueOf(i);
      case Double d -> new BigDecimal(Double.toString(d));
      case Float f -> new BigDecimal(Float.toString(f));
      default -> new BigDecimal(toText(value).trim());
    };
  }

  private static LocalDate asDate(Object value) {
    return switch (value) {
      case LocalDate d -> d;
      case java.sql.Date d -> d.toLocalDate();
      case LocalDateTime t -> t.toLocalDate();
      default -> LocalDate.parse(toText(value).trim());
    };
  }

  private static LocalTime asTime(Object value) {
    return switch (value) {
      case LocalTime t -> t;
      case java.sql.Time t -> t.toLocalTime();
      default -> LocalTime.parse(toText(value).trim());
    };
  }

  private static LocalDateTime asTimestamp(Object value) {
    return switch (value) {
      case LocalDateTime t -> t;
      case java.sql.Timestamp t -> t.toLocalDateTime();
      case LocalDate d -> d.atStartOfDay();
      case OffsetDateTime t -> LocalDateTime.ofInstant(t.toInstant(), ZoneOffset.UTC);
      case Instant t -> LocalDateTime.ofInstant(t, ZoneOffset.UTC);
      default -> LocalDateTime.parse(toText(value).trim(), TIMESTAMP_INPUT);
    };
  }

  private static Instant asInstant(Object value) {
    return switch (value) {
      case Instant t -> t;
      case OffsetDateTime t -> t.toInstant();
      case ZonedDateTime t -> t.toInstant();
      case LocalDateTime t -> t.toInstant(ZoneOffset.UTC);
      case java.sql.Timestamp t -> t.toLocalDateTime().toInstant(ZoneOffset.UTC);
      default -> parseTimestampTz(toText(value).trim()).toInstant();
    };
  }

  private static int daysSincePgEpoch(LocalDate date) {
    return Math.toIntExact(ChronoUnit.DAYS.between(PG_EPOCH_DATE, date));
  }

  /** PostgreSQL's binary numeric: base-10000 digits with weight, sign and display scale. */
  static byte[] encodeNumeric(BigDecimal value) {
    int displayScale = Math.max(value.scale(), 0);
    String plain = value.abs().toPlainString();
    int dot = plain.indexOf('.');
    String integerPart = dot < 0 ? plain : plain.substring(0, dot);
    String fractionPart = dot < 0 ? "" : plain.substring(dot + 1);
    if (integerPart.equals("0")) {
      integerPart = "";
    }
    integerPart = "0".repeat((4 - integerPart.length() % 4) % 4) + integerPart;
    fractionPart = fractionPart + "0".repeat((4 - fractionPart.length() % 4) % 4);
    String digits = integerPart + fractionPart;
    int groups = digits.length() / 4;
    short[] base10000 = new short[groups];
    for (int i = 0; i < groups; i++) {
      base10000[i] = Short.parseShort(digits.substring(i * 4, i * 4 + 4));
    }
    int weight = integerPart.length() / 4 - 1;
    int first = 0;
    while (first < groups && base10000[first] == 0) {
      first++;
      weight--;
    }
    int last = groups;
    while (last > first && base10000[last - 1] == 0) {
      last--;
    }
    int count = last - first;
    if (count == 0) {
      weight = 0;
    }
    ByteBuffer out = ByteBuffer.allocate(8 + 2 * count);
    out.putShort((short) count);
    out.putShort((short) weight);
    out.putShort((short) (value.signum() < 0 && count > 0 ? 0x4000 : 0));
    out.putShort((short) displayScale);
    for (int i = first; i < last; i++) {
      out.putShort(base10000[i]);
    }
    return out.array();
  }

  static BigDecimal decodeNumeric(byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    int count = in.getShort();
    int weight = in.getShort();
    int sign = in.getShort() & 0xffff;
    int displayScale = in.getShort();
    if (sign == 0xC000) {
      throw new IllegalArgumentException("NaN has no BigDecimal value");
    }
    if ((sign != 0 && sign != 0x4000) || count < 0 || displayScale < 0) {
      throw new IllegalArgumentException("numeric header is invalid");
    }
    BigInteger unscaled = BigInteger.ZERO;
    BigInteger base = BigInteger.valueOf(10_000);
    for (int i = 0; i < count; i++) {
      short digit = in.getShort();
      if (digit < 0 || digit > 9999) {
        throw new IllegalArgumentException("numeric digit " + digit + " is out of 0..9999");
      }
      unscaled = unscaled.multiply(base).add(BigInteger.valueOf(digit));
    }
    // value = unscaled * 10000^(weight - count + 1)
    BigDecimal result = new BigDecimal(unscaled).scaleByPowerOfTen(4 * (weight - count + 1));
    if (sign == 0x4000) {
      result = result.negate();
    }
    return result.setScale(displayScale, java.math.RoundingMode.UNNECESSARY);
  }

  // ------------------------------------------------------------------ parameter input

  /**
   * A parameter value as the db layer takes it, from its wire representation.
   *
   * @param position 1-based, for messages
   * @throws InvalidRequestException naming the parameter when the bytes do not parse
   */
  static Object decodeParameter(byte[] bytes, int oid, boolean binary, int position) {
    if (oid == UNSPECIFIED || oid == UNKNOWN) {
      // the client did not say: binary is raw bytes (node pg sends a Buffer so), text is text whose
      // type the db layer infers for a new column
      return binary
          ? bytes
          : new dev.threadbare.db.UntypedParameter(new String(bytes, StandardCharsets.UTF_8));
    }
    try {
      return binary ? decodeBinary(bytes, oid, position) : decodeText(bytes, oid);
    } catch (RuntimeException e) {
      if (e instanceof InvalidRequestException invalid) {
        throw invalid;
      }
      String shown =
          binary
              ? bytes.length + " bytes"
              : "\"" + abbreviate(new String(bytes, StandardCharsets.UTF_8)) + "\"";
      throw new InvalidRequestException(
          binary ? SqlState.INVALID_BINARY_REPRESENTATION : SqlState.INVALID_TEXT_REPRESENTATION,
          "parameter $"
              + position
              + " ("
              + shown
              + ") is not a valid "
              + (binary ? "binary " : "")
              + typeName(oid)
              + " value: "
              + e.getMessage(),
          e);
    }
  }

  private static String abbreviate(String text) {
    return text.length() <= 60 ? text : text.substring(0, 60) + "…";
  }

  private static Object decodeText(byte[] bytes, int oid) {
    String text = new String(bytes, StandardCharsets.UTF_8);
    return switch (oid) {
      case INT2, INT4 -> Integer.valueOf(text.trim());
      case INT8, OID -> Long.valueOf(text.trim());
      case FLOAT4, FLOAT8 -> parseDouble(text.trim());
      case NUMERIC -> new BigDecimal(text.trim());
      case BOOL -> parseBool(text);
      case BYTEA -> parseByteaText(text);
      case DATE -> LocalDate.parse(text.trim());
      case TIME -> LocalTime.parse(text.trim());
      case TIMESTAMP -> LocalDateTime.parse(text.trim(), TIMESTAMP_INPUT);
      case TIMESTAMPTZ -> parseTimestampTz(text.trim());
      default -> text;
    };
  }

  private static Double parseDouble(String text) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "infinity", "inf", "+infinity", "+inf" -> Double.POSITIVE_INFINITY;
      case "-infinity", "-inf" -> Double.NEGATIVE_INFINITY;
      case "nan" -> Double.NaN;
      default -> Double.valueOf(text);
    };
  }

  private static OffsetDateTime parseTimestampTz(String text) {
    var parsed = TIMESTAMP_INPUT.parse(text);
    LocalDateTime local = LocalDateTime.from(parsed);
    ZoneOffset offset =
        parsed.isSupported(ChronoField.OFFSET_SECONDS)
            ? ZoneOffset.ofTotalSeconds(parsed.get(ChronoField.OFFSET_SECONDS))
            : ZoneOffset.UTC; // the session's TimeZone is UTC
    return OffsetDateTime.of(local, offset).withOffsetSameInstant(ZoneOffset.UTC);
  }

  static boolean parseBool(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "t", "true", "y", "yes", "on", "1" -> true;
      case "f", "false", "n", "no", "off", "0" -> false;
      default ->
          throw new IllegalArgumentException(
              "a boolean is one of t, true, yes, on, 1 / f, false, no, off, 0");
    };
  }

  private static byte[] parseByteaText(String text) {
    if (text.startsWith("\\x")) {
      return HEX.parseHex(text.substring(2));
    }
    // escape format: \\ for a backslash, \ooo octal, other bytes as they are
    byte[] raw = text.getBytes(StandardCharsets.UTF_8);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(raw.length);
    for (int i = 0; i < raw.length; i++) {
      if (raw[i] != '\\') {
        out.write(raw[i]);
      } else if (i + 1 < raw.length && raw[i + 1] == '\\') {
        out.write('\\');
        i++;
      } else if (i + 3 < raw.length) {
        out.write(Integer.parseInt(new String(raw, i + 1, 3, StandardCharsets.US_ASCII), 8));
        i += 3;
      } else {
        throw new IllegalArgumentException("a backslash starts \\\\ or a 3-digit octal escape");
      }
    }
    return out.toByteArray();
  }

  private static Object decodeBinary(byte[] bytes, int oid, int position) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    Object value =
        switch (oid) {
          case BOOL -> {
            exactly(bytes, 1);
            yield bytes[0] != 0;
          }
          case INT2 -> {
            exactly(bytes, 2);
            yield (int) in.getShort();
          }
          case INT4 -> {
            exactly(bytes, 4);
            yield in.getInt();
          }
          case OID -> {
            exactly(bytes, 4);
            yield Integer.toUnsignedLong(in.getInt());
          }
          case INT8 -> {
            exactly(bytes, 8);
            yield in.getLong();
          }
          case FLOAT4 -> {
            exactly(bytes, 4);
            yield Double.valueOf(Float.toString(in.getFloat()));
          }
          case FLOAT8 -> {
            exactly(bytes, 8);
            yield in.getDouble();
          }
          case NUMERIC -> decodeNumeric(bytes);
          case BYTEA -> bytes;
          case DATE -> {
            exactly(bytes, 4);
            yield PG_EPOCH_DATE.plusDays(in.getInt());
          }
          case TIME -> {
            exactly(bytes, 8);
            yield LocalTime.ofNanoOfDay(in.getLong() * 1000);
          }
          case TIMESTAMP -> {
            exactly(bytes, 8);
            yield PG_EPOCH.plus(in.getLong(), ChronoUnit.MICROS);
          }
          case TIMESTAMPTZ -> {
            exactly(bytes, 8);
            yield PG_EPOCH.plus(in.getLong(), ChronoUnit.MICROS).atOffset(ZoneOffset.UTC);
          }
          case UUID_OID -> {
            exactly(bytes, 16);
            yield new UUID(in.getLong(), in.getLong()).toString();
          }
          case JSONB -> {
            if (bytes.length == 0 || bytes[0] != 1) {
              throw new IllegalArgumentException("binary jsonb starts with version byte 1");
            }
            yield new String(bytes, 1, bytes.length - 1, StandardCharsets.UTF_8);
          }
          case CHAR, NAME, TEXT, JSON, UNKNOWN, BPCHAR, VARCHAR ->
              new String(bytes, StandardCharsets.UTF_8);
          default ->
              throw new InvalidRequestException(
                  SqlState.FEATURE_NOT_SUPPORTED,
                  "parameter $"
                      + position
                      + " is binary "
                      + typeName(oid)
                      + ", which this server cannot read: send it in text format (0)");
        };
    return value;
  }

  private static void exactly(byte[] bytes, int size) {
    if (bytes.length != size) {
      throw new IllegalArgumentException("expected " + size + " bytes but got " + bytes.length);
    }
  }
}
