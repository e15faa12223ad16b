package dev.threadbare.db.internal;

import dev.threadbare.db.HouseRuleException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The isolation house rules (DESIGN.md section 7, "a credential reaches its own database and
 * nothing else"), checked on a statement's text before it is parsed or planned, on both engines:
 *
 * <ul>
 *   <li>{@code no-host-files}: functions that read, list or write files of the host (DuckDB's
 *       {@code read_text}, {@code read_csv}, {@code glob}…, PostgreSQL's {@code pg_read_file},
 *       {@code lo_import}…), {@code COPY} to or from anything but the client ({@code STDIN}/{@code
 *       STDOUT}), {@code EXPORT}/{@code IMPORT DATABASE}, and DuckDB's {@code FROM 'path'}.
 *   <li>{@code no-instance-settings}: {@code SET}/{@code RESET} of anything outside {@link
 *       #SETTABLE}, {@code PRAGMA}, {@code ALTER SYSTEM}, {@code set_config()}, secrets.
 *   <li>{@code own-database-only}: {@code ATTACH}, {@code DETACH}, {@code USE}, {@code CREATE /
 *       ALTER / DROP DATABASE | ROLE | USER}, foreign servers, signalling other sessions.
 *   <li>{@code no-extensions}: {@code INSTALL}, {@code LOAD}, {@code CREATE EXTENSION}.
 *   <li>{@code no-procedures}: {@code CALL}, {@code DO} and DuckDB's {@code query()} / {@code
 *       query_table()}, which run statements the layer never sees.
 * </ul>
 *
 * <p>These are the layer's defence in depth: the engines are locked down too (DuckDB with external
 * access off and its configuration locked; on PostgreSQL each logical database's own role).
 * Stateless.
 */
public final class IsolationRules {
  private IsolationRules() {}

  /**
   * Session settings an application may change (what drivers and ORMs send): each touches only the
   * session that sets it. Documented in db/README.md.
   */
  public static final Set<String> SETTABLE =
      Set.of(
          "application_name",
          "client_encoding",
          "names",
          "datestyle",
          "timezone",
          "time zone",
          "extra_float_digits",
          "intervalstyle",
          "bytea_output",
          "standard_conforming_strings",
          "client_min_messages",
          "search_path",
          "statement_timeout",
          "lock_timeout",
          "idle_in_transaction_session_timeout",
          "default_transaction_isolation",
          "default_transaction_read_only",
          "transaction",
          "session characteristics",
          "constraints",
          "all");

  /** Table and scalar functions that touch the host's files. */
  static final Set<String> FILE_FUNCTIONS =
      Set.of(
          // DuckDB
          "read_text",
          "read_blob",
          "read_csv",
          "read_csv_auto",
          "sniff_csv",
          "read_json",
          "read_json_auto",
          "read_json_objects",
          "read_json_objects_auto",
          "read_ndjson",
          "read_ndjson_auto",
          "read_ndjson_objects",
          "read_parquet",
          "parquet_scan",
          "parquet_metadata",
          "parquet_schema",
          "parquet_file_metadata",
          "parquet_kv_metadata",
          "parquet_bloom_probe",
          "parquet_full_metadata",
          "read_xlsx",
          "read_duckdb",
          "glob",
          "iceberg_scan",
          "iceberg_metadata",
          "iceberg_snapshots",
          "delta_scan",
          "sqlite_scan",
          "sqlite_attach",
          "st_read",
          "st_read_meta",
          "st_readosm",
          "st_readshp",
          "getenv",
          "write_log",
          // PostgreSQL
          "pg_read_file",
          "pg_read_binary_file",
          "pg_ls_dir",
          "pg_stat_file",
          "pg_ls_logdir",
          "pg_ls_waldir",
          "pg_ls_tmpdir",
          "pg_ls_archive_statusdir",
          "pg_ls_logicalsnapdir",
          "pg_ls_logicalmapdir",
          "pg_ls_replslotdir",
          "pg_current_logfile",
          "lo_import",
          "lo_export",
          "pg_file_write",
          "pg_file_rename",
          "pg_file_unlink",
          "pg_logdir_ls");

  /** Functions that change the instance or reach other sessions and databases. */
  static final Set<String> INSTANCE_FUNCTIONS =
      Set.of(
          "set_config",
          "pg_reload_conf",
          "pg_rotate_logfile",
          "pg_switch_wal",
          "pg_promote",
          "pg_create_restore_point",
          "pg_backup_start",
          "pg_backup_stop",
          "pg_start_backup",
          "pg_stop_backup");

  static final Set<String> OTHER_DATABASE_FUNCTIONS =
      Set.of(
          "pg_terminate_backend",
          "pg_cancel_backend",
          "dblink",
          "dblink_exec",
          "dblink_connect",
          "dblink_connect_u",
          "dblink_send_query",
          "postgres_scan",
          "postgres_attach",
          "postgres_query",
          "postgres_execute",
          "mysql_scan",
          "mysql_query",
          "mysql_execute");

  static final Set<String> DYNAMIC_FUNCTIONS = Set.of("query", "query_table");

  static final Set<String> EXTENSION_FUNCTIONS = Set.of("load_extension");

  // an identifier (bare or double-quoted) right before an opening parenthesis: a function call
  private static final Pattern CALL =
      Pattern.compile("(?:\"((?:[^\"]|\"\")+)\"|([A-Za-z_][A-Za-z0-9_$]*))\\s*\\(");

  private static final Pattern WORD = Pattern.compile("\"(?:[^\"]|\"\")*\"|[A-Za-z_][\\w$]*");

  private static final Pattern SET_TARGET =
      Pattern.compile(
          "(?is)^(?:SET|RESET)\\s+(?:(SESSION|LOCAL|GLOBAL)\\s+)?(\"(?:[^\"]|\"\")+\"|[\\w.$]+)(?:\\s+([\\w$]+))?");

  /** Refuses {@code sql} (one statement) when it breaks an isolation rule. */
  public static void check(String sql) {
    String masked = SqlText.masked(sql);
    List<String> words = leadingWords(masked, 4);
    String first = words.isEmpty() ? "" : words.get(0);
    String second = words.size() > 1 ? words.get(1) : "";
    switch (first) {
      case "SET", "RESET" -> checkSetting(sql, words);
      case "PRAGMA" -> throw refuse("no-instance-settings", "PRAGMA", sql);
      case "ATTACH", "DETACH", "USE" -> throw refuse("own-database-only", first, sql);
      case "INSTALL", "LOAD" -> throw refuse("no-extensions", first, sql);
      case "FORCE" -> {
        if (second.equals("INSTALL")) {
          throw refuse("no-extensions", "FORCE INSTALL", sql);
        }
      }
      case "UPDATE" -> {
        if (second.equals("EXTENSIONS")) {
          throw refuse("no-extensions", "UPDATE EXTENSIONS", sql);
        }
      }
      case "CALL", "DO" -> throw refuse("no-procedures", first, sql);
      case "EXPORT", "IMPORT" -> throw refuse("no-host-files", first + " DATABASE", sql);
      case "COPY" -> checkCopy(sql, masked);
      case "CREATE", "ALTER", "DROP", "COMMENT", "GRANT", "REVOKE" -> checkDdl(sql, words);
      default -> {}
    }
    checkFunctions(sql, masked);
    checkFromLiteral(sql, masked);
  }

  private static void checkSetting(String sql, List<String> words) {
    Matcher m = SET_TARGET.matcher(sql.strip());
    if (!m.find()) {
      throw refuse("no-instance-settings", words.get(0), sql);
    }
    if ("GLOBAL".equalsIgnoreCase(m.group(1))) {
      throw refuse("no-instance-settings", words.get(0) + " GLOBAL", sql);
    }
    String name = Planner.name(m.group(2)).toLowerCase(Locale.ROOT);
    String next = m.group(3) == null ? "" : m.group(3).toLowerCase(Locale.ROOT);
    if ((name.equals("time") && next.equals("zone"))
        || (name.equals("session") && next.equals("characteristics"))) {
      name = name + " " + next;
    }
    if (!SETTABLE.contains(name)) {
      throw Errors.isolation(
          "no-instance-settings",
          words.get(0) + " " + name,
          sql,
          "only these session settings may be changed: "
              + String.join(", ", new java.util.TreeSet<>(SETTABLE))
              + "; instance settings belong to whoever runs threadbare");
    }
  }

  private static void checkCopy(String sql, String masked) {
    String upper = masked.toUpperCase(Locale.ROOT);
    if (upper.matches("(?s).*\\bPROGRAM\\b.*")) {
      throw refuse("no-host-files", "COPY … PROGRAM", sql);
    }
    if (!upper.matches("(?s).*\\b(FROM\\s+STDIN|TO\\s+STDOUT)\\b.*")) {
      throw Errors.isolation(
          "no-host-files",
          "COPY to or from a file",
          sql,
          "COPY reaches only the client: COPY … FROM STDIN or COPY … TO STDOUT");
    }
  }

  private static void checkDdl(String sql, List<String> words) {
    // skip CREATE's modifiers (OR REPLACE, TEMPORARY, PERSISTENT…) to find what it creates
    int i = 1;
    while (i < words.size()
        && Set.of("OR", "REPLACE", "TEMP", "TEMPORARY", "PERSISTENT", "IF", "NOT", "EXISTS")
            .contains(words.get(i))) {
      i++;
    }
    String object = i < words.size() ? words.get(i) : "";
    String verb = words.get(0);
    switch (object) {
      case "DATABASE", "ROLE", "USER", "GROUP", "SERVER", "TABLESPACE", "SUBSCRIPTION" ->
          throw refuse("own-database-only", verb + " " + object, sql);
      case "FOREIGN" -> throw refuse("own-database-only", verb + " FOREIGN …", sql);
      case "SYSTEM" -> throw refuse("no-instance-settings", verb + " SYSTEM", sql);
      case "SECRET" -> throw refuse("no-instance-settings", verb + " SECRET", sql);
      case "EXTENSION" -> throw refuse("no-extensions", verb + " EXTENSION", sql);
      default -> {}
    }
    // ALTER … SET on a table is fine; on anything that outlives the statement's own objects the
    // cases above caught it
  }

  private static void checkFunctions(String sql, String masked) {
    Matcher m = CALL.matcher(masked);
    while (m.find()) {
      String name =
          (m.group(1) != null ? m.group(1).replace("\"\"", "\"") : m.group(2))
              .toLowerCase(Locale.ROOT);
      if (FILE_FUNCTIONS.contains(name)) {
        throw refuse("no-host-files", name + "()", sql);
      }
      if (INSTANCE_FUNCTIONS.contains(name)) {
        throw refuse("no-instance-settings", name + "()", sql);
      }
      if (OTHER_DATABASE_FUNCTIONS.contains(name)) {
        throw refuse("own-database-only", name + "()", sql);
      }
      if (DYNAMIC_FUNCTIONS.contains(name)) {
        throw refuse("no-procedures", name + "()", sql);
      }
      if (EXTENSION_FUNCTIONS.contains(name)) {
        throw refuse("no-extensions", name + "()", sql);
      }
    }
  }

  /** DuckDB reads a file named by a string where a table belongs: {@code FROM '/etc/passwd'}. */
  private static void checkFromLiteral(String sql, String masked) {
    int i = 0;
    int n = sql.length();
    while (i < n) {
      int skip = SqlText.skipQuoted(sql, i);
      if (skip > i) {
        char c = sql.charAt(i);
        if (c == '\'' || c == '$') {
          String before = masked.substring(0, i).stripTrailing().toUpperCase(Locale.ROOT);
          if (before.endsWith("FROM") || before.endsWith("JOIN")) {
            int end = before.length() - 4;
            if ((end == 0 || !Character.isLetterOrDigit(before.charAt(end - 1)))
                && !insideFunctionCall(masked, end)) {
              throw refuse("no-host-files", "a string in place of a table", sql);
            }
          }
        }
        i = skip;
      } else {
        i++;
      }
    }
  }

  /**
   * Whether position {@code at} lies inside a function call's parentheses, where FROM is part of
   * the call's syntax ({@code EXTRACT(YEAR FROM '…')}, {@code substring(s FROM '…')}), not a table.
   */
  private static boolean insideFunctionCall(String masked, int at) {
    int depth = 0;
    for (int i = at - 1; i >= 0; i--) {
      char c = masked.charAt(i);
      if (c == ')') {
        depth++;
      } else if (c == '(') {
        if (depth == 0) {
          int j = i - 1;
          while (j >= 0 && Character.isWhitespace(masked.charAt(j))) {
            j--;
          }
          if (j < 0) {
            return false;
          }
          char p = masked.charAt(j);
          if (!(Character.isLetterOrDigit(p) || p == '_' || p == '"')) {
            return false;
          }
          int k = j;
          while (k >= 0
              && (Character.isLetterOrDigit(masked.charAt(k)) || masked.charAt(k) == '_')) {
            k--;
          }
          // a subquery's parenthesis follows FROM, JOIN, IN, EXISTS…: not a call
          String word = masked.substring(k + 1, j + 1).toUpperCase(Locale.ROOT);
          return !Set.of("FROM", "JOIN", "IN", "EXISTS", "AS", "LATERAL", "ANY", "ALL", "SOME")
              .contains(word);
        }
        depth--;
      }
    }
    return false;
  }

  private static List<String> leadingWords(String masked, int max) {
    List<String> words = new ArrayList<>();
    Matcher m = WORD.matcher(masked);
    int at = 0;
    String trimmed = masked.stripLeading();
    int offset = masked.length() - trimmed.length();
    m.region(offset, masked.length());
    while (words.size() < max && m.find()) {
      // only words separated by whitespace from the start (not inside parentheses or lists)
      if (!masked.substring(at == 0 ? offset : at, m.start()).isBlank()) {
        break;
      }
      words.add(m.group().toUpperCase(Locale.ROOT));
      at = m.end();
    }
    return words;
  }

  private static HouseRuleException refuse(String rule, String what, String sql) {
    return Errors.isolation(rule, what, sql, null);
  }
}
