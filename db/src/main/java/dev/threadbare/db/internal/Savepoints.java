package dev.threadbare.db.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The savepoints of one session's open transaction block, as PostgreSQL keeps them: a name stack
 * where {@code RELEASE} drops a savepoint and those after it, and {@code ROLLBACK TO} keeps it and
 * drops those after it. For each it remembers how many columns the layer had created in the block,
 * and on DuckDB, which has no savepoints, the statements the block ran before it: {@code ROLLBACK
 * TO} there rolls the whole transaction back and runs those statements again. Used by one session's
 * thread; cleared at the end of each transaction.
 */
final class Savepoints {
  /**
   * Past this many statements in one block, DuckDB's ROLLBACK TO is refused rather than replayed.
   */
  static final int MAX_JOURNAL = 10_000;

  private static final Pattern SAVEPOINT =
      Pattern.compile("(?is)^\\s*SAVEPOINT\\s+(\"(?:[^\"]|\"\")+\"|[\\w$]+)\\s*;?\\s*$");
  private static final Pattern RELEASE =
      Pattern.compile(
          "(?is)^\\s*RELEASE\\s+(?:SAVEPOINT\\s+)?(\"(?:[^\"]|\"\")+\"|[\\w$]+)\\s*;?\\s*$");
  private static final Pattern ROLLBACK_TO =
      Pattern.compile(
          "(?is)^\\s*ROLLBACK\\s+(?:WORK\\s+|TRANSACTION\\s+)?TO\\s+(?:SAVEPOINT\\s+)?"
              + "(\"(?:[^\"]|\"\")+\"|[\\w$]+)\\s*;?\\s*$");

  /** A statement the block ran, for DuckDB's replay. */
  record Entry(String sql, List<Object> params) {}

  /** A savepoint: its name and the block's state when it was made. */
  record Mark(String name, int statements, int pendingColumns) {}

  private final List<Entry> journal = new ArrayList<>();
  private final List<Mark> marks = new ArrayList<>();
  private boolean overflowed;

  /** What a savepoint statement asks: its kind and savepoint name. */
  record Command(String kind, String name) {}

  /** The savepoint command {@code sql} is, or null when it is none. */
  static Command parse(String sql) {
    for (var entry :
        List.of(
            java.util.Map.entry("SAVEPOINT", SAVEPOINT),
            java.util.Map.entry("RELEASE", RELEASE),
            java.util.Map.entry("ROLLBACK TO", ROLLBACK_TO))) {
      Matcher m = entry.getValue().matcher(sql);
      if (m.matches()) {
        return new Command(entry.getKey(), Planner.name(m.group(1)));
      }
    }
    return null;
  }

  /** Forgets everything: the transaction ended. */
  void clear() {
    journal.clear();
    marks.clear();
    overflowed = false;
  }

  /** Records a statement the block ran successfully (DuckDB only). */
  void record(String sql, List<Object> params) {
    if (journal.size() >= MAX_JOURNAL) {
      overflowed = true;
      return;
    }
    journal.add(new Entry(sql, nullSafe(params)));
  }

  private static List<Object> nullSafe(List<Object> params) {
    // List.copyOf refuses nulls; a NULL parameter is a null
    return java.util.Collections.unmodifiableList(new ArrayList<>(params));
  }

  void savepoint(String name, int pendingColumns) {
    marks.add(new Mark(name, journal.size(), pendingColumns));
  }

  /** Releases the savepoint and those made after it. */
  void release(String name, String sql) {
    int at = find(name, sql);
    marks.subList(at, marks.size()).clear();
  }

  /**
   * The savepoint to roll back to; those made after it are dropped, and the journal keeps only the
   * statements before it.
   */
  Mark rollbackTo(String name, String sql, boolean replay) {
    int at = find(name, sql);
    Mark mark = marks.get(at);
    if (replay && overflowed) {
      throw Errors.notSupported(
          "ROLLBACK TO SAVEPOINT after more than "
              + MAX_JOURNAL
              + " statements in one transaction on the DuckDB engine",
          sql,
          "roll the whole transaction back instead, or use smaller transactions");
    }
    marks.subList(at + 1, marks.size()).clear();
    journal.subList(mark.statements(), journal.size()).clear();
    return mark;
  }

  /** The statements to run again after rolling the whole transaction back (DuckDB). */
  List<Entry> journal() {
    return List.copyOf(journal);
  }

  private int find(String name, String sql) {
    for (int i = marks.size() - 1; i >= 0; i--) {
      if (marks.get(i).name().equals(name)) {
        return i;
      }
    }
    throw Errors.savepointMissing(name, sql);
  }

  static String kindOf(String sql) {
    Command c = parse(sql);
    return c == null ? null : c.kind().toUpperCase(Locale.ROOT);
  }
}
