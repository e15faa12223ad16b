package dev.threadbare.pgwire;

import dev.threadbare.db.DbException;
import dev.threadbare.db.ResultColumn;
import dev.threadbare.db.ScramCredential;
import dev.threadbare.db.SqlService;
import dev.threadbare.db.SqlSession;
import dev.threadbare.db.StatementDescription;
import dev.threadbare.db.StatementResult;
import dev.threadbare.db.TransactionStatus;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.duckdb.DuckDBConnection;

/**
 * A test-only {@link SqlService} that hands SQL straight to one in-memory DuckDB database (a real
 * engine), with just enough rules to exercise the wire: DROP is refused with a hint, CREATE INDEX
 * answers with a notice, a database named {@code missing} does not exist. Thread safe.
 */
final class DuckDbTestService implements SqlService, AutoCloseable {
  static final String REFUSED_STATE = "42501";

  private final DuckDBConnection root;
  private final Map<String, ScramCredential> users = new HashMap<>();
  private final java.util.concurrent.atomic.AtomicInteger implicitBlocks =
      new java.util.concurrent.atomic.AtomicInteger();

  /** How many implicit blocks ({@link SqlSession#beginImplicit}) its sessions have opened. */
  int implicitBlocksOpened() {
    return implicitBlocks.get();
  }

  DuckDbTestService(Map<String, String> passwords) {
    try {
      root = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:");
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    passwords.forEach(
        (user, password) ->
            users.put(
                user,
                Scram.derive(
                    user, password, ("salt-of-" + user).getBytes(StandardCharsets.UTF_8), 4096)));
  }

  @Override
  public Optional<ScramCredential> scramCredential(String user) {
    return Optional.ofNullable(users.get(user));
  }

  @Override
  public SqlSession open(String user, String database) {
    if (database.equals("missing")) {
      throw new DbException("3D000", "database \"missing\" does not exist");
    }
    try {
      return new Session(root.duplicate(), implicitBlocks);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() throws SQLException {
    root.close();
  }

  private static final class Session implements SqlSession {
    private final Connection connection;
    private volatile PreparedStatement running;
    private volatile TransactionStatus status = TransactionStatus.IDLE;
    private final java.util.concurrent.atomic.AtomicInteger implicitBlocks;
    private boolean implicit;

    Session(Connection connection, java.util.concurrent.atomic.AtomicInteger implicitBlocks) {
      this.connection = connection;
      this.implicitBlocks = implicitBlocks;
    }

    @Override
    public void beginImplicit() {
      if (status == TransactionStatus.IDLE) {
        control("BEGIN TRANSACTION");
        status = TransactionStatus.IN_TRANSACTION;
        implicit = true;
        implicitBlocks.incrementAndGet();
      }
    }

    @Override
    public void endImplicit(boolean commit) {
      if (implicit) {
        implicit = false;
        status = TransactionStatus.IDLE;
        control(commit ? "COMMIT" : "ROLLBACK");
      }
    }

    private void control(String sql) {
      try (java.sql.Statement statement = connection.createStatement()) {
        statement.execute(sql);
      } catch (SQLException e) {
        throw new DbException("42000", sql + " failed: " + e.getMessage());
      }
    }

    @Override
    public List<StatementResult> execute(String sql, List<Object> params) {
      List<StatementResult> results = new ArrayList<>();
      for (String statement : params.isEmpty() ? split(sql) : List.of(sql)) {
        results.add(executeOne(statement, params));
      }
      return results;
    }

    private StatementResult executeOne(String sql, List<Object> params) {
      String keyword = firstWord(sql);
      boolean ending = keyword.equals("ROLLBACK") || keyword.equals("COMMIT");
      if (status == TransactionStatus.FAILED && !ending) {
        throw new DbException(
            "25P02",
            "current transaction is aborted, commands ignored until end of transaction block");
      }
      if (keyword.equals("DROP")) {
        fail();
        throw new DbException(
            REFUSED_STATE, "DROP is refused: names are permanent", "write both, read either", null);
      }
      if (implicit && (keyword.equals("BEGIN") || keyword.equals("START"))) {
        implicit = false; // the implicit block becomes an ordinary one
        return new StatementResult("BEGIN", List.of(), List.of(), List.of());
      }
      if (implicit && (ending || keyword.equals("END"))) {
        implicit = false;
      }
      if (keyword.equals("SET")) {
        // pgjdbc sends SET application_name after connecting; DuckDB has no such setting
        return new StatementResult("SET", List.of(), List.of(), List.of());
      }
      if (sql.strip().toUpperCase(Locale.ROOT).startsWith("CREATE INDEX")) {
        return new StatementResult(
            "CREATE INDEX",
            List.of(),
            List.of(),
            List.of("CREATE INDEX is accepted as a no-op: indexes are automatic"));
      }
      if (status == TransactionStatus.FAILED) {
        status = TransactionStatus.IDLE;
        try {
          connection.createStatement().execute("ROLLBACK");
        } catch (SQLException e) {
          // DuckDB may have rolled back on its own
        }
        return new StatementResult("ROLLBACK", List.of(), List.of(), List.of());
      }
      try (PreparedStatement statement = connection.prepareStatement(sql)) {
        for (int i = 0; i < params.size(); i++) {
          Object value = params.get(i);
          if (value instanceof OffsetDateTime t) {
            value = t.toLocalDateTime(); // UTC, as the wire decoded it
          } else if (value instanceof dev.threadbare.db.UntypedParameter untyped) {
            value = untyped.text();
          }
          statement.setObject(i + 1, value);
        }
        running = statement;
        StatementResult result;
        if (statement.execute()) {
          try (ResultSet rs = statement.getResultSet()) {
            List<ResultColumn> columns = columns(rs.getMetaData());
            List<Object[]> rows = new ArrayList<>();
            while (rs.next()) {
              Object[] row = new Object[columns.size()];
              for (int c = 0; c < row.length; c++) {
                row[c] = value(rs, c + 1, columns.get(c).typeOid());
              }
              rows.add(row);
            }
            result = new StatementResult("SELECT " + rows.size(), columns, rows, List.of());
          }
        } else {
          long count = Math.max(statement.getLargeUpdateCount(), 0);
          String tag =
              switch (keyword) {
                case "INSERT" -> "INSERT 0 " + count;
                case "UPDATE", "DELETE" -> keyword + " " + count;
                case "CREATE" -> "CREATE TABLE";
                case "BEGIN", "START" -> "BEGIN";
                case "END" -> "COMMIT";
                default -> keyword;
              };
          result = new StatementResult(tag, List.of(), List.of(), List.of());
        }
        switch (keyword) {
          case "BEGIN", "START" -> status = TransactionStatus.IN_TRANSACTION;
          case "COMMIT", "ROLLBACK", "END" -> status = TransactionStatus.IDLE;
          default -> {}
        }
        return result;
      } catch (SQLException e) {
        fail();
        String message = String.valueOf(e.getMessage());
        if (message.contains("INTERRUPT")) {
          throw new DbException("57014", "canceling statement due to user request");
        }
        throw new DbException("42000", message);
      } finally {
        running = null;
      }
    }

    private void fail() {
      if (implicit) {
        endImplicit(false);
      } else if (status == TransactionStatus.IN_TRANSACTION) {
        status = TransactionStatus.FAILED;
      }
    }

    private static Object value(ResultSet rs, int index, int oid) throws SQLException {
      return switch (oid) {
        case PgTypes.DATE -> rs.getObject(index, LocalDate.class);
        case PgTypes.TIMESTAMP -> rs.getObject(index, LocalDateTime.class);
        case PgTypes.TIMESTAMPTZ -> rs.getObject(index, OffsetDateTime.class);
        case PgTypes.BYTEA -> rs.getBytes(index);
        default -> rs.getObject(index);
      };
    }

    private static List<ResultColumn> columns(ResultSetMetaData metaData) throws SQLException {
      List<ResultColumn> columns = new ArrayList<>();
      for (int c = 1; c <= metaData.getColumnCount(); c++) {
        columns.add(
            new ResultColumn(metaData.getColumnName(c), oid(metaData.getColumnTypeName(c))));
      }
      return columns;
    }

    private static int oid(String duckType) {
      String type = duckType.toUpperCase(Locale.ROOT);
      if (type.startsWith("DECIMAL") || type.equals("HUGEINT")) {
        return PgTypes.NUMERIC;
      }
      return switch (type) {
        case "BOOLEAN" -> PgTypes.BOOL;
        case "TINYINT", "SMALLINT" -> PgTypes.INT2;
        case "INTEGER" -> PgTypes.INT4;
        case "BIGINT" -> PgTypes.INT8;
        case "FLOAT" -> PgTypes.FLOAT4;
        case "DOUBLE" -> PgTypes.FLOAT8;
        case "BLOB" -> PgTypes.BYTEA;
        case "DATE" -> PgTypes.DATE;
        case "TIME" -> PgTypes.TIME;
        case "TIMESTAMP" -> PgTypes.TIMESTAMP;
        case "TIMESTAMP WITH TIME ZONE" -> PgTypes.TIMESTAMPTZ;
        case "UUID" -> PgTypes.UUID_OID;
        default -> PgTypes.TEXT;
      };
    }

    @Override
    public StatementDescription describe(String sql) {
      String keyword = firstWord(sql);
      boolean rows =
          List.of("SELECT", "WITH", "VALUES", "SHOW", "FROM").contains(keyword)
              || sql.toUpperCase(Locale.ROOT).contains(" RETURNING ");
      if (!rows) {
        return new StatementDescription(List.of(), List.of());
      }
      try (PreparedStatement statement = connection.prepareStatement(sql)) {
        int parameters = statement.getParameterMetaData().getParameterCount();
        return new StatementDescription(
            Collections.nCopies(parameters, 0), columns(statement.getMetaData()));
      } catch (SQLException e) {
        throw new DbException("42000", String.valueOf(e.getMessage()));
      }
    }

    @Override
    public void cancel() {
      PreparedStatement statement = running;
      if (statement != null) {
        try {
          statement.cancel();
        } catch (SQLException e) {
          // the statement has finished meanwhile
        }
      }
    }

    @Override
    public TransactionStatus transactionStatus() {
      return status;
    }

    @Override
    public void close() {
      try {
        connection.close();
      } catch (SQLException e) {
        // closing an in-memory duplicate does not fail in practice
      }
    }

    private static String firstWord(String sql) {
      String trimmed = sql.strip();
      int end = 0;
      while (end < trimmed.length() && Character.isLetter(trimmed.charAt(end))) {
        end++;
      }
      return trimmed.substring(0, end).toUpperCase(Locale.ROOT);
    }

    /** Splits a script on semicolons outside single-quoted strings. */
    private static List<String> split(String sql) {
      List<String> statements = new ArrayList<>();
      StringBuilder current = new StringBuilder();
      boolean quoted = false;
      for (int i = 0; i < sql.length(); i++) {
        char ch = sql.charAt(i);
        if (ch == '\'') {
          quoted = !quoted;
        }
        if (ch == ';' && !quoted) {
          if (!current.toString().isBlank()) {
            statements.add(current.toString());
          }
          current.setLength(0);
        } else {
          current.append(ch);
        }
      }
      if (!current.toString().isBlank()) {
        statements.add(current.toString());
      }
      return statements;
    }
  }
}
