package dev.threadbare.db.internal;

import dev.threadbare.db.DbException;
import dev.threadbare.db.StatementResult;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SQL cursors ({@code DECLARE … CURSOR FOR}, {@code FETCH}, {@code MOVE}, {@code CLOSE}), what
 * psycopg2's named cursors and other streaming clients send: the query runs under the house rules
 * when declared and its rows are served in slices. Cursors without {@code WITH HOLD} end with their
 * transaction. Used by one session's thread.
 *
 * @see <a href="https://www.postgresql.org/docs/current/sql-declare.html">DECLARE</a>
 */
final class Cursors {
  private static final String NAME = "(\"(?:[^\"]|\"\")+\"|[\\w$]+)";
  private static final Pattern DECLARE =
      Pattern.compile(
          "(?is)^\\s*DECLARE\\s+"
              + NAME
              + "\\s+((?:BINARY\\s+|ASENSITIVE\\s+|INSENSITIVE\\s+|(?:NO\\s+)?SCROLL\\s+)*)"
              + "CURSOR\\s+(?:(WITH|WITHOUT)\\s+HOLD\\s+)?FOR\\s+(.+?)\\s*;?\\s*$");
  private static final Pattern FETCH =
      Pattern.compile(
          "(?is)^\\s*(FETCH|MOVE)\\s+(?:(NEXT|FORWARD\\s+ALL|FORWARD\\s+\\d+|FORWARD|ALL|\\d+)\\s+)?"
              + "(?:FROM\\s+|IN\\s+)?"
              + NAME
              + "\\s*;?\\s*$");
  private static final Pattern CLOSE =
      Pattern.compile("(?is)^\\s*CLOSE\\s+(ALL|" + NAME + ")\\s*;?\\s*$");

  private static final class Cursor {
    final StatementResult result;
    final boolean hold;
    int position;

    Cursor(StatementResult result, boolean hold) {
      this.result = result;
      this.hold = hold;
    }
  }

  private final Map<String, Cursor> open = new HashMap<>();

  /** Whether {@code first} (a statement's first word) starts a cursor statement. */
  static boolean isCursorStatement(String first) {
    return first.equals("DECLARE")
        || first.equals("FETCH")
        || first.equals("MOVE")
        || first.equals("CLOSE");
  }

  /**
   * Runs a cursor statement.
   *
   * @param inTransaction whether a transaction block is open
   * @param query runs the declared query under the house rules
   */
  StatementResult execute(
      String sql, boolean inTransaction, Function<String, StatementResult> query) {
    String first = SqlText.firstWord(sql);
    if (first.equals("DECLARE")) {
      Matcher m = DECLARE.matcher(sql);
      if (!m.matches()) {
        throw Errors.notSupported(
            "this form of DECLARE", sql, "DECLARE name CURSOR [WITH HOLD] FOR SELECT …");
      }
      String name = Planner.name(m.group(1));
      boolean hold = "WITH".equalsIgnoreCase(m.group(3));
      if (!hold && !inTransaction) {
        throw Errors.cursorOutsideTransaction(sql);
      }
      if (open.containsKey(name)) {
        throw Errors.cursorExists(name);
      }
      StatementResult result = query.apply(m.group(4));
      open.put(name, new Cursor(result, hold));
      return new StatementResult("DECLARE CURSOR", List.of(), List.of(), result.notices());
    }
    if (first.equals("CLOSE")) {
      Matcher m = CLOSE.matcher(sql);
      if (!m.matches()) {
        throw Errors.notSupported("this form of CLOSE", sql, "CLOSE name or CLOSE ALL");
      }
      if (m.group(1).equalsIgnoreCase("ALL")) {
        open.clear();
      } else if (open.remove(Planner.name(m.group(2))) == null) {
        throw missing(Planner.name(m.group(2)));
      }
      return new StatementResult("CLOSE CURSOR", List.of(), List.of(), List.of());
    }
    Matcher m = FETCH.matcher(sql);
    if (!m.matches()) {
      throw Errors.notSupported(
          "this form of " + first + " (only forward fetches)",
          sql,
          first + " [NEXT | FORWARD n | FORWARD ALL | n | ALL] FROM name");
    }
    String name = Planner.name(m.group(3));
    Cursor cursor = open.get(name);
    if (cursor == null) {
      throw missing(name);
    }
    String how = m.group(2) == null ? "NEXT" : m.group(2).toUpperCase(java.util.Locale.ROOT);
    List<Object[]> rows = cursor.result.rows();
    int want =
        how.equals("NEXT") || how.equals("FORWARD")
            ? 1
            : how.endsWith("ALL") ? Integer.MAX_VALUE : Integer.parseInt(how.replaceAll("\\D", ""));
    int from = cursor.position;
    int to = (int) Math.min(rows.size(), (long) from + want);
    cursor.position = to;
    if (m.group(1).equalsIgnoreCase("MOVE")) {
      return new StatementResult("MOVE " + (to - from), List.of(), List.of(), List.of());
    }
    return new StatementResult(
        "FETCH " + (to - from), cursor.result.columns(), rows.subList(from, to), List.of());
  }

  private static DbException missing(String name) {
    return Errors.cursorMissing(name);
  }

  /** The transaction ended: cursors without WITH HOLD close. */
  void endTransaction() {
    open.values().removeIf(c -> !c.hold);
  }
}
