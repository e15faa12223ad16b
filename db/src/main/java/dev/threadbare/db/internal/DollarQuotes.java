package dev.threadbare.db.internal;

/**
 * PostgreSQL's dollar-quoted strings ({@code $$text$$}, {@code $tag$text$tag$}) as standard quoted
 * strings, which JSqlParser and both engines read alike (JSqlParser reads {@code $$text$$} as a
 * column name and fails on some tagged ones). Stateless.
 */
final class DollarQuotes {
  private DollarQuotes() {}

  /** The statement with each dollar-quoted string written as {@code '…'}; the same text if none. */
  static String toStandard(String sql) {
    if (sql.indexOf('$') < 0) {
      return sql;
    }
    StringBuilder out = null;
    int last = 0;
    int i = 0;
    while (i < sql.length()) {
      int end = SqlText.skipQuoted(sql, i);
      if (end == i) {
        i++;
        continue;
      }
      if (sql.charAt(i) == '$') {
        int open = sql.indexOf('$', i + 1) + 1;
        int close = end - (open - i);
        if (close >= open && sql.startsWith(sql.substring(i, open), close)) {
          if (out == null) {
            out = new StringBuilder(sql.length() + 8);
          }
          out.append(sql, last, i)
              .append('\'')
              .append(sql.substring(open, close).replace("'", "''"))
              .append('\'');
          last = end;
        }
      }
      i = end;
    }
    return out == null ? sql : out.append(sql, last, sql.length()).toString();
  }
}
