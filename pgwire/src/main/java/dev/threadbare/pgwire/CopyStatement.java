package dev.threadbare.pgwire;

import dev.threadbare.db.DbException;
import dev.threadbare.db.SqlState;
import dev.threadbare.db.StatementResult;
import dev.threadbare.db.UntypedParameter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code COPY … FROM STDIN} and {@code COPY … TO STDOUT} in text or CSV format, what psql's {@code
 * \copy}, psycopg2's {@code copy_expert} and bulk loaders send: the wire server runs the rows as
 * INSERTs (parameters whose type the layer infers, so a new table gets typed columns) and the query
 * as a SELECT, both under the house rules. COPY to or from a file is not this: it goes to the
 * layer, which refuses it. Immutable.
 *
 * @see <a href="https://www.postgresql.org/docs/current/sql-copy.html">COPY</a>
 */
record CopyStatement(
    boolean in,
    String table,
    List<String> columns,
    String query,
    boolean csv,
    boolean header,
    char delimiter,
    String nullText) {

  private static final String NAME =
      "((?:\"(?:[^\"]|\"\")+\"|[\\w$]+)(?:\\s*\\.\\s*(?:\"(?:[^\"]|\"\")+\"|[\\w$]+))?)";
  private static final Pattern FROM_STDIN =
      Pattern.compile(
          "(?is)^\\s*COPY\\s+"
              + NAME
              + "\\s*(?:\\(([^)]*)\\))?\\s*FROM\\s+STDIN\\b\\s*(.*?)\\s*;?\\s*$");
  private static final Pattern TO_STDOUT =
      Pattern.compile(
          "(?is)^\\s*COPY\\s+(?:"
              + NAME
              + "\\s*(?:\\(([^)]*)\\))?|\\((.+)\\))\\s*TO\\s+STDOUT\\b\\s*(.*?)\\s*;?\\s*$");
  private static final Pattern DELIMITER = Pattern.compile("(?i)\\bDELIMITER\\s+(?:AS\\s+)?'(.)'");
  private static final Pattern NULL = Pattern.compile("(?i)\\bNULL\\s+(?:AS\\s+)?'([^']*)'");

  /** Rows per INSERT statement when loading. */
  static final int BATCH_ROWS = 200;

  /** The COPY to or from the client {@code sql} is, or null when it is no such COPY. */
  static CopyStatement parse(String sql) {
    if (!sql.stripLeading().regionMatches(true, 0, "COPY", 0, 4)) {
      return null;
    }
    Matcher from = FROM_STDIN.matcher(sql);
    if (from.matches()) {
      return of(true, from.group(1), from.group(2), null, from.group(3), sql);
    }
    Matcher to = TO_STDOUT.matcher(sql);
    if (to.matches()) {
      return of(false, to.group(1), to.group(2), to.group(3), to.group(4), sql);
    }
    return null;
  }

  private static CopyStatement of(
      boolean in, String table, String columnList, String query, String options, String sql) {
    String o = options == null ? "" : options;
    String lower = o.toLowerCase(Locale.ROOT);
    if (lower.contains("binary")) {
      throw new DbException(
          SqlState.FEATURE_NOT_SUPPORTED,
          "not supported by threadbare's SQL layer: COPY in binary format, in: " + sql,
          "use the text or CSV format (FORMAT csv)",
          null);
    }
    boolean csv = lower.matches("(?s).*\\bcsv\\b.*");
    boolean header =
        lower.matches("(?s).*\\bheader\\b.*")
            && !lower.matches("(?s).*\\bheader\\s+(false|off|0)\\b.*");
    Matcher d = DELIMITER.matcher(o);
    char delimiter = d.find() ? d.group(1).charAt(0) : csv ? ',' : '\t';
    Matcher n = NULL.matcher(o);
    String nullText = n.find() ? n.group(1) : csv ? "" : "\\N";
    List<String> columns = new ArrayList<>();
    if (columnList != null) {
      for (String c : columnList.split(",")) {
        if (!c.isBlank()) {
          columns.add(c.strip());
        }
      }
    }
    return new CopyStatement(in, table, columns, query, csv, header, delimiter, nullText);
  }

  /** The rows of the client's data, each a list of field texts (null for NULL). */
  List<List<String>> rows(byte[] data) {
    String text = new String(data, StandardCharsets.UTF_8);
    List<List<String>> rows = csv ? csvRows(text) : textRows(text);
    if (header && !rows.isEmpty()) {
      rows.remove(0);
    }
    return rows;
  }

  private List<List<String>> textRows(String text) {
    List<List<String>> rows = new ArrayList<>();
    for (String line : text.split("\n", -1)) {
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      if (line.equals("\\.")) {
        break;
      }
      if (line.isEmpty()) {
        continue;
      }
      List<String> fields = new ArrayList<>();
      for (String raw : line.split(Pattern.quote(String.valueOf(delimiter)), -1)) {
        fields.add(raw.equals(nullText) ? null : unescape(raw));
      }
      rows.add(fields);
    }
    return rows;
  }

  private static String unescape(String raw) {
    if (raw.indexOf('\\') < 0) {
      return raw;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] bytes = raw.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < bytes.length; i++) {
      byte b = bytes[i];
      if (b != '\\' || i + 1 >= bytes.length) {
        out.write(b);
        continue;
      }
      byte next = bytes[++i];
      switch (next) {
        case 'b' -> out.write('\b');
        case 'f' -> out.write('\f');
        case 'n' -> out.write('\n');
        case 'r' -> out.write('\r');
        case 't' -> out.write('\t');
        case 'v' -> out.write(0x0b);
        case 'x' -> {
          int end = i + 1;
          while (end < bytes.length && end < i + 3 && Character.digit(bytes[end], 16) >= 0) {
            end++;
          }
          out.write(
              Integer.parseInt(
                  new String(bytes, i + 1, end - i - 1, StandardCharsets.US_ASCII), 16));
          i = end - 1;
        }
        default -> {
          if (next >= '0' && next <= '7') {
            int end = i;
            while (end < bytes.length && end < i + 3 && bytes[end] >= '0' && bytes[end] <= '7') {
              end++;
            }
            out.write(
                Integer.parseInt(new String(bytes, i, end - i, StandardCharsets.US_ASCII), 8));
            i = end - 1;
          } else {
            out.write(next);
          }
        }
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private List<List<String>> csvRows(String text) {
    List<List<String>> rows = new ArrayList<>();
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    boolean wasQuoted = false;
    boolean any = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quoted) {
        if (c == '"') {
          if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
            field.append('"');
            i++;
          } else {
            quoted = false;
          }
        } else {
          field.append(c);
        }
        continue;
      }
      if (c == '"') {
        quoted = true;
        wasQuoted = true;
        any = true;
      } else if (c == delimiter) {
        fields.add(csvField(field, wasQuoted));
        field.setLength(0);
        wasQuoted = false;
        any = true;
      } else if (c == '\n' || c == '\r') {
        if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
          i++;
        }
        if (any || field.length() > 0) {
          fields.add(csvField(field, wasQuoted));
          rows.add(fields);
        }
        fields = new ArrayList<>();
        field.setLength(0);
        wasQuoted = false;
        any = false;
      } else {
        field.append(c);
        any = true;
      }
    }
    if (any || field.length() > 0) {
      fields.add(csvField(field, wasQuoted));
      rows.add(fields);
    }
    if (!rows.isEmpty() && rows.get(rows.size() - 1).equals(List.of("\\."))) {
      rows.remove(rows.size() - 1);
    }
    return rows;
  }

  private String csvField(StringBuilder field, boolean wasQuoted) {
    String value = field.toString();
    return !wasQuoted && value.equals(nullText) ? null : value;
  }

  /** The INSERT statements that load {@code rows} into {@code columns}, with their parameters. */
  List<Statement> inserts(List<String> targetColumns, List<List<String>> rows) {
    List<Statement> out = new ArrayList<>();
    for (int start = 0; start < rows.size(); start += BATCH_ROWS) {
      List<List<String>> batch = rows.subList(start, Math.min(rows.size(), start + BATCH_ROWS));
      StringBuilder sql =
          new StringBuilder("INSERT INTO ")
              .append(table)
              .append(" (")
              .append(String.join(", ", targetColumns))
              .append(") VALUES ");
      List<Object> params = new ArrayList<>();
      for (int r = 0; r < batch.size(); r++) {
        List<String> row = batch.get(r);
        if (row.size() != targetColumns.size()) {
          throw new DbException(
              SqlState.BAD_COPY_FILE_FORMAT,
              "COPY row "
                  + (start + r + 1)
                  + " has "
                  + row.size()
                  + " fields but "
                  + table
                  + " "
                  + targetColumns
                  + " takes "
                  + targetColumns.size()
                  + (csv
                      ? ""
                      : ": fields are separated by a tab in text format (or say DELIMITER)"));
        }
        sql.append(r == 0 ? "(" : ", (");
        for (int c = 0; c < row.size(); c++) {
          String value = row.get(c);
          params.add(value == null ? null : new UntypedParameter(value));
          sql.append(c == 0 ? "$" : ", $").append(params.size());
        }
        sql.append(')');
      }
      out.add(new Statement(sql.toString(), params));
    }
    return out;
  }

  /** The SELECT a COPY TO STDOUT runs. */
  String select(List<String> tableColumns) {
    if (query != null) {
      return query;
    }
    return "SELECT " + String.join(", ", tableColumns) + " FROM " + table;
  }

  /** One result row as a line of COPY data. */
  byte[] line(Object[] row) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < row.length; i++) {
      if (i > 0) {
        out.append(delimiter);
      }
      Object value = row[i];
      if (value == null) {
        out.append(nullText);
        continue;
      }
      String text = PgTypes.toText(value);
      if (csv) {
        boolean quote =
            text.isEmpty()
                || text.indexOf(delimiter) >= 0
                || text.indexOf('"') >= 0
                || text.indexOf('\n') >= 0
                || text.indexOf('\r') >= 0;
        out.append(quote ? '"' + text.replace("\"", "\"\"") + '"' : text);
      } else {
        for (int k = 0; k < text.length(); k++) {
          char c = text.charAt(k);
          switch (c) {
            case '\\' -> out.append("\\\\");
            case '\n' -> out.append("\\n");
            case '\r' -> out.append("\\r");
            case '\t' -> out.append("\\t");
            default -> {
              if (c == delimiter) {
                out.append('\\');
              }
              out.append(c);
            }
          }
        }
      }
    }
    return out.append('\n').toString().getBytes(StandardCharsets.UTF_8);
  }

  /** A header line of the column names (CSV HEADER). */
  byte[] headerLine(StatementResult result) {
    Object[] names = result.columns().stream().map(c -> (Object) c.name()).toArray();
    return line(names);
  }

  /** A statement and its parameters. */
  record Statement(String sql, List<Object> params) {}
}
