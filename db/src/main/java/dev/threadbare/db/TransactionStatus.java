package dev.threadbare.db;

/** A session's transaction state, as PostgreSQL's ReadyForQuery reports it. */
public enum TransactionStatus {
  /** Not in a transaction block ('I'). */
  IDLE,
  /** In a transaction block ('T'). */
  IN_TRANSACTION,
  /** In a failed transaction block: statements are refused until ROLLBACK ('E'). */
  FAILED
}
