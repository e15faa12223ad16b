package dev.threadbare.db.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Lexical helpers over SQL text that must respect quotes, dollar quotes and comments: splitting a
 * script into statements, turning {@code $n} parameters into JDBC {@code ?} placeholders, and
 * blanking literals so that keyword checks do not look inside strings. Stateless.
 */
public final class SqlText {
  private SqlText() {}

  /** One statement's text and its offset (0-based) in the script. */
  public record Piece(String text, int offset) {}

  /**
   * A statement with {@code ?} placeholders and, for each, the 0-based parameter index it reads.
   */
  public record Placeholders(String sql, List<Integer> parameterIndexes) {
    public Placeholders {
      parameterIndexes = List.copyOf(parameterIndexes);
    }
  }

  /** Splits a script on top-level semicolons; empty statements are dropped. */
  public static List<Piece> split(String script) {
    List<Piece> pieces = new ArrayList<>();
    int start = 0;
    int i = 0;
    int n = script.length();
    while (i < n) {
      char c = script.charAt(i);
      int skip = skipQuoted(script, i);
      if (skip > i) {
        i = skip;
        continue;
      }
      if (c == ';') {
        add(pieces, script, start, i);
        start = i + 1;
      }
      i++;
    }
    add(pieces, script, start, n);
    return pieces;
  }

  private static void add(List<Piece> pieces, String script, int from, int to) {
    String text = script.substring(from, to);
    String stripped = text.strip();
    if (!stripped.isEmpty() && !blank(masked(stripped))) {
      pieces.add(new Piece(stripped, from + text.indexOf(stripped.charAt(0))));
    }
  }

  private static boolean blank(String s) {
    return s.isBlank();
  }

  /**
   * If a quoted string, quoted identifier, dollar-quoted string or comment starts at {@code i},
   * returns the index just past it; else {@code i}.
   */
  static int skipQuoted(String s, int i) {
    int n = s.length();
    char c = s.charAt(i);
    if (c == '\'' || c == '"') {
      int j = i + 1;
      while (j < n) {
        if (s.charAt(j) == c) {
          if (j + 1 < n && s.charAt(j + 1) == c) {
            j += 2;
            continue;
          }
          return j + 1;
        }
        j++;
      }
      return n;
    }
    if (c == '-' && i + 1 < n && s.charAt(i + 1) == '-') {
      int end = s.indexOf('\n', i);
      return end < 0 ? n : end + 1;
    }
    if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
      int end = s.indexOf("*/", i + 2);
      return end < 0 ? n : end + 2;
    }
    if (c == '$' && (i == 0 || !Character.isLetterOrDigit(s.charAt(i - 1)))) {
      int j = i + 1;
      while (j < n && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) {
        j++;
      }
      if (j < n && s.charAt(j) == '$' && (j == i + 1 || !Character.isDigit(s.charAt(i + 1)))) {
        String tag = s.substring(i, j + 1);
        int end = s.indexOf(tag, j + 1);
        return end < 0 ? n : end + tag.length();
      }
    }
    return i;
  }

  /** The text with string literals, quoted identifiers' contents and comments blanked out. */
  public static String masked(String s) {
    StringBuilder out = new StringBuilder(s.length());
    int i = 0;
    while (i < s.length()) {
      int skip = skipQuoted(s, i);
      if (skip > i) {
        char c = s.charAt(i);
        boolean keep = c == '"';
        for (int k = i; k < skip; k++) {
          out.append(keep ? s.charAt(k) : ' ');
        }
        i = skip;
      } else {
        out.append(s.charAt(i));
        i++;
      }
    }
    return out.toString();
  }

  /** Rewrites {@code $1}, {@code $2}… outside literals into {@code ?} placeholders. */
  public static Placeholders placeholders(String sql) {
    StringBuilder out = new StringBuilder(sql.length());
    List<Integer> indexes = new ArrayList<>();
    int i = 0;
    int n = sql.length();
    while (i < n) {
      int skip = skipQuoted(sql, i);
      if (skip > i) {
        out.append(sql, i, skip);
        i = skip;
        continue;
      }
      char c = sql.charAt(i);
      if (c == '$'
          && i + 1 < n
          && Character.isDigit(sql.charAt(i + 1))
          && (i == 0 || !Character.isLetterOrDigit(sql.charAt(i - 1)))) {
        int j = i + 1;
        while (j < n && Character.isDigit(sql.charAt(j))) {
          j++;
        }
        indexes.add(Integer.parseInt(sql.substring(i + 1, j)) - 1);
        out.append('?');
        i = j;
        continue;
      }
      out.append(c);
      i++;
    }
    return new Placeholders(out.toString(), indexes);
  }

  /** The first word of a statement, upper-cased (for transaction control and quick routing). */
  public static String firstWord(String sql) {
    String m = masked(sql).strip();
    int end = 0;
    while (end < m.length() && Character.isLetter(m.charAt(end))) {
      end++;
    }
    return m.substring(0, end).toUpperCase(java.util.Locale.ROOT);
  }

  /** A statement cut to {@code max} characters for error messages. */
  public static String excerpt(String sql, int max) {
    String oneLine = sql.replaceAll("\\s+", " ").strip();
    return oneLine.length() <= max ? oneLine : oneLine.substring(0, max) + "…";
  }
}
