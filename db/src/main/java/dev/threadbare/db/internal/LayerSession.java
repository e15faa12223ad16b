package dev.threadbare.db.internal;

import dev.threadbare.db.DbException;
import dev.threadbare.db.SqlSession;
import dev.threadbare.db.StatementDescription;
import dev.threadbare.db.StatementResult;
import dev.threadbare.db.TransactionStatus;
import dev.threadbare.db.internal.Plan.ColumnRef;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * A session on one logical database under one deployed version's identity: every statement goes
 * through the planner (house rules, implicit schema) before the engine sees it. This class
 * dispatches; the parts are {@link TransactionBlock} (PostgreSQL's transaction-block state
 * machine), {@link ImplicitSchema} (tables and columns made by writes), {@link DdlStatements} (DDL
 * and SET NOT NULL) and {@link StatementRunner} (prepared statements, binding, reading, command
 * tags); what the engines do differently is asked of the {@link Engine}. Not thread safe except
 * {@link #cancel()}; holds one engine connection until closed.
 */
public final class LayerSession implements SqlSession {
  private static final Set<String> TRANSACTION_WORDS =
      Set.of("BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT", "SAVEPOINT", "RELEASE");

  private final LogicalDatabase db;
  private final LayerContext context;
  private final String version;
  private final Connection connection;
  private final boolean preview;
  private final TransactionBlock block;
  private final StatementRunner statements;
  private final ImplicitSchema schema;
  private final DdlStatements ddl;
  private boolean closed;

  public LayerSession(LogicalDatabase db, String version, boolean preview) {
    this.db = db;
    this.context = db.context;
    this.version = version;
    this.preview = preview;
    try {
      this.connection = context.engine.connect(db.name());
      this.connection.setAutoCommit(true);
    } catch (SQLException e) {
      throw context.engine.translate(e, "connect to " + db.name());
    }
    this.block = new TransactionBlock(db, connection, version);
    this.statements = new StatementRunner(db, connection);
    this.schema = new ImplicitSchema(db, connection, block);
    this.ddl = new DdlStatements(db, connection, block, schema, statements);
  }

  /** The deployed version this session speaks for. */
  public String version() {
    return version;
  }

  @Override
  public List<StatementResult> execute(String sql, List<Object> params) {
    Objects.requireNonNull(sql, "sql");
    List<Object> parameters = params == null ? List.of() : params;
    checkOpen();
    int max = context.options.maxStatementChars();
    if (sql.length() > max) {
      throw Errors.statementTooLong(sql.length(), max);
    }
    List<SqlText.Piece> pieces = SqlText.split(sql);
    if (pieces.size() == 1) {
      return List.of(executeOne(pieces.get(0).text(), parameters));
    }
    return executeScript(pieces, parameters);
  }

  /**
   * Runs a script as PostgreSQL runs a multi-statement Query message: outside a transaction block
   * its statements form one implicit transaction, committed at the end or rolled back at the first
   * failure; a BEGIN in it turns that block into an ordinary one (the statements before it
   * included), a COMMIT or ROLLBACK ends it and the statements after it start another. The first
   * failure stops the script and carries the results of the statements before it.
   */
  private List<StatementResult> executeScript(List<SqlText.Piece> pieces, List<Object> params) {
    List<StatementResult> results = new ArrayList<>();
    boolean done = false;
    try {
      for (SqlText.Piece piece : pieces) {
        if (block.idle()) {
          beginImplicit(piece.text(), false);
        }
        results.add(executeOne(piece.text(), params));
      }
      try {
        block.endScript();
      } catch (SQLException e) {
        throw statements.translate(e, "COMMIT of the script's implicit transaction");
      }
      done = true;
      return results;
    } catch (DbException e) {
      throw e.withCompletedResults(results);
    } finally {
      if (!done && block.implicit()) {
        block.rollbackImplicit();
      }
    }
  }

  @Override
  public void beginImplicit() {
    checkOpen();
    if (block.idle()) {
      beginImplicit("BEGIN of an implicit transaction", true);
    }
  }

  private void beginImplicit(String sql, boolean byCaller) {
    try {
      block.beginImplicit(byCaller);
    } catch (SQLException e) {
      throw statements.translate(e, sql);
    }
  }

  @Override
  public void endImplicit(boolean commit) {
    if (!block.callerBlock() || closed) {
      return;
    }
    try {
      block.endCallerBlock(commit);
    } catch (SQLException e) {
      throw statements.translate(e, "COMMIT of the implicit transaction (at Sync)");
    }
  }

  @Override
  public void failTransaction() {
    block.fail();
  }

  private void checkOpen() {
    if (closed) {
      throw Errors.sessionClosed();
    }
  }

  private StatementResult executeOne(String sql, List<Object> params) {
    StatementResult answered = transactionCommand(sql, params);
    if (answered != null) {
      return answered;
    }
    if (block.failed()) {
      throw Errors.failedTransaction();
    }
    try {
      Plan plan = db.plan(sql);
      StatementResult result =
          block.idle()
              ? context.engine.gated(db.gate, plan.kind(), () -> run(plan, sql, params))
              : run(plan, sql, params);
      block.ran(sql, params);
      return result;
    } catch (DbException e) {
      block.statementFailed();
      throw e;
    }
  }

  /**
   * Answers the statements the layer runs itself: transaction control, savepoints and cursors; null
   * for every other statement.
   */
  private StatementResult transactionCommand(String sql, List<Object> params) {
    String first = SqlText.firstWord(sql);
    try {
      switch (first) {
        case "BEGIN", "START" -> {
          return block.begin();
        }
        case "COMMIT", "END" -> {
          return block.commit();
        }
        case "ABORT" -> {
          return block.rollback();
        }
        case "ROLLBACK" -> {
          // masked only here: this runs for every statement, and few are ROLLBACKs
          if (!SqlText.masked(sql).toUpperCase(Locale.ROOT).contains(" TO ")) {
            return block.rollback();
          }
          return savepointCommand(sql);
        }
        case "SAVEPOINT", "RELEASE" -> {
          return savepointCommand(sql);
        }
        case "DECLARE", "FETCH", "MOVE", "CLOSE" -> {
          if (block.failed()) {
            throw Errors.failedTransaction();
          }
          try {
            return block.cursors.execute(sql, !block.idle(), query -> executeOne(query, params));
          } catch (DbException e) {
            block.fail();
            throw e;
          }
        }
        default -> {
          return null;
        }
      }
    } catch (SQLException e) {
      throw context.engine.translate(e, sql);
    }
  }

  private StatementResult savepointCommand(String sql) throws SQLException {
    block.checkSavepointAllowed(sql);
    return block.savepointCommand(
        sql, (again, params) -> run(db.plan(again), again, params, new ArrayList<>()));
  }

  private StatementResult run(Plan plan, String original, List<Object> params) {
    return run(plan, original, params, new ArrayList<>());
  }

  private StatementResult run(
      Plan plan, String original, List<Object> params, List<String> notices) {
    notices.addAll(plan.notices());
    try {
      switch (plan.kind()) {
        case NOOP -> {
          return new StatementResult(plan.commandTag(), List.of(), List.of(), notices);
        }
        case SET -> {
          if (!context.engine.runsSettings()) {
            notices.add("setting ignored by the DuckDB engine: " + SqlText.excerpt(original, 80));
            return new StatementResult(SqlText.firstWord(original), List.of(), List.of(), notices);
          }
          return statements.run(plan, params, notices);
        }
        case SET_NOT_NULL -> {
          return ddl.setNotNull(plan, params, notices);
        }
        case DDL -> {
          return ddl.run(plan, params, notices);
        }
        case OTHER -> {
          return statements.run(plan, params, notices);
        }
        default -> {}
      }
      List<Object> bound = params;
      if (plan.kind() == Plan.Kind.INSERT || plan.kind() == Plan.Kind.UPDATE) {
        if (preview) {
          schema.checkSize(original, params);
        }
        bound = schema.ensureAndCoerce(plan, params, notices);
        if (bound == null) {
          // the schema changed under the plan: plan again against the new one
          return run(db.plan(original), original, params, notices);
        }
      }
      StatementResult result = statements.run(plan, bound, notices);
      if (!block.idle() && changesRows(plan)) {
        block.changedRowsOf(plan.table());
      }
      recordUsage(plan);
      return result;
    } catch (SQLException e) {
      throw statements.translate(e, original);
    }
  }

  /** What the statement used, and the indexes it wishes for: in memory, written in batches. */
  private void recordUsage(Plan plan) {
    if (!plan.uses().isEmpty()) {
      context.usage.record(db.name(), version, plan.uses(), context.now());
    }
    for (ColumnRef requested : plan.requestedColumns()) {
      db.requested(requested.table(), requested.column(), version);
    }
    for (Plan.IndexWish wish : plan.indexWishes()) {
      db.wish(wish);
    }
  }

  private static boolean changesRows(Plan plan) {
    return switch (plan.kind()) {
      case UPDATE, DELETE -> true;
      case INSERT -> SqlText.masked(plan.sql()).toUpperCase(Locale.ROOT).contains("DO UPDATE");
      default -> false;
    };
  }

  @Override
  public StatementDescription describe(String sql) {
    Objects.requireNonNull(sql, "sql");
    checkOpen();
    if (sql.length() > context.options.maxStatementChars()) {
      throw Errors.statementTooLong(sql.length(), context.options.maxStatementChars());
    }
    List<SqlText.Piece> pieces = SqlText.split(sql);
    if (pieces.isEmpty()) {
      return new StatementDescription(List.of(), List.of());
    }
    String text = pieces.get(0).text();
    String first = SqlText.firstWord(text);
    if (TRANSACTION_WORDS.contains(first) || Cursors.isCursorStatement(first)) {
      return new StatementDescription(List.of(), List.of());
    }
    Plan plan = db.plan(text);
    int parameterCount = 0;
    for (int index : plan.placeholders().parameterIndexes()) {
      parameterCount = Math.max(parameterCount, index + 1);
    }
    var known = db.schema();
    boolean engineKnows =
        plan.kind() != Plan.Kind.NOOP
            && plan.kind() != Plan.Kind.DDL
            && plan.kind() != Plan.Kind.SET_NOT_NULL
            && !plan.createTable()
            // reads of unknown columns are rewritten to NULLs the engine can describe; writes to
            // missing columns cannot be described until the write creates them
            && (plan.kind() == Plan.Kind.QUERY || plan.requestedColumns().isEmpty())
            && plan.writes().stream()
                .allMatch(
                    w ->
                        known.containsKey(w.table())
                            && known.get(w.table()).containsKey(w.column()));
    if (!engineKnows) {
      return new StatementDescription(
          new ArrayList<>(java.util.Collections.nCopies(parameterCount, 0)), List.of());
    }
    return statements.describe(plan, parameterCount, text);
  }

  @Override
  public void cancel() {
    statements.cancel();
  }

  @Override
  public TransactionStatus transactionStatus() {
    return block.status();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    statements.close();
    block.close();
    try {
      connection.close();
    } catch (SQLException e) {
      // nothing left to do
    }
  }
}
