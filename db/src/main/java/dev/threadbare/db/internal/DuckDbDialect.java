package dev.threadbare.db.internal;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PostgreSQL's answers on DuckDB: rewrites of a planned statement's text (type names DuckDB spells
 * otherwise, {@code SHOW}, {@code version()}, {@code current_schema()}, a column named {@code at},
 * bytea hex literals) and PostgreSQL's names for result columns DuckDB names after their
 * expression. Text rewrites look only outside literals and comments. Stateless.
 */
final class DuckDbDialect {
  private DuckDbDialect() {}

  /** The numeric DuckDB stores for PostgreSQL's unconstrained {@code numeric}. */
  static final String NUMERIC = "DECIMAL(38,18)";

  /** Digits a DuckDB numeric keeps after the point and before it. */
  static final int NUMERIC_SCALE = 18;

  static final int NUMERIC_INTEGER_DIGITS = 20;

  /** What {@code version()} answers: clients (knex, SQLAlchemy) parse PostgreSQL's form. */
  static final String VERSION =
      "PostgreSQL 16.0 (threadbare SQL layer on DuckDB) on x86_64-pc-linux-gnu, 64-bit";

  private static final Map<String, String> SETTINGS =
      Map.ofEntries(
          Map.entry("standard_conforming_strings", "on"),
          Map.entry("transaction_isolation", "repeatable read"),
          Map.entry("transaction isolation level", "repeatable read"),
          Map.entry("default_transaction_isolation", "repeatable read"),
          Map.entry("server_version", "16.0"),
          Map.entry("server_version_num", "160000"),
          Map.entry("server_encoding", "UTF8"),
          Map.entry("client_encoding", "UTF8"),
          Map.entry("datestyle", "ISO, MDY"),
          Map.entry("intervalstyle", "postgres"),
          Map.entry("timezone", "UTC"),
          Map.entry("time zone", "UTC"),
          Map.entry("integer_datetimes", "on"),
          Map.entry("search_path", "\"$user\", public"),
          Map.entry("max_identifier_length", "63"),
          Map.entry("lc_collate", "C"),
          Map.entry("lc_ctype", "C"),
          Map.entry("application_name", ""),
          Map.entry("is_superuser", "off"),
          Map.entry("transaction_read_only", "off"),
          Map.entry("default_transaction_read_only", "off"));

  private static final Pattern SHOW = Pattern.compile("(?is)^\\s*SHOW\\s+(.+?)\\s*;?\\s*$");
  private static final Pattern JSONB = Pattern.compile("(?i)(?<![\\w\"$.])jsonb(?![\\w\"$(])");
  private static final Pattern NUMERIC_TYPE =
      Pattern.compile("(?i)(?<![\\w\"$.])(?:numeric|decimal)(?![\\w\"$]|\\s*\\()");
  // PostgreSQL lets current_schema go without parentheses
  private static final Pattern CURRENT_SCHEMA_BARE =
      Pattern.compile("(?i)(?<![\\w\"$.])current_schema(?![\\w\"$]|\\s*\\()");
  private static final Pattern AT_COLUMN =
      Pattern.compile("(?i)(?<![\\w\"$])at(?![\\w\"$])(?!\\s+time\\s+zone\\b)(?!\\s+local\\b)");
  private static final Pattern HEX_BYTEA =
      Pattern.compile("(?i)'\\\\x([0-9a-f]*)'\\s*::\\s*(?:bytea|blob)(?![\\w\"$])");

  /** The statement DuckDB runs for a plan made for PostgreSQL. */
  static Plan adapt(Plan plan) {
    String sql = plan.sql();
    String rewritten = rewrite(sql);
    if (rewritten.equals(sql)) {
      return plan;
    }
    boolean show = isShow(sql);
    return plan.rewritten(
        plan.kind() == Plan.Kind.OTHER && show ? Plan.Kind.QUERY : plan.kind(),
        rewritten,
        plan.commandTag() == null && show ? "SHOW" : plan.commandTag());
  }

  private static boolean isShow(String sql) {
    return SqlText.firstWord(sql).equals("SHOW");
  }

  static String rewrite(String sql) {
    if (isShow(sql)) {
      return show(sql);
    }
    String out = literalCasts(sql);
    if (SqlText.firstWord(sql).equals("CREATE")) {
      out = serialColumns(out);
      // DuckDB refuses referential actions other than RESTRICT / NO ACTION (Sequelize sends them)
      out = replaceOutsideLiterals(out, REFERENTIAL_ACTION, m -> "");
    }
    out = replaceOutsideLiterals(out, ARRAY_PARAMETER, DuckDbDialect::arrayParameter);
    out = replaceOutsideLiterals(out, JSONB, m -> "JSON");
    out = replaceOutsideLiterals(out, OPERATOR, m -> m.group(1));
    out = replaceOutsideLiterals(out, COLLATE_DEFAULT, m -> "");
    out = replaceOutsideLiterals(out, DECODE_HEX, m -> "from_hex(" + m.group(1) + ")");
    out = replaceOutsideLiterals(out, NUMERIC_TYPE, m -> NUMERIC);
    // version() and current_schema() are the catalog's macros (DuckDbCatalog), which keep
    // PostgreSQL's column names; the catalog's own text DuckDB cannot read is rewritten there
    out = replaceOutsideLiterals(out, CURRENT_SCHEMA_BARE, m -> "current_schema()");
    if (DuckDbCatalog.mayNeed(out)) {
      out = DuckDbCatalog.rewrite(out);
    }
    out = replaceOutsideLiterals(out, AT_COLUMN, m -> "\"" + m.group() + "\"");
    return out;
  }

  /** {@code SHOW name} as the SELECT of PostgreSQL's answer; an unknown name as PostgreSQL. */
  private static String show(String sql) {
    Matcher m = SHOW.matcher(sql);
    if (!m.matches()) {
      return sql;
    }
    String name = m.group(1).replaceAll("\\s+", " ").replace("\"", "").toLowerCase(Locale.ROOT);
    String value = SETTINGS.get(name);
    if (value == null) {
      if (name.equals("all")) {
        throw Errors.showAllOnDuckDb();
      }
      throw Errors.unknownSetting(name);
    }
    String column =
        switch (name) {
          case "transaction isolation level" -> "transaction_isolation";
          case "time zone" -> "TimeZone";
          default -> name;
        };
    return "SELECT '" + value.replace("'", "''") + "' AS \"" + column + "\"";
  }

  private static String replaceOutsideLiterals(
      String sql, Pattern pattern, java.util.function.Function<Matcher, String> replacement) {
    Matcher m = pattern.matcher(sql);
    if (!m.find()) {
      return sql;
    }
    // a match counts only where it starts outside literals and comments (there the text with
    // literals blanked, of the same length, has the same character)
    String masked = SqlText.masked(sql);
    StringBuilder out = new StringBuilder(sql.length());
    int last = 0;
    do {
      if (masked.charAt(m.start()) == sql.charAt(m.start())) {
        out.append(sql, last, m.start()).append(replacement.apply(m));
        last = m.end();
      }
    } while (m.find());
    return last == 0 ? sql : out.append(sql, last, sql.length()).toString();
  }

  /**
   * Literals DuckDB reads otherwise, when cast: {@code '\x0001'::bytea} as {@code from_hex('0001')}
   * (DuckDB reads {@code \x00} in a blob literal as one byte and the rest as characters), and
   * PostgreSQL's array text {@code '{1,2}'::int[]} as DuckDB's {@code '[1,2]'}.
   */
  private static String literalCasts(String sql) {
    StringBuilder out = null;
    int last = 0;
    int i = 0;
    while (i < sql.length()) {
      int end = SqlText.skipQuoted(sql, i);
      if (end == i) {
        i++;
        continue;
      }
      boolean standard =
          sql.charAt(i) == '\'' && (i == 0 || Character.toUpperCase(sql.charAt(i - 1)) != 'E');
      String replacement = null;
      int replacedEnd = end;
      if (standard) {
        Matcher hex = HEX_BYTEA.matcher(sql).region(i, sql.length());
        Matcher array = ARRAY_LITERAL.matcher(sql).region(i, sql.length());
        if (hex.lookingAt()) {
          replacement = "from_hex('" + hex.group(1) + "')";
          replacedEnd = hex.end();
        } else if (array.lookingAt()) {
          replacement = "'[" + array.group(1) + "]'";
          replacedEnd = array.end();
        }
      }
      if (replacement != null) {
        if (out == null) {
          out = new StringBuilder(sql.length());
        }
        out.append(sql, last, i).append(replacement);
        last = replacedEnd;
      }
      i = end;
    }
    return out == null ? sql : out.append(sql, last, sql.length()).toString();
  }

  // catalogs DuckDB lacks or spells otherwise, as clients query them (Sequelize, psql)
  private static final Pattern REFERENTIAL_ACTION =
      Pattern.compile(
          "(?i)\\s+ON\\s+(?:DELETE|UPDATE)\\s+(?:CASCADE|SET\\s+NULL|SET\\s+DEFAULT|RESTRICT|NO\\s+ACTION)");
  private static final Pattern OPERATOR =
      Pattern.compile("(?i)OPERATOR\\s*\\(\\s*pg_catalog\\s*\\.\\s*([~!=<>*]+)\\s*\\)");
  private static final Pattern COLLATE_DEFAULT =
      Pattern.compile("(?i)\\s+COLLATE\\s+pg_catalog\\s*\\.\\s*(?:default|\"default\"|\"C\")");

  // decode(x, 'hex'): DuckDB's decode turns a blob into text
  private static final Pattern DECODE_HEX =
      Pattern.compile("(?i)(?<![\\w\"$.])decode\\s*\\(([^,()]+),\\s*'hex'\\s*\\)");

  private static final Pattern ARRAY_LITERAL =
      Pattern.compile(
          "'\\{([^'{}]*)\\}'(?=\\s*::\\s*[a-z][a-z0-9_ ]*\\[\\])", Pattern.CASE_INSENSITIVE);
  private static final Pattern ARRAY_PARAMETER =
      Pattern.compile("(?i)(\\$\\d+)\\s*::\\s*([a-z][a-z0-9_ ]*?)\\s*\\[\\]");

  /**
   * {@code $1::int[]} with PostgreSQL's array text ({@code {4,5}}, what node pg sends) as the list
   * DuckDB casts; elements are split on commas (quoted elements are not unquoted).
   */
  private static String arrayParameter(Matcher m) {
    // node pg quotes every element ({"4","5"}): the quotes go
    return "CAST(coalesce(string_split(nullif(replace(trim(CAST("
        + m.group(1)
        + " AS VARCHAR), '{}'), '\"', ''), ''), ','), []) AS "
        + m.group(2)
        + "[])";
  }

  private static final Pattern CREATE_TABLE_NAME =
      Pattern.compile(
          "(?is)^\\s*CREATE\\s+(?:TEMP(?:ORARY)?\\s+|UNLOGGED\\s+)?TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?"
              + "(?:(?:public|main)\\s*\\.\\s*)?(\"(?:[^\"]|\"\")+\"|[\\w$]+)");
  private static final Pattern SERIAL_COLUMN =
      Pattern.compile(
          "(?i)(\"(?:[^\"]|\"\")+\"|[\\w$]+)\\s+(small|big)?serial(?:2|4|8)?(?![\\w\"$])");
  private static final Pattern IDENTITY_COLUMN =
      Pattern.compile(
          "(?i)(\"(?:[^\"]|\"\")+\"|[\\w$]+)\\s+(smallint|integer|int|bigint|int2|int4|int8)\\s+"
              + "GENERATED\\s+(?:ALWAYS|BY\\s+DEFAULT)\\s+AS\\s+IDENTITY(?:\\s*\\([^)]*\\))?");
  private static final Pattern NEXTVAL =
      Pattern.compile("(?i)nextval\\s*\\(\\s*'([\\w$]+)'\\s*\\)");

  /**
   * PostgreSQL's serial and identity columns in a CREATE TABLE, which DuckDB lacks, as a column
   * whose default is the next value of a sequence named as PostgreSQL names it ({@code
   * table_column_seq}); {@link #createSequences} makes the sequences first.
   */
  static String serialColumns(String sql) {
    Matcher table = CREATE_TABLE_NAME.matcher(SqlText.masked(sql));
    if (!table.lookingAt()) {
      return sql;
    }
    String tableName = Planner.name(table.group(1));
    String out =
        replaceOutsideLiterals(
            sql,
            SERIAL_COLUMN,
            m -> {
              String size = m.group(2) == null ? "" : m.group(2).toLowerCase(Locale.ROOT);
              String type =
                  size.equals("big") ? "BIGINT" : size.equals("small") ? "SMALLINT" : "INTEGER";
              return m.group(1)
                  + " "
                  + type
                  + " NOT NULL DEFAULT "
                  + nextval(tableName, m.group(1));
            });
    return replaceOutsideLiterals(
        out,
        IDENTITY_COLUMN,
        m -> m.group(1) + " " + m.group(2) + " NOT NULL DEFAULT " + nextval(tableName, m.group(1)));
  }

  private static String nextval(String table, String column) {
    String sequence = (table + "_" + Planner.name(column) + "_seq").replaceAll("[^\\w$]", "_");
    return "nextval('" + sequence + "')";
  }

  /** Creates the sequences a DuckDB CREATE TABLE's defaults draw from, if missing. */
  static void createSequences(java.sql.Connection connection, String sql)
      throws java.sql.SQLException {
    Matcher m = NEXTVAL.matcher(sql);
    while (m.find()) {
      try (java.sql.Statement s = connection.createStatement()) {
        s.execute("CREATE SEQUENCE IF NOT EXISTS " + m.group(1));
      }
    }
  }

  private static final Pattern FUNCTION_LABEL =
      Pattern.compile("(?s)^\"?([a-z_][a-z0-9_]*)\"?\\((.*)\\)$");
  private static final Pattern CAST_LABEL =
      Pattern.compile("(?is)^CAST\\((.+) AS ([A-Z_ ]+)(?:\\(.*\\))?\\)$");
  private static final Pattern IDENTIFIER = Pattern.compile("^[A-Za-z_][A-Za-z0-9_$]*$");

  /**
   * PostgreSQL's name for a result column DuckDB named after its expression: a function call is
   * named after the function ({@code count(*)} → {@code count}), a cast after what it casts, any
   * other expression {@code ?column?}. A label the statement spells as an alias is kept.
   */
  static String columnLabel(String label, String sql) {
    if (IDENTIFIER.matcher(label).matches()) {
      return label;
    }
    if (sql.contains("\"" + label.replace("\"", "\"\"") + "\"")) {
      return label; // an alias the statement chose
    }
    if (label.equals("count_star()")) {
      return "count";
    }
    Matcher cast = CAST_LABEL.matcher(label);
    if (cast.matches()) {
      String inner = cast.group(1).strip();
      if (IDENTIFIER.matcher(inner).matches()) {
        return inner;
      }
      return columnLabel(inner, sql).equals("?column?")
          ? postgresTypeName(cast.group(2).strip())
          : columnLabel(inner, sql);
    }
    Matcher function = FUNCTION_LABEL.matcher(label);
    if (function.matches() && balanced(function.group(2))) {
      return function.group(1);
    }
    if (label.startsWith("\"") && label.endsWith("\"")) {
      return label.substring(1, label.length() - 1);
    }
    return "?column?";
  }

  private static boolean balanced(String text) {
    int depth = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')' && --depth < 0) {
        return false;
      }
    }
    return depth == 0;
  }

  private static String postgresTypeName(String duckDbType) {
    return switch (duckDbType.toUpperCase(Locale.ROOT)) {
      case "INTEGER" -> "int4";
      case "BIGINT" -> "int8";
      case "SMALLINT" -> "int2";
      case "DOUBLE" -> "float8";
      case "FLOAT" -> "float4";
      case "VARCHAR" -> "text";
      case "BOOLEAN" -> "bool";
      case "DECIMAL" -> "numeric";
      case "BLOB" -> "bytea";
      case "TIMESTAMP WITH TIME ZONE" -> "timestamptz";
      default -> duckDbType.toLowerCase(Locale.ROOT);
    };
  }
}
