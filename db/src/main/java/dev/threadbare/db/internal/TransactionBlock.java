package dev.threadbare.db.internal;

import dev.threadbare.db.DbException;
import dev.threadbare.db.StatementResult;
import dev.threadbare.db.TransactionStatus;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One session's PostgreSQL transaction-block state machine: idle, in a block, or in a failed block;
 * explicit blocks (BEGIN … COMMIT) and implicit ones (a multi-statement script's, or the extended
 * protocol's messages up to Sync), savepoints, and what the block created, to record in the catalog
 * when it commits. See <a
 * href="https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-MULTI-STATEMENT">
 * multiple statements in a simple Query</a>. Used by one session's thread.
 */
final class TransactionBlock {
  /** Runs one statement of the block again (DuckDB's ROLLBACK TO). */
  @FunctionalInterface
  interface Replay {
    void run(String sql, List<Object> params);
  }

  private record PendingColumn(String table, String column, String type, long at) {}

  private final LogicalDatabase db;
  private final LayerContext context;
  private final Connection connection;
  private final String version;

  private TransactionStatus status = TransactionStatus.IDLE;
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
  // tables whose existing rows the open transaction updated or deleted (DuckDB cannot then commit
  // an ALTER of them in the same transaction)
  private final Set<String> changedTables = new HashSet<>();
  // savepoints of the open block (and on DuckDB the statements to run again for ROLLBACK TO)
  private final Savepoints savepoints = new Savepoints();
  private boolean replaying;
  final Cursors cursors = new Cursors();

  TransactionBlock(LogicalDatabase db, Connection connection, String version) {
    this.db = db;
    this.context = db.context;
    this.connection = connection;
    this.version = version;
  }

  TransactionStatus status() {
    return status;
  }

  boolean idle() {
    return status == TransactionStatus.IDLE;
  }

  boolean failed() {
    return status == TransactionStatus.FAILED;
  }

  /** Whether the open block is implicit (a script's, or the caller's up to Sync). */
  boolean implicit() {
    return implicitBlock;
  }

  /** Whether the open block is the caller's implicit one (from beginImplicit). */
  boolean callerBlock() {
    return callerBlock;
  }

  /** Opens an implicit block; {@code byCaller}: only {@link #endCallerBlock} ends it. */
  void beginImplicit(boolean byCaller) throws SQLException {
    enterTransaction();
    implicitBlock = true;
    callerBlock = byCaller;
  }

  private void enterTransaction() throws SQLException {
    try {
      if (context.engine.usesWriteGate()) {
        db.gate.enterShared();
        holdsTransactionShare = true;
      }
      connection.setAutoCommit(false);
    } catch (SQLException e) {
      releaseTransactionShare();
      throw e;
    }
    status = TransactionStatus.IN_TRANSACTION;
  }

  /** Commits the script's implicit block at its end, unless the caller's block holds it open. */
  void endScript() throws SQLException {
    if (implicitBlock && !callerBlock) {
      end(true);
    }
  }

  /** Ends the caller's implicit block (at Sync). */
  void endCallerBlock(boolean commit) throws SQLException {
    if (commit) {
      end(true);
    } else {
      rollbackImplicit();
    }
  }

  /** The statement failed: an implicit block rolls back, an explicit one fails. */
  void statementFailed() {
    if (implicitBlock) {
      // PostgreSQL: a failure rolls back the whole implicit block, leaving the session idle
      rollbackImplicit();
    } else if (status == TransactionStatus.IN_TRANSACTION) {
      status = TransactionStatus.FAILED;
    }
  }

  /** An explicit block fails (the caller saw a failure the session did not). */
  void fail() {
    if (status == TransactionStatus.IN_TRANSACTION && !implicitBlock) {
      status = TransactionStatus.FAILED;
    }
  }

  /** Rolls the open implicit block back after a failure; the failure is the error to report. */
  void rollbackImplicit() {
    try {
      end(false);
    } catch (SQLException | RuntimeException e) {
      // the connection is in trouble already; the statement's own error is the one to report
    }
  }

  /** A statement of the block ran: on an engine without savepoints, remember it for ROLLBACK TO. */
  void ran(String sql, List<Object> params) {
    if (!context.engine.hasSavepoints() && status != TransactionStatus.IDLE && !replaying) {
      savepoints.record(sql, params); // DuckDB's ROLLBACK TO runs the block again
    }
  }

  /** A write of the block changed existing rows of {@code table}. */
  void changedRowsOf(String table) {
    if (status != TransactionStatus.IDLE) {
      changedTables.add(table);
    }
  }

  /** Before the statement ALTERs {@code table}: what the engine needs inside a block. */
  void beforeAlter(String table, String what, String sql) {
    if (status != TransactionStatus.IDLE && table != null) {
      context.engine.beforeAlterInTransaction(
          db, table, changedTables.contains(table), what, sql, implicitBlock);
    }
  }

  /** Records a column the statement created: now, or when the block commits. */
  void columnCreated(String table, String column, String type, long at) {
    if (status == TransactionStatus.IDLE) {
      context.catalog.recordColumn(db.name(), table, column, type, version, at);
    } else {
      pendingColumns.add(new PendingColumn(table, column, type, at));
    }
  }

  StatementResult begin() throws SQLException {
    if (status == TransactionStatus.IDLE) {
      enterTransaction();
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

  StatementResult commit() throws SQLException {
    if (status == TransactionStatus.IDLE) {
      return tagOnly("COMMIT", List.of("there is no transaction in progress"));
    }
    if (status == TransactionStatus.FAILED) {
      end(false);
      return tagOnly("ROLLBACK", List.of());
    }
    if (implicitBlock) {
      // PostgreSQL commits the implicit block, warning that no BEGIN opened it
      end(true);
      return tagOnly("COMMIT", List.of("there is no transaction in progress"));
    }
    end(true);
    return tagOnly("COMMIT", List.of());
  }

  StatementResult rollback() throws SQLException {
    if (status == TransactionStatus.IDLE) {
      return tagOnly("ROLLBACK", List.of("there is no transaction in progress"));
    }
    if (implicitBlock) {
      end(false);
      return tagOnly("ROLLBACK", List.of("there is no transaction in progress"));
    }
    end(false);
    return tagOnly("ROLLBACK", List.of());
  }

  /** Savepoint commands are refused in an implicit block, as PostgreSQL refuses them. */
  void checkSavepointAllowed(String sql) {
    if (implicitBlock) {
      throw Errors.savepointOutsideBlock(sql);
    }
  }

  /**
   * SAVEPOINT, RELEASE and ROLLBACK TO as PostgreSQL runs them, on both engines (see {@link
   * Savepoints}); null when {@code sql} is no savepoint command the layer reads (the engine then
   * answers it).
   */
  StatementResult savepointCommand(String sql, Replay replay) throws SQLException {
    Savepoints.Command command = Savepoints.parse(sql);
    if (command == null) {
      return null;
    }
    if (status == TransactionStatus.IDLE) {
      throw Errors.savepointOutsideTransaction(command.kind(), sql);
    }
    boolean native_ = context.engine.hasSavepoints();
    try {
      switch (command.kind()) {
        case "SAVEPOINT" -> {
          if (status == TransactionStatus.FAILED) {
            throw Errors.failedTransaction();
          }
          if (native_) {
            run(sql);
          }
          savepoints.savepoint(command.name(), pendingColumns.size());
          return tagOnly("SAVEPOINT", List.of());
        }
        case "RELEASE" -> {
          if (status == TransactionStatus.FAILED) {
            throw Errors.failedTransaction();
          }
          savepoints.release(command.name(), sql);
          if (native_) {
            run(sql);
          }
          return tagOnly("RELEASE", List.of());
        }
        default -> {
          Savepoints.Mark mark = savepoints.rollbackTo(command.name(), sql, !native_);
          if (native_) {
            run(sql);
            pendingColumns.subList(mark.pendingColumns(), pendingColumns.size()).clear();
            db.invalidate(connection);
          } else {
            replayTo(sql, replay);
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

  private void run(String sql) throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.execute(sql);
    }
  }

  /**
   * DuckDB has no savepoints: rolls the whole transaction back and runs the statements before the
   * savepoint again (their results are not sent again). Nondeterministic statements (now(),
   * random()) get new values; a replay that fails leaves the transaction failed.
   */
  private void replayTo(String sql, Replay replay) throws SQLException {
    connection.rollback();
    pendingColumns.clear();
    changedTables.clear();
    db.invalidate(connection);
    replaying = true;
    try {
      for (Savepoints.Entry entry : savepoints.journal()) {
        replay.run(entry.sql(), entry.params());
      }
    } catch (DbException e) {
      status = TransactionStatus.FAILED;
      throw Errors.savepointReplayFailed(e, sql);
    } finally {
      replaying = false;
    }
  }

  /** Ends the open transaction: commits (recording the columns it created) or rolls back. */
  void end(boolean commit) throws SQLException {
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

  /** The session closes: rolls back whatever is open. */
  void close() {
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
  }

  private void releaseTransactionShare() {
    if (holdsTransactionShare) {
      holdsTransactionShare = false;
      db.gate.leaveShared();
    }
  }

  static StatementResult tagOnly(String tag, List<String> notices) {
    return new StatementResult(tag, List.of(), List.of(), notices);
  }
}
