package dev.threadbare.db.internal;

import dev.threadbare.db.DbException;
import dev.threadbare.db.ResultColumn;
import dev.threadbare.db.SqlSession;
import dev.threadbare.db.StatementDescription;
import dev.threadbare.db.StatementResult;
import dev.threadbare.db.TransactionStatus;
import dev.threadbare.db.internal.Plan.ColumnRef;
import dev.threadbare.db.internal.Plan.ColumnWrite;
import dev.threadbare.db.internal.Plan.ValueSource;
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
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * A session on one logical database under one deployed version's identity: every statement goes
 * through the planner (house rules, implicit schema) before the engine sees it. Not thread safe
 * except {@link #cancel()}; holds one engine connection until closed.
 */
public final class LayerSession implements SqlSession {
  private final LogicalDatabase db;
  private final LayerContext context;
  private final String version;
  private final Connection connection;
  private final boolean preview;
  private TransactionStatus status = TransactionStatus.IDLE;
  private volatile Statement running;
  private volatile boolean canceled;
  private volatile boolean timedOut;
  private boolean closed;
  private boolean holdsTransactionShare;
  // the open transaction is an implicit block: a multi-statement script's, or the one the caller
  // opened with beginImplicit (the extended protocol's messages up to Sync); PostgreSQL's rules
  private boolean implicitBlock;
  // the implicit block was opened by beginImplicit: only endImplicit (or a failure, COMMIT,
  // ROLLBACK, BEGIN) ends it, not the end of a script run inside it
  private boolean callerBlock;
  // columns the layer or the application created inside the open transaction: recorded in the
  // catalog when it commits, forgotten when it rolls back
  private final List<PendingColumn> pendingColumns = new ArrayList<>();

  private record PendingColumn(String table, String column, String type, long at) {}

  // tables whose existing rows the open transaction updated or deleted (DuckDB cannot then commit
  // an ALTER of them in the same transaction)
  private final Set<String> changedTables = new java.util.HashSet<>();

  // savepoints of the open block (and on DuckDB the statements to run again for ROLLBACK TO)
  private final Savepoints savepoints = new Savepoints();
  private boolean replaying;
  private final Cursors cursors = new Cursors();

  private static final int PREPARED_LIMIT = 64;
  private final Map<String, PreparedStatement> prepared =
      new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, PreparedStatement> eldest) {
          if (size() > PREPARED_LIMIT) {
            try {
              eldest.getValue().close();
            } catch (SQLException e) {
              // dropped either way
            }
            return true;
          }
          return false;
        }
      };
  private long preparedSchemaVersion = -1;

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
        if (status == TransactionStatus.IDLE) {
          beginImplicit(piece.text());
        }
        results.add(executeOne(piece.text(), params));
      }
      if (implicitBlock && !callerBlock) {
        implicitBlock = false;
        try {
          endTransaction(true);
        } catch (SQLException e) {
          throw translate(e, "COMMIT of the script's implicit transaction");
        }
      }
      done = true;
      return results;
    } catch (DbException e) {
      throw e.withCompletedResults(results);
    } finally {
      if (!done && implicitBlock) {
        rollbackImplicit();
      }
    }
  }

  @Override
  public void beginImplicit() {
    checkOpen();
    if (status == TransactionStatus.IDLE) {
      beginImplicit("BEGIN of an implicit transaction");
      callerBlock = true;
    }
  }

  @Override
  public void endImplicit(boolean commit) {
    if (!callerBlock || closed) {
      return;
    }
    if (!commit) {
      rollbackImplicit();
      return;
    }
    implicitBlock = false;
    callerBlock = false;
    try {
      endTransaction(true);
    } catch (SQLException e) {
      throw translate(e, "COMMIT of the implicit transaction (at Sync)");
    }
  }

  @Override
  public void failTransaction() {
    if (status == TransactionStatus.IN_TRANSACTION && !implicitBlock) {
      status = TransactionStatus.FAILED;
    }
  }

  /** Rolls the open implicit block back after a failure; the failure is the error to report. */
  private void rollbackImplicit() {
    implicitBlock = false;
    callerBlock = false;
    try {
      endTransaction(false);
    } catch (SQLException | RuntimeException e) {
      // the connection is in trouble already; the statement's own error is the one to report
    }
  }

  private void beginImplicit(String sql) {
    try {
      if (context.engine.isDuckDb()) {
        db.gate.enterShared();
        holdsTransactionShare = true;
      }
      connection.setAutoCommit(false);
    } catch (SQLException e) {
      releaseTransactionShare();
      throw translate(e, sql);
    }
    status = TransactionStatus.IN_TRANSACTION;
    implicitBlock = true;
  }

  private void checkSavepointAllowed(String sql) {
    if (implicitBlock) {
      throw Errors.savepointOutsideBlock(sql);
    }
  }

  private void checkOpen() {
    if (closed) {
      throw Errors.sessionClosed();
    }
  }

  private StatementResult executeOne(String sql, List<Object> params) {
    String first = SqlText.firstWord(sql);
    try {
      switch (first) {
        case "BEGIN", "START" -> {
          return begin();
        }
        case "COMMIT", "END" -> {
          return commit();
        }
        case "ABORT" -> {
          return rollback();
        }
        case "ROLLBACK" -> {
          // masked only here: this runs for every statement, and few are ROLLBACKs
          if (!SqlText.masked(sql).toUpperCase(Locale.ROOT).contains(" TO ")) {
            return rollback();
          }
          checkSavepointAllowed(sql);
          StatementResult done = savepointCommand(sql);
          if (done != null) {
            return done;
          }
        }
        case "SAVEPOINT", "RELEASE" -> {
          checkSavepointAllowed(sql);
          StatementResult done = savepointCommand(sql);
          if (done != null) {
            return done;
          }
        }
        case "DECLARE", "FETCH", "MOVE", "CLOSE" -> {
          if (status == TransactionStatus.FAILED) {
            throw Errors.failedTransaction();
          }
          try {
            return cursors.execute(
                sql, status != TransactionStatus.IDLE, query -> executeOne(query, params));
          } catch (DbException e) {
            if (status == TransactionStatus.IN_TRANSACTION && !implicitBlock) {
              status = TransactionStatus.FAILED;
            }
            throw e;
          }
        }
        default -> {}
      }
    } catch (SQLException e) {
      throw context.engine.translate(e, sql);
    }
    if (status == TransactionStatus.FAILED) {
      throw Errors.failedTransaction();
    }
    try {
      Plan plan = db.plan(sql);
      StatementResult result = gated(plan, () -> run(plan, sql, params));
      if (context.engine.isDuckDb() && status != TransactionStatus.IDLE && !replaying) {
        savepoints.record(sql, params); // DuckDB's ROLLBACK TO runs the block again
      }
      return result;
    } catch (DbException e) {
      if (implicitBlock) {
        // PostgreSQL: a failure rolls back the whole implicit block, leaving the session idle
        rollbackImplicit();
      } else if (status == TransactionStatus.IN_TRANSACTION) {
        status = TransactionStatus.FAILED;
      }
      throw e;
    }
  }

  /**
   * Runs a statement inside the DuckDB gate: reads and writes share it, DDL (which may build or
   * drop indexes) holds it alone when it can; a transaction holds a share from BEGIN to its end.
   * Reads share it too because a read running while DuckDB built an index on the table was once
   * seen returning wrong values (ids 3, 257, 258 for rows 1, 2, 3 just committed): an index build
   * now waits for running reads and holds new ones back while it runs.
   */
  private StatementResult gated(Plan plan, java.util.function.Supplier<StatementResult> body) {
    if (!context.engine.isDuckDb() || status != TransactionStatus.IDLE) {
      return body.get();
    }
    switch (plan.kind()) {
      case INSERT, UPDATE, DELETE -> {
        db.gate.enterShared();
        try {
          return body.get();
        } finally {
          db.gate.leaveShared();
        }
      }
      case DDL, SET_NOT_NULL -> {
        boolean alone = db.gate.enterExclusive(10, java.util.concurrent.TimeUnit.SECONDS);
        try {
          return body.get();
        } finally {
          if (alone) {
            db.gate.leaveExclusive();
          }
        }
      }
      default -> {
        db.gate.enterShared();
        try {
          return body.get();
        } finally {
          db.gate.leaveShared();
        }
      }
    }
  }

  private StatementResult begin() throws SQLException {
    if (status == TransactionStatus.IDLE) {
      if (context.engine.isDuckDb()) {
        db.gate.enterShared();
        holdsTransactionShare = true;
      }
      connection.setAutoCommit(false);
      status = TransactionStatus.IN_TRANSACTION;
      return tagOnly("BEGIN", List.of());
    }
    if (implicitBlock) {
      // PostgreSQL: the implicit block's statements so far join the new, ordinary block
      implicitBlock = false;
      callerBlock = false;
      return tagOnly("BEGIN", List.of());
    }
    return tagOnly("BEGIN", List.of("there is already a transaction in progress"));
  }

  private StatementResult commit() throws SQLException {
    if (status == TransactionStatus.IDLE) {
      return tagOnly("COMMIT", List.of("there is no transaction in progress"));
    }
    if (status == TransactionStatus.FAILED) {
      endTransaction(false);
      return tagOnly("ROLLBACK", List.of());
    }
    if (implicitBlock) {
      // PostgreSQL commits the implicit block, warning that no BEGIN opened it
      implicitBlock = false;
      endTransaction(true);
      return tagOnly("COMMIT", List.of("there is no transaction in progress"));
    }
    endTransaction(true);
    return tagOnly("COMMIT", List.of());
  }

  private StatementResult rollback() throws SQLException {
    if (status == TransactionStatus.IDLE) {
      return tagOnly("ROLLBACK", List.of("there is no transaction in progress"));
    }
    if (implicitBlock) {
      implicitBlock = false;
      endTransaction(false);
      return tagOnly("ROLLBACK", List.of("there is no transaction in progress"));
    }
    endTransaction(false);
    return tagOnly("ROLLBACK", List.of());
  }

  /**
   * SAVEPOINT, RELEASE and ROLLBACK TO as PostgreSQL runs them, on both engines (see {@link
   * Savepoints}); null when {@code sql} is no savepoint command the layer reads (the engine then
   * answers it).
   */
  private StatementResult savepointCommand(String sql) throws SQLException {
    Savepoints.Command command = Savepoints.parse(sql);
    if (command == null) {
      return null;
    }
    if (status == TransactionStatus.IDLE) {
      throw new DbException(
          "25P01",
          command.kind()
              + " can only be used in transaction blocks, in: "
              + SqlText.excerpt(sql, 200),
          "send BEGIN first",
          null);
    }
    boolean duck = context.engine.isDuckDb();
    try {
      switch (command.kind()) {
        case "SAVEPOINT" -> {
          if (status == TransactionStatus.FAILED) {
            throw Errors.failedTransaction();
          }
          if (!duck) {
            try (Statement s = connection.createStatement()) {
              s.execute(sql);
            }
          }
          savepoints.savepoint(command.name(), pendingColumns.size());
          return tagOnly("SAVEPOINT", List.of());
        }
        case "RELEASE" -> {
          if (status == TransactionStatus.FAILED) {
            throw Errors.failedTransaction();
          }
          savepoints.release(command.name(), sql);
          if (!duck) {
            try (Statement s = connection.createStatement()) {
              s.execute(sql);
            }
          }
          return tagOnly("RELEASE", List.of());
        }
        default -> {
          Savepoints.Mark mark = savepoints.rollbackTo(command.name(), sql, duck);
          if (duck) {
            replayTo(sql);
          } else {
            try (Statement s = connection.createStatement()) {
              s.execute(sql);
            }
            pendingColumns.subList(mark.pendingColumns(), pendingColumns.size()).clear();
            db.invalidate(connection);
          }
          status = TransactionStatus.IN_TRANSACTION;
          return tagOnly("ROLLBACK", List.of());
        }
      }
    } catch (DbException | SQLException e) {
      if (!command.kind().equals("ROLLBACK TO")) {
        status = TransactionStatus.FAILED;
      }
      throw e;
    }
  }

  /**
   * DuckDB has no savepoints: rolls the whole transaction back and runs the statements before the
   * savepoint again (their results are not sent again). Nondeterministic statements (now(),
   * random()) get new values; a replay that fails leaves the transaction failed.
   */
  private void replayTo(String sql) throws SQLException {
    connection.rollback();
    pendingColumns.clear();
    changedTables.clear();
    db.invalidate(connection);
    replaying = true;
    try {
      for (Savepoints.Entry entry : savepoints.journal()) {
        Plan plan = db.plan(entry.sql());
        run(plan, entry.sql(), entry.params());
      }
    } catch (DbException e) {
      status = TransactionStatus.FAILED;
      throw new DbException(
          e.sqlState(),
          "could not return to the savepoint on the DuckDB engine (which has none: the layer runs"
              + " the transaction again up to it) because a statement failed when run again: "
              + e.getMessage()
              + ", in: "
              + SqlText.excerpt(sql, 200),
          "send ROLLBACK and run the transaction again",
          e);
    } finally {
      replaying = false;
    }
  }

  private void endTransaction(boolean commit) throws SQLException {
    implicitBlock = false;
    callerBlock = false;
    savepoints.clear();
    cursors.endTransaction();
    List<PendingColumn> created = List.copyOf(pendingColumns);
    pendingColumns.clear();
    changedTables.clear();
    try {
      if (commit) {
        try {
          connection.commit();
        } catch (SQLException e) {
          abandonTransaction(e);
          throw e;
        }
        for (PendingColumn c : created) {
          context.catalog.recordColumn(db.name(), c.table(), c.column(), c.type(), version, c.at());
        }
      } else {
        connection.rollback();
        db.invalidate(connection);
      }
    } finally {
      connection.setAutoCommit(true);
      status = TransactionStatus.IDLE;
      releaseTransactionShare();
    }
  }

  /**
   * Rolls back after a failed COMMIT. DuckDB's driver still believes a transaction runs after its
   * COMMIT failed (and would then not begin the next one): a transaction is opened for its ROLLBACK
   * to reset it.
   */
  private void abandonTransaction(SQLException failure) {
    try {
      connection.rollback();
    } catch (SQLException first) {
      try (Statement s = connection.createStatement()) {
        s.execute("BEGIN TRANSACTION");
        connection.rollback();
      } catch (SQLException second) {
        failure.addSuppressed(second);
      }
    }
    try {
      db.invalidate(connection);
    } catch (SQLException e) {
      failure.addSuppressed(e);
    }
  }

  private void releaseTransactionShare() {
    if (holdsTransactionShare) {
      holdsTransactionShare = false;
      db.gate.leaveShared();
    }
  }

  private static StatementResult tagOnly(String tag, List<String> notices) {
    return new StatementResult(tag, List.of(), List.of(), notices);
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
          if (context.engine.isDuckDb()) {
            // DuckDB's configuration is locked (DuckDbEngine.lockedDown): the session settings
            // drivers send (application_name, extra_float_digits…; IsolationRules allows only
            // those) are acknowledged and not run
            notices.add("setting ignored by the DuckDB engine: " + SqlText.excerpt(original, 80));
            return new StatementResult(SqlText.firstWord(original), List.of(), List.of(), notices);
          }
          return runStatement(plan, params, notices);
        }
        case SET_NOT_NULL -> {
          checkSetNotNull(plan.requestedColumns().get(0));
          return runDdl(plan, params, notices);
        }
        case DDL -> {
          return runDdl(plan, params, notices);
        }
        case OTHER -> {
          return runStatement(plan, params, notices);
        }
        default -> {}
      }
      List<Object> bound = params;
      boolean writes = plan.kind() == Plan.Kind.INSERT || plan.kind() == Plan.Kind.UPDATE;
      if (writes) {
        if (preview) {
          checkSize(original, params);
        }
        bound = ensureSchemaAndCoerce(plan, params, notices);
        if (bound == null) {
          // the schema changed under the plan: plan again against the new one
          return run(db.plan(original), original, params, notices);
        }
      }
      StatementResult result = runStatement(plan, bound, notices);
      if (status != TransactionStatus.IDLE && changesRows(plan)) {
        changedTables.add(plan.table());
      }
      long now = context.now();
      context.usage.record(db.name(), version, plan.uses(), now);
      for (ColumnRef requested : plan.requestedColumns()) {
        db.requested(requested.table(), requested.column(), version);
      }
      for (Plan.IndexWish wish : plan.indexWishes()) {
        db.wish(wish);
      }
      return result;
    } catch (SQLException e) {
      throw translate(e, original);
    }
  }

  private static boolean changesRows(Plan plan) {
    return switch (plan.kind()) {
      case UPDATE, DELETE -> true;
      case INSERT -> SqlText.masked(plan.sql()).toUpperCase(Locale.ROOT).contains("DO UPDATE");
      default -> false;
    };
  }

  /**
   * DuckDB refuses to commit a transaction that altered a table after updating or deleting its
   * rows: say so at the statement, rather than fail the whole transaction at COMMIT.
   */
  private void checkDuckDbAlter(String table, String what, String sql) {
    if (context.engine.isDuckDb()
        && status != TransactionStatus.IDLE
        && table != null
        && changedTables.contains(table)) {
      throw Errors.duckDbAlterAfterChange(table, what, sql, implicitBlock);
    }
  }

  /**
   * On PostgreSQL, an index build running on the table waits for this transaction to end while the
   * ALTER would wait for the build: a deadlock, in which the ALTER loses. The build is canceled
   * instead (and retried by the layer).
   */
  private void beforeAlterInTransaction(String table) {
    if (!context.engine.isDuckDb() && status != TransactionStatus.IDLE && table != null) {
      db.cancelBuildsOn(table);
    }
  }

  private DbException translate(SQLException e, String sql) {
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

  /**
   * Creates the table or columns the write needs, then checks every written value against its
   * column's type. Returns the parameters converted to the columns' types, or null when the schema
   * changed so that the plan must be made again.
   */
  private List<Object> ensureSchemaAndCoerce(Plan plan, List<Object> params, List<String> notices)
      throws SQLException {
    String table = plan.table();
    Map<String, ColumnType> existing = db.schema().get(table);
    Map<String, ColumnType> missing = new LinkedHashMap<>();
    for (ColumnWrite write : plan.writes()) {
      if (existing != null && existing.containsKey(write.column())) {
        continue;
      }
      ColumnType type = inferType(write.value(), params);
      ColumnType known = missing.get(write.column());
      if (known == null || known == ColumnType.OTHER) {
        missing.put(write.column(), type == null ? ColumnType.OTHER : type);
      }
    }
    for (ColumnWrite write : plan.writes()) {
      if (missing.get(write.column()) == ColumnType.OTHER
          && write.value() instanceof ValueSource.Expression e) {
        throw Errors.cannotInferType(table, write.column(), e.text());
      }
    }
    if (!missing.isEmpty()) {
      if (existing != null) {
        checkDuckDbAlter(table, "add column(s) " + missing.keySet() + " to " + table, plan.sql());
        beforeAlterInTransaction(table);
      }
      for (int attempt = 1; ; attempt++) {
        try {
          createMissing(plan, table, existing, missing, notices);
          break;
        } catch (SQLException e) {
          String state = String.valueOf(e.getSQLState());
          boolean transientLock =
              state.equals("40P01")
                  || state.equals("40001")
                  || state.equals("55P03")
                  || String.valueOf(e.getMessage()).contains("Conflict");
          if (!transientLock || attempt >= 5 || status != TransactionStatus.IDLE) {
            throw e;
          }
          sleepQuietly(50L * attempt);
        }
      }
      afterSchemaChange();
      // Columns read earlier as unknown are now real: plans that rewrote them must be redone.
      if (!plan.requestedColumns().isEmpty() || plan.createTable()) {
        return null;
      }
    }
    return coerceWrites(plan, params);
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void createMissing(
      Plan plan,
      String table,
      Map<String, ColumnType> existing,
      Map<String, ColumnType> missing,
      List<String> notices)
      throws SQLException {
    {
      boolean duck = context.engine.isDuckDb();
      try (Statement s = connection.createStatement()) {
        if (existing == null) {
          StringBuilder ddl =
              new StringBuilder("CREATE TABLE IF NOT EXISTS ")
                  .append(DuckDbEngine.quote(table))
                  .append(" (");
          String sep = "";
          for (var column : missing.entrySet()) {
            ColumnType type =
                column.getValue() == ColumnType.OTHER ? ColumnType.TEXT : column.getValue();
            ddl.append(sep)
                .append(DuckDbEngine.quote(column.getKey()))
                .append(' ')
                .append(type.ddlName(duck));
            sep = ", ";
          }
          List<String> conflictKey = OnConflict.columns(plan.sql());
          if (!conflictKey.isEmpty() && missing.keySet().containsAll(conflictKey)) {
            // INSERT … ON CONFLICT (key) needs a unique constraint on the key to infer
            ddl.append(", UNIQUE (");
            ddl.append(String.join(", ", conflictKey.stream().map(DuckDbEngine::quote).toList()));
            ddl.append(')');
          }
          s.execute(ddl.append(')').toString());
          notices.add("table " + table + " created with columns " + missing.keySet());
        } else {
          for (var column : missing.entrySet()) {
            ColumnType type =
                column.getValue() == ColumnType.OTHER ? ColumnType.TEXT : column.getValue();
            s.execute(
                "ALTER TABLE "
                    + DuckDbEngine.quote(table)
                    + " ADD COLUMN IF NOT EXISTS "
                    + DuckDbEngine.quote(column.getKey())
                    + " "
                    + type.ddlName(duck));
          }
          notices.add("column(s) " + missing.keySet() + " added to " + table);
        }
      }
    }
  }

  private List<Object> coerceWrites(Plan plan, List<Object> params) {
    String table = plan.table();
    Map<String, ColumnType> columns = db.schema().get(table);
    List<Object> bound = new ArrayList<>(params);
    for (ColumnWrite write : plan.writes()) {
      ColumnType type = columns == null ? null : columns.get(write.column());
      if (type == null) {
        continue;
      }
      switch (write.value()) {
        case ValueSource.Literal literal ->
            Values.checkLiteral(table, write.column(), type, literal.type(), literal.text());
        case ValueSource.Parameter p -> {
          if (p.index() >= 0 && p.index() < bound.size()) {
            bound.set(p.index(), Values.coerce(table, write.column(), type, bound.get(p.index())));
          }
        }
        default -> {}
      }
    }
    return bound;
  }

  private static ColumnType inferType(ValueSource source, List<Object> params) {
    return switch (source) {
      case ValueSource.Literal l -> l.type();
      case ValueSource.Parameter p ->
          p.index() >= 0 && p.index() < params.size()
              ? ColumnType.ofJavaValue(params.get(p.index()))
              : null;
      default -> null;
    };
  }

  /** Reloads the schema after DDL and records new columns as created by this version. */
  private void afterSchemaChange() throws SQLException {
    Map<String, Map<String, ColumnType>> added = db.reloadSchema(connection);
    long now = context.now();
    for (var table : added.entrySet()) {
      for (var column : table.getValue().entrySet()) {
        String type = column.getValue().displayName();
        if (status == TransactionStatus.IDLE) {
          context.catalog.recordColumn(
              db.name(), table.getKey(), column.getKey(), type, version, now);
        } else {
          pendingColumns.add(new PendingColumn(table.getKey(), column.getKey(), type, now));
        }
      }
    }
  }

  private void checkSize(String sql, List<Object> params) throws SQLException {
    long limit = context.caps.of(db.name(), context.options.previewLimitBytes());
    long size = context.engine.sizeBytes(db.name(), connection);
    long estimate = sql.length();
    for (Object p : params) {
      estimate += Values.sizeOf(p);
    }
    if (size + estimate > limit) {
      throw Errors.previewFull(db.name(), size, limit);
    }
  }

  private void checkSetNotNull(ColumnRef target) throws SQLException {
    String table = target.table();
    String column = target.column();
    Map<String, ColumnType> columns = db.schema().get(table);
    if (columns == null || !columns.containsKey(column)) {
      return; // the engine names the missing column
    }
    try (Statement s = connection.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT count(*) FROM "
                    + DuckDbEngine.quote(table)
                    + " WHERE "
                    + DuckDbEngine.quote(column)
                    + " IS NULL")) {
      rs.next();
      long nulls = rs.getLong(1);
      if (nulls > 0) {
        throw Errors.setNotNullHasNulls(table, column, nulls);
      }
    }
    context.usage.flush(context.catalog);
    long cutoff = context.now() - context.options.retention().toMillis();
    Set<String> inTheWay = new TreeSet<>();
    for (CatalogStore.UsageRow row : context.catalog.usage(db.name())) {
      if (row.table().equals(table)
          && row.column().equals(column)
          && row.kind().equals("omit")
          && row.lastAt() >= cutoff) {
        inTheWay.add(row.version());
      }
    }
    if (!inTheWay.isEmpty()) {
      throw Errors.setNotNullVersionsInTheWay(table, column, inTheWay);
    }
  }

  private static final java.util.regex.Pattern ADDED_REFERENCES =
      java.util.regex.Pattern.compile(
          "(?is)\\s+REFERENCES\\s+[\\w\".]+\\s*(?:\\([^)]*\\))?"
              + "(?:\\s+ON\\s+(?:DELETE|UPDATE)\\s+(?:CASCADE|RESTRICT|SET\\s+NULL"
              + "|SET\\s+DEFAULT|NO\\s+ACTION))*");

  private static final java.util.regex.Pattern ADDED_FOREIGN_KEY =
      java.util.regex.Pattern.compile(
          "(?is)(?:,\\s*|(?<=\\s))ADD\\s+(?:CONSTRAINT\\s+(?:\"[^\"]*\"|[\\w$]+)\\s+)?FOREIGN\\s+KEY"
              + "\\s*\\([^)]*\\)\\s*REFERENCES\\s+[\\w\".]+\\s*(?:\\([^)]*\\))?"
              + "(?:\\s+ON\\s+(?:DELETE|UPDATE)\\s+(?:CASCADE|RESTRICT|SET\\s+NULL"
              + "|SET\\s+DEFAULT|NO\\s+ACTION))*");
  private static final java.util.regex.Pattern NO_ACTIONS_LEFT =
      java.util.regex.Pattern.compile(
          "(?is)\\s*ALTER\\s+TABLE\\s+(?:IF\\s+EXISTS\\s+)?(?:ONLY\\s+)?[\\w\".]+[\\s,;]*");

  private StatementResult runDdl(Plan original, List<Object> params, List<String> notices)
      throws SQLException {
    Plan plan = original;
    if (context.engine.isDuckDb()
        && !plan.foreignKeys().isEmpty()
        && SqlText.firstWord(plan.sql()).equals("ALTER")) {
      // DuckDB cannot add a constraint to an existing table: add the column and its indexes, and
      // say the reference is not enforced
      String sql = ADDED_FOREIGN_KEY.matcher(plan.sql()).replaceAll("");
      sql = ADDED_REFERENCES.matcher(sql).replaceAll("");
      if (NO_ACTIONS_LEFT.matcher(sql).matches()) {
        // only ADD [CONSTRAINT …] FOREIGN KEY (knex's .references()): nothing for DuckDB to run
        notices.add(
            "DuckDB cannot add a foreign key to an existing table: the indexes were made, the"
                + " reference is not enforced");
        ensureForeignKeyIndexes(plan);
        return new StatementResult("ALTER TABLE", List.of(), List.of(), notices);
      }
      plan =
          new Plan(
              plan.kind(),
              sql,
              SqlText.placeholders(sql),
              plan.table(),
              plan.createTable(),
              plan.writes(),
              plan.uses(),
              plan.indexWishes(),
              plan.foreignKeys(),
              plan.requestedColumns(),
              plan.notices(),
              plan.commandTag());
      notices.add(
          "DuckDB cannot add a foreign key to an existing table: the column and its indexes were"
              + " made, the reference is not enforced");
    }
    if (SqlText.firstWord(plan.sql()).equals("ALTER")) {
      checkDuckDbAlter(plan.table(), "alter " + plan.table(), plan.sql());
      beforeAlterInTransaction(plan.table());
    }
    if (context.engine.isDuckDb()) {
      DuckDbDialect.createSequences(connection, plan.sql()); // for serial and identity columns
    }
    Plan ddl = plan;
    StatementResult[] holder = new StatementResult[1];
    if (plan.table() != null) {
      db.alterAroundIndexes(
          connection, plan.table(), () -> holder[0] = runStatement(ddl, params, notices));
    } else {
      holder[0] = runStatement(ddl, params, notices);
    }
    StatementResult result = holder[0];
    Map<String, ColumnType> before = plan.table() == null ? null : db.schema().get(plan.table());
    afterSchemaChange();
    if (before != null) {
      // ALTER COLUMN … TYPE: the catalog (what describe shows) follows the engine
      String table = plan.table();
      Map<String, ColumnType> after = db.schema().getOrDefault(table, Map.of());
      before.forEach(
          (column, type) -> {
            ColumnType now = after.get(column);
            if (now != null && now != type) {
              context.catalog.updateColumnType(db.name(), table, column, now.displayName());
            }
          });
    }
    ensureForeignKeyIndexes(plan);
    return result;
  }

  private void ensureForeignKeyIndexes(Plan plan) throws SQLException {
    for (Plan.ForeignKey fk : plan.foreignKeys()) {
      db.ensureIndexNow(
          connection, fk.table(), fk.column(), "foreign key " + fk.table() + "." + fk.column());
      if (fk.referencedColumn() != null) {
        db.ensureIndexNow(
            connection,
            fk.referencedTable(),
            fk.referencedColumn(),
            "referenced by foreign key " + fk.table() + "." + fk.column());
      }
    }
  }

  private StatementResult runStatement(Plan plan, List<Object> params, List<String> notices)
      throws SQLException {
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
  private PreparedStatement cachedStatement(String sql) throws SQLException {
    long version = db.schemaVersion();
    if (version != preparedSchemaVersion) {
      closePrepared();
      preparedSchemaVersion = version;
      return null;
    }
    return prepared.get(sql);
  }

  private void closePrepared() {
    for (PreparedStatement ps : prepared.values()) {
      try {
        ps.close();
      } catch (SQLException e) {
        // the statement is dropped either way
      }
    }
    prepared.clear();
  }

  private StatementResult execute(
      PreparedStatement ps, Plan plan, List<Object> params, List<String> notices)
      throws SQLException {
    SqlText.Placeholders placeholders = plan.placeholders();
    List<Integer> indexes = placeholders.parameterIndexes();
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
    java.util.concurrent.ScheduledFuture<?> deadline =
        StatementDeadlines.arm(context.options.statementTimeout(), this::timeOut);
    try {
      hasRows = ps.execute();
    } finally {
      deadline.cancel(false);
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

  private void bind(PreparedStatement ps, int position, Object value) throws SQLException {
    switch (value) {
      case null -> ps.setObject(position, null);
      case byte[] bytes -> ps.setBytes(position, bytes);
      case dev.threadbare.db.UntypedParameter untyped -> ps.setObject(position, untyped.text());
      default -> ps.setObject(position, value);
    }
  }

  private StatementResult readResult(Plan plan, ResultSet rs, List<String> notices)
      throws SQLException {
    ResultSetMetaData md = rs.getMetaData();
    int n = md.getColumnCount();
    boolean duck = context.engine.isDuckDb();
    List<ResultColumn> columns = new ArrayList<>(n);
    ColumnType[] types = new ColumnType[n];
    for (int i = 1; i <= n; i++) {
      types[i - 1] = ColumnType.fromEngineName(md.getColumnTypeName(i), duck);
      String label = md.getColumnLabel(i);
      if (duck) {
        label = DuckDbDialect.columnLabel(label, plan.sql());
      }
      columns.add(new ResultColumn(label, types[i - 1].oid()));
    }
    List<Object[]> rows = new ArrayList<>();
    while (rs.next()) {
      Object[] row = new Object[n];
      for (int i = 0; i < n; i++) {
        row[i] = Values.read(rs, i + 1, types[i], duck);
      }
      rows.add(row);
    }
    if (duck
        && plan.kind() != Plan.Kind.QUERY
        && n == 1
        && columns.get(0).name().equals("Count")
        && plan.commandTag() == null
        && !plan.placeholders().sql().toUpperCase(Locale.ROOT).contains("RETURNING")) {
      long count =
          rows.isEmpty() || rows.get(0)[0] == null ? 0 : ((Number) rows.get(0)[0]).longValue();
      return new StatementResult(tag(plan, count), List.of(), List.of(), notices);
    }
    return new StatementResult(tag(plan, rows.size()), columns, rows, notices);
  }

  private static String tag(Plan plan, long count) {
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
        if (words[0].equals("SELECT")
            || words[0].equals("WITH")
            || words[0].equals("SHOW")
            || words[0].equals("EXPLAIN")
            || words[0].equals("VALUES")) {
          yield words[0].equals("SHOW") ? "SHOW" : "SELECT " + count;
        }
        yield words[0];
      }
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
    if (Set.of("BEGIN", "START", "COMMIT", "END", "ROLLBACK", "ABORT", "SAVEPOINT", "RELEASE")
            .contains(first)
        || Cursors.isCursorStatement(first)) {
      return new StatementDescription(List.of(), List.of());
    }
    Plan plan = db.plan(text);
    int parameterCount = 0;
    for (int index : plan.placeholders().parameterIndexes()) {
      parameterCount = Math.max(parameterCount, index + 1);
    }
    List<Integer> parameterTypes = new ArrayList<>(Collections.nCopies(parameterCount, 0));
    List<ResultColumn> columns = new ArrayList<>();
    boolean engineKnows =
        plan.kind() != Plan.Kind.NOOP
            && !plan.createTable()
            // reads of unknown columns are rewritten to NULLs the engine can describe; writes to
            // missing columns cannot be described until the write creates them
            && (plan.kind() == Plan.Kind.QUERY || plan.requestedColumns().isEmpty())
            && plan.writes().stream()
                .allMatch(
                    w ->
                        db.schema().containsKey(w.table())
                            && db.schema().get(w.table()).containsKey(w.column()));
    if (engineKnows && plan.kind() != Plan.Kind.DDL && plan.kind() != Plan.Kind.SET_NOT_NULL) {
      try (PreparedStatement ps = connection.prepareStatement(plan.placeholders().sql())) {
        boolean duck = context.engine.isDuckDb();
        try {
          ParameterMetaData pmd = ps.getParameterMetaData();
          List<Integer> indexes = plan.placeholders().parameterIndexes();
          for (int i = 0; i < indexes.size() && i < pmd.getParameterCount(); i++) {
            String typeName = pmd.getParameterTypeName(i + 1);
            if (typeName != null) {
              parameterTypes.set(indexes.get(i), ColumnType.fromEngineName(typeName, duck).oid());
            }
          }
        } catch (SQLException | RuntimeException e) {
          // best effort: unknown parameter types stay 0
        }
        ResultSetMetaData md = ps.getMetaData();
        if (md != null) {
          for (int i = 1; i <= md.getColumnCount(); i++) {
            ColumnType type = ColumnType.fromEngineName(md.getColumnTypeName(i), duck);
            String label = md.getColumnLabel(i);
            if (duck) {
              label = DuckDbDialect.columnLabel(label, plan.sql());
            }
            columns.add(new ResultColumn(label, type.oid()));
          }
        }
        if (duck
            && columns.size() == 1
            && columns.get(0).name().equals("Count")
            && plan.kind() != Plan.Kind.QUERY) {
          columns.clear();
        }
      } catch (SQLException e) {
        throw translate(e, text);
      }
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

  @Override
  public void cancel() {
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

  @Override
  public TransactionStatus transactionStatus() {
    return status;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    closePrepared();
    try {
      if (!connection.getAutoCommit()) {
        connection.rollback();
        connection.setAutoCommit(true);
      }
    } catch (SQLException e) {
      // the connection is going away anyway
    } finally {
      releaseTransactionShare();
    }
    try {
      connection.close();
    } catch (SQLException e) {
      // nothing left to do
    }
  }
}
