package dev.threadbare.journal;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * How a journal reaches its database: where connections come from and how writes are serialized so
 * that {@code seq} order is commit order. Implementations are thread safe.
 */
abstract sealed class Engine implements AutoCloseable permits SqliteEngine, PostgresEngine {

  /** Work done with a connection. */
  @FunctionalInterface
  interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
  }

  /** "SQLite journal /path/to/journal.db" or "PostgreSQL journal jdbc:postgresql://...". */
  abstract String description();

  /**
   * Runs {@code work} in one transaction that no other write of this database (from this or any
   * other process) runs concurrently with, and commits it durably.
   */
  abstract <T> T write(SqlWork<T> work) throws SQLException;

  /** Runs {@code work} with a connection in auto-commit mode; reads may run concurrently. */
  abstract <T> T read(SqlWork<T> work) throws SQLException;

  /**
   * Called inside an append's transaction after it stored entries up to {@code lastSeq}: lets the
   * engine tell other processes (PostgreSQL's {@code NOTIFY}). Nothing by default.
   */
  void appended(Connection connection, long lastSeq) throws SQLException {}

  @Override
  public abstract void close();

  static void rollbackQuietly(Connection connection, Throwable failure) {
    try {
      connection.rollback();
    } catch (SQLException rollbackFailure) {
      failure.addSuppressed(rollbackFailure);
    }
  }
}
