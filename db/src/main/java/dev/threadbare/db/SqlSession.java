package dev.threadbare.db;

import java.util.List;

/**
 * One client's conversation with one logical database, under one identity. Not thread safe: one
 * protocol session drives it, except {@link #cancel()}, which any thread may call.
 */
public interface SqlSession extends AutoCloseable {

  /**
   * Runs every statement of {@code sql} (a script in the simple protocol; one statement in the
   * extended protocol) with the given parameters ({@code $1}, {@code $2}… as Java values: String,
   * Long, Integer, Double, BigDecimal, Boolean, LocalDate, LocalDateTime, OffsetDateTime, byte[] or
   * null), under the house rules.
   *
   * @return one result per statement, in order
   * @throws DbException naming the statement and the rule or engine error, with a SQLSTATE
   */
  List<StatementResult> execute(String sql, List<Object> params);

  /**
   * Opens an implicit transaction block, as PostgreSQL does for the extended protocol's messages up
   * to a Sync: the statements {@link #execute} runs from now on form one transaction until {@link
   * #endImplicit}, and the first of them to fail rolls all of them back at once (the session is
   * then idle again). A {@code BEGIN} among them turns the block into an ordinary one (the
   * statements before it included) that {@code endImplicit} leaves open; a {@code COMMIT} or {@code
   * ROLLBACK} ends it, and the statements after it run on their own until the next call. Does
   * nothing unless the session is {@linkplain TransactionStatus#IDLE idle}.
   *
   * <p>The caller opens a block only when it will run several statements before the end of the
   * block: a lone statement is its own transaction anyway and costs less without one. The default
   * does nothing, which leaves each statement in autocommit (right only for sessions that cannot
   * roll back, such as a benchmark's pass-through).
   *
   * @throws DbException when the engine cannot start the transaction
   */
  default void beginImplicit() {}

  /**
   * Ends the block {@link #beginImplicit} opened, if it is still open (a failure, {@code COMMIT},
   * {@code ROLLBACK} or {@code BEGIN} may have ended or converted it already): commits it, or rolls
   * it back when {@code commit} is false. Does nothing otherwise, so it is cheap to call at every
   * Sync.
   *
   * @throws DbException when the commit fails (the block is then rolled back and the session idle);
   *     a failed rollback is not reported, the session is idle either way
   */
  default void endImplicit(boolean commit) {}

  /**
   * Marks an explicit transaction block failed after an error that ran no statement (a protocol
   * message the caller refused, such as a Bind of an unknown statement), as PostgreSQL does after
   * any error in a block: later statements are refused until ROLLBACK. Does nothing outside an
   * explicit block. The default does nothing.
   */
  default void failTransaction() {}

  /**
   * Describes one statement without running it: its parameter types and, for a query, its result
   * columns (empty for statements that return no rows). Best effort: unknown types are 0.
   */
  StatementDescription describe(String sql);

  /** Asks the statement running now, if any, to stop; it fails with SQLSTATE {@code 57014}. */
  void cancel();

  /** Idle, in a transaction block, or in a failed transaction block. */
  TransactionStatus transactionStatus();

  @Override
  void close();
}
