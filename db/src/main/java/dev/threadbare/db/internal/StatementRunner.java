package dev.threadbare.db.internal;

import dev.threadbare.db.DbException;
import dev.threadbare.db.ResultColumn;
import dev.threadbare.db.StatementDescription;
import dev.threadbare.db.StatementResult;
import dev.threadbare.db.UntypedParameter;
import java.sql.Connection;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs a planned statement on the session's engine connection: the per-session cache of prepared
 * statements, binding the parameters, the statement timeout and cancel, reading the rows, and
 * PostgreSQL's command tags. Not thread safe except {@link #cancel()}.
 */
final class StatementRunner {
  private static final int PREPARED_LIMIT = 64;

  private final LogicalDatabase db;
  private final LayerContext context;
  private final Connection connection;
  private final boolean duckDbTypes;
  private volatile Statement running;
  private volatile boolean canceled;
  private volatile boolean timedOut;

  private final Map<String, PreparedStatement> prepared =
      new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, PreparedStatement> eldest) {
          if (size() > PREPARED_LIMIT) {
            closeQuietly(eldest.getValue());
            return true;
          }
          return false;
        }
      };
  private long preparedSchemaVersion = -1;

  StatementRunner(LogicalDatabase db, Connection connection) {
    this.db = db;
    this.context = db.context;
    this.connection = connection;
    this.duckDbTypes = context.engine.isDuckDb();
  }

  /** Runs the plan's SQL with {@code params}; reads, inserts, updates and deletes stay prepared. */
  StatementResult run(Plan plan, List<Object> params, List<String> notices) throws SQLException {
    SqlText.Placeholders placeholders = plan.placeholders();
    boolean reusable =
        switch (plan.kind()) {
          case QUERY, INSERT, UPDATE, DELETE -> true;
          default -> false;
        };
    PreparedStatement ps = reusable ? cachedStatement(placeholders.sql()) : null;
    if (ps == null) {
      ps = connection.prepareStatement(placeholders.sql());
      if (reusable) {
        prepared.put(placeholders.sql(), ps);
      }
    }
    boolean ok = false;
    try {
      StatementResult result = execute(ps, plan, params, notices);
      ok = true;
      return result;
    } finally {
      if (!reusable || !ok) {
        // a failed statement may be unusable afterwards (DuckDB closes it): never reuse it
        prepared.remove(placeholders.sql());
        ps.close();
      }
    }
  }

  /**
   * A statement prepared earlier in this session for the same SQL, if the schema has not changed
   * since: preparing is most of a cheap statement's cost on DuckDB.
   */
  private PreparedStatement cachedStatement(String sql) {
    long version = db.schemaVersion();
    if (version != preparedSchemaVersion) {
      closePrepared();
      preparedSchemaVersion = version;
      return null;
    }
    return prepared.get(sql);
  }

  private void closePrepared() {
    prepared.values().forEach(StatementRunner::closeQuietly);
    prepared.clear();
  }

  private static void closeQuietly(PreparedStatement statement) {
    try {
      statement.close();
    } catch (SQLException e) {
      // the statement is dropped either way
    }
  }

  private StatementResult execute(
      PreparedStatement ps, Plan plan, List<Object> params, List<String> notices)
      throws SQLException {
    List<Integer> indexes = plan.placeholders().parameterIndexes();
    ps.clearParameters();
    for (int i = 0; i < indexes.size(); i++) {
      int index = indexes.get(i);
      if (index < 0 || index >= params.size()) {
        throw Errors.tooManyParameters(index + 1, params.size());
      }
      bind(ps, i + 1, params.get(index));
    }
    running = ps;
    if (canceled) {
      canceled = false;
      throw Errors.canceled();
    }
    boolean hasRows;
    StatementDeadlines.Deadline deadline =
        StatementDeadlines.arm(context.options.statementTimeout(), this::timeOut);
    try {
      hasRows = ps.execute();
    } finally {
      deadline.cancel();
      running = null;
    }
    if (hasRows) {
      try (ResultSet rs = ps.getResultSet()) {
        return readResult(plan, rs, notices);
      }
    }
    long count = Math.max(0, ps.getUpdateCount());
    return new StatementResult(tag(plan, count), List.of(), List.of(), notices);
  }

  private static void bind(PreparedStatement ps, int position, Object value) throws SQLException {
    switch (value) {
      case null -> ps.setObject(position, null);
      case byte[] bytes -> ps.setBytes(position, bytes);
      case UntypedParameter untyped -> ps.setObject(position, untyped.text());
      default -> ps.setObject(position, value);
    }
  }

  private StatementResult readResult(Plan plan, ResultSet rs, List<String> notices)
      throws SQLException {
    ResultSetMetaData md = rs.getMetaData();
    int n = md.getColumnCount();
    List<ResultColumn> columns = new ArrayList<>(n);
    ColumnType[] types = new ColumnType[n];
    for (int i = 1; i <= n; i++) {
      types[i - 1] = ColumnType.fromEngineName(md.getColumnTypeName(i), duckDbTypes);
      String label = context.engine.resultLabel(md.getColumnLabel(i), plan.sql());
      columns.add(new ResultColumn(label, types[i - 1].oid()));
    }
    List<Object[]> rows = new ArrayList<>();
    while (rs.next()) {
      Object[] row = new Object[n];
      for (int i = 0; i < n; i++) {
        row[i] = Values.read(rs, i + 1, types[i], duckDbTypes);
      }
      rows.add(row);
    }
    if (plan.kind() != Plan.Kind.QUERY
        && plan.commandTag() == null
        && context.engine.isRowCount(columns)
        && !plan.placeholders().sql().toUpperCase(Locale.ROOT).contains("RETURNING")) {
      long count =
          rows.isEmpty() || rows.get(0)[0] == null ? 0 : ((Number) rows.get(0)[0]).longValue();
      return new StatementResult(tag(plan, count), List.of(), List.of(), notices);
    }
    return new StatementResult(tag(plan, rows.size()), columns, rows, notices);
  }

  /** PostgreSQL's command tag for the plan's statement, affecting or returning {@code count}. */
  static String tag(Plan plan, long count) {
    if (plan.commandTag() != null) {
      return plan.commandTag();
    }
    return switch (plan.kind()) {
      case QUERY -> "SELECT " + count;
      case INSERT -> "INSERT 0 " + count;
      case UPDATE -> "UPDATE " + count;
      case DELETE -> "DELETE " + count;
      default -> {
        String masked = SqlText.masked(plan.sql()).strip().toUpperCase(Locale.ROOT);
        String[] words = masked.split("\\s+");
        if (words.length >= 2
            && (words[0].equals("CREATE") || words[0].equals("ALTER") || words[0].equals("DROP"))) {
          yield words[0] + " " + words[1];
        }
        if (words[0].equals("SHOW")) {
          yield "SHOW";
        }
        if (words[0].equals("SELECT")
            || words[0].equals("WITH")
            || words[0].equals("EXPLAIN")
            || words[0].equals("VALUES")) {
          yield "SELECT " + count;
        }
        yield words[0];
      }
    };
  }

  /**
   * The parameter types and result columns the engine gives the plan's statement, found by
   * preparing it (nothing runs). {@code parameterCount} parameters are described; a type the engine
   * does not say stays 0 (unspecified).
   */
  StatementDescription describe(Plan plan, int parameterCount, String text) {
    List<Integer> parameterTypes = new ArrayList<>(Collections.nCopies(parameterCount, 0));
    List<ResultColumn> columns = new ArrayList<>();
    try (PreparedStatement ps = connection.prepareStatement(plan.placeholders().sql())) {
      try {
        ParameterMetaData pmd = ps.getParameterMetaData();
        List<Integer> indexes = plan.placeholders().parameterIndexes();
        for (int i = 0; i < indexes.size() && i < pmd.getParameterCount(); i++) {
          String typeName = pmd.getParameterTypeName(i + 1);
          if (typeName != null) {
            parameterTypes.set(
                indexes.get(i), ColumnType.fromEngineName(typeName, duckDbTypes).oid());
          }
        }
      } catch (SQLException | RuntimeException e) {
        // best effort: unknown parameter types stay 0
      }
      ResultSetMetaData md = ps.getMetaData();
      if (md != null) {
        for (int i = 1; i <= md.getColumnCount(); i++) {
          ColumnType type = ColumnType.fromEngineName(md.getColumnTypeName(i), duckDbTypes);
          String label = context.engine.resultLabel(md.getColumnLabel(i), plan.sql());
          columns.add(new ResultColumn(label, type.oid()));
        }
      }
      if (plan.kind() != Plan.Kind.QUERY && context.engine.isRowCount(columns)) {
        columns.clear();
      }
    } catch (SQLException e) {
      throw translate(e, text);
    }
    return new StatementDescription(parameterTypes, columns);
  }

  /** The statement ran past {@code DbOptions.statementTimeout}: cancel it, and say why. */
  private void timeOut() {
    if (running != null) {
      timedOut = true;
      cancel();
    }
  }

  /** Cancels the running statement, if any; from any thread. */
  void cancel() {
    Statement statement = running;
    if (statement != null) {
      canceled = true;
      try {
        statement.cancel();
      } catch (SQLException e) {
        // the statement finished meanwhile: nothing to cancel
      }
    }
  }

  /** An engine error as the user reads it: a timeout or cancel says so. */
  DbException translate(SQLException e, String sql) {
    if (timedOut) {
      timedOut = false;
      canceled = false;
      return Errors.statementTimeout(context.options.statementTimeout());
    }
    if (canceled) {
      canceled = false;
      return Errors.canceled();
    }
    return context.engine.translate(e, sql);
  }

  void close() {
    closePrepared();
  }
}
