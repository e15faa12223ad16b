package dev.threadbare.db.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The conflict target of an {@code INSERT … ON CONFLICT (columns)}: a table the layer creates for
 * such an insert gets a unique constraint on those columns, without which neither engine can infer
 * the conflict. Stateless.
 */
final class OnConflict {
  private static final Pattern TARGET = Pattern.compile("(?is)\\bON\\s+CONFLICT\\s*\\(([^()]*)\\)");

  private OnConflict() {}

  /** The conflict target's columns (as stored), or an empty list when there is none. */
  static List<String> columns(String sql) {
    Matcher m = TARGET.matcher(SqlText.masked(sql));
    if (!m.find()) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (String part : m.group(1).split(",")) {
      String column = part.strip();
      if (!column.isEmpty()) {
        out.add(Planner.name(column));
      }
    }
    return out;
  }
}
