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
