package dev.threadbare.journal;

import dev.threadbare.core.journal.EntryKind;
import dev.threadbare.core.journal.Journal;
import dev.threadbare.core.journal.JournalEntry;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The journal over SQL, the same statements on SQLite and PostgreSQL; the {@link Engine} supplies
 * connections and serializes writes. Thread safe.
 */
final class SqlJournal implements Journal {

  /** Entries per query during replay: bounds memory whatever the journal's size. */
  static final int REPLAY_PAGE = 128;

  private static final String COLUMNS =
      "seq, team, channel, ts, kind, version, thread_ts, user_id, event_second, event_nano,"
          + " payload";
  // seq is computed by the statement itself so that a JDBC batch (one round trip on PostgreSQL)
  // numbers the rows it stores densely, skipping the ones the identity index makes no-ops; every
  // statement of the transaction sees the rows the earlier ones stored.
  private static final String INSERT =
      "INSERT INTO journal_entry ("
          + COLUMNS
          + ") SELECT (SELECT COALESCE(MAX(seq), 0) + 1 FROM journal_entry),"
          + " ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE TRUE"
          + " ON CONFLICT (team, channel, ts, kind, version) DO NOTHING";
  private static final String SELECT_AFTER =
      "SELECT " + COLUMNS + " FROM journal_entry WHERE seq > ? ORDER BY seq LIMIT ?";
  private static final String LAST_SEQ = "SELECT COALESCE(MAX(seq), 0) FROM journal_entry";
  private static final String SELECT_CURSOR = "SELECT seq FROM journal_cursor WHERE consumer = ?";
  private static final String UPSERT_CURSOR =
      "INSERT INTO journal_cursor (consumer, seq) VALUES (?, ?)"
          + " ON CONFLICT (consumer) DO UPDATE SET seq = excluded.seq, updated_at = "
          + "excluded.updated_at";

  private static final int MAX_MESSAGE = 500;

  private final Engine engine;
  private final AtomicBoolean closed = new AtomicBoolean();

  SqlJournal(Engine engine) {
    this.engine = engine;
  }

  @Override
  public List<JournalEntry> append(List<JournalEntry> entries) {
    List<JournalEntry> checked = EntryRules.check(entries);
    ensureOpen("append " + checked.size() + " entries");
    if (checked.isEmpty()) {
      return List.of();
    }
    try {
      return engine.write(
          connection -> {
            List<JournalEntry> stored = insert(connection, checked);
            if (!stored.isEmpty()) {
              engine.appended(connection, stored.get(stored.size() - 1).seq());
            }
            return stored;
          });
    } catch (SQLException e) {
      throw failure("append " + checked.size() + " entries", e);
    }
  }

  private static List<JournalEntry> insert(Connection connection, List<JournalEntry> entries)
      throws SQLException {
    // Writes are serialized by the engine, so the rows this call stores get the seqs right after
    // the last one, in order.
    long next = lastSeq(connection) + 1;
    int[] counts;
    try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
      for (JournalEntry entry : entries) {
        insert.setString(1, entry.team());
        insert.setString(2, entry.channel());
        insert.setString(3, entry.ts());
        insert.setString(4, entry.kind().name());
        insert.setString(5, entry.version());
        setNullableString(insert, 6, entry.threadTs());
        setNullableString(insert, 7, entry.user());
        insert.setLong(8, entry.eventTime().getEpochSecond());
        insert.setInt(9, entry.eventTime().getNano());
        insert.setString(10, entry.payload());
        insert.addBatch();
      }
      counts = insert.executeBatch();
    }
    List<JournalEntry> stored = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      // 0 rows: the identity is already stored, by an earlier call or earlier in this one.
      if (counts[i] == 1) {
        stored.add(entries.get(i).withSeq(next++));
      } else if (counts[i] != 0) {
        throw new SQLException(
            "the database reported " + counts[i] + " rows for entries[" + i + "]: expected 0 or 1");
      }
    }
    if (!stored.isEmpty() && lastSeq(connection) != next - 1) {
      throw new SQLException(
          "seq "
              + (next - 1)
              + " expected last after this append but the database holds "
              + lastSeq(connection)
              + ": another writer bypassed the write lock");
    }
    return List.copyOf(stored);
  }

  private static void setNullableString(PreparedStatement statement, int index, String value)
      throws SQLException {
    if (value == null) {
      statement.setNull(index, Types.VARCHAR);
    } else {
      statement.setString(index, value);
    }
  }

  @Override
  public void replay(long afterSeq, Consumer<JournalEntry> sink) {
    requireSeq(afterSeq, "afterSeq");
    Objects.requireNonNull(sink, "sink is null: pass a Consumer<JournalEntry> to receive entries");
    long position = afterSeq;
    while (true) {
      // The page is read and its connection released before the sink runs, so a sink may itself
      // use the journal (save a cursor, append) without starving the pool.
      List<JournalEntry> page = read(position, REPLAY_PAGE);
      for (JournalEntry entry : page) {
        sink.accept(entry);
      }
      if (page.size() < REPLAY_PAGE) {
        return;
      }
      position = page.get(page.size() - 1).seq();
    }
  }

  @Override
  public List<JournalEntry> read(long afterSeq, int limit) {
    requireSeq(afterSeq, "afterSeq");
    if (limit <= 0) {
      throw new IllegalArgumentException(
          "limit " + limit + " is not positive: ask for at least one entry");
    }
    ensureOpen("read entries after seq " + afterSeq);
    try {
      return engine.read(connection -> select(connection, afterSeq, limit));
    } catch (SQLException e) {
      throw failure("read entries after seq " + afterSeq, e);
    }
  }

  private List<JournalEntry> select(Connection connection, long afterSeq, int limit)
      throws SQLException {
    List<JournalEntry> entries = new ArrayList<>(Math.min(limit, REPLAY_PAGE));
    try (PreparedStatement select = connection.prepareStatement(SELECT_AFTER)) {
      select.setLong(1, afterSeq);
      select.setInt(2, limit);
      select.setFetchSize(Math.min(limit, REPLAY_PAGE));
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          entries.add(entry(rows));
        }
      }
    }
    return entries;
  }

  private JournalEntry entry(ResultSet rows) throws SQLException {
    long seq = rows.getLong(1);
    String kind = rows.getString(5);
    EntryKind entryKind;
    try {
      entryKind = EntryKind.valueOf(kind);
    } catch (IllegalArgumentException e) {
      throw new JournalStorageException(
          engine.description()
              + ": entry seq "
              + seq
              + " has the unknown kind `"
              + kind
              + "`: it was written by a newer threadbare; upgrade this node",
          e);
    }
    return new JournalEntry(
        seq,
        rows.getString(2),
        rows.getString(3),
        rows.getString(4),
        entryKind,
        rows.getString(6),
        rows.getString(7),
        rows.getString(8),
        Instant.ofEpochSecond(rows.getLong(9), rows.getInt(10)),
        rows.getString(11));
  }

  @Override
  public long lastSeq() {
    ensureOpen("read the last seq");
    try {
      return engine.read(SqlJournal::lastSeq);
    } catch (SQLException e) {
      throw failure("read the last seq", e);
    }
  }

  private static long lastSeq(Connection connection) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement(LAST_SEQ);
        ResultSet rows = select.executeQuery()) {
      rows.next();
      return rows.getLong(1);
    }
  }

  @Override
  public long cursor(String consumer) {
    requireConsumer(consumer);
    ensureOpen("read the cursor of `" + consumer + "`");
    try {
      return engine.read(
          connection -> {
            try (PreparedStatement select = connection.prepareStatement(SELECT_CURSOR)) {
              select.setString(1, consumer);
              try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? rows.getLong(1) : 0L;
              }
            }
          });
    } catch (SQLException e) {
      throw failure("read the cursor of `" + consumer + "`", e);
    }
  }

  @Override
  public void saveCursor(String consumer, long seq) {
    requireConsumer(consumer);
    requireSeq(seq, "seq");
    ensureOpen("save the cursor of `" + consumer + "` at seq " + seq);
    try {
      engine.write(
          connection -> {
            long last = lastSeq(connection);
            if (seq > last) {
              throw new IllegalArgumentException(
                  "cursor seq "
                      + seq
                      + " of `"
                      + consumer
                      + "` is beyond the last entry of "
                      + engine.description()
                      + " (seq "
                      + last
                      + "): a consumer can only have processed entries that exist");
            }
            try (PreparedStatement upsert = connection.prepareStatement(UPSERT_CURSOR)) {
              upsert.setString(1, consumer);
              upsert.setLong(2, seq);
              upsert.executeUpdate();
            }
            return null;
          });
    } catch (SQLException e) {
      throw failure("save the cursor of `" + consumer + "` at seq " + seq, e);
    }
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      engine.close();
    }
  }

  /** The engine underneath, for tests of engine settings. */
  Engine engine() {
    return engine;
  }

  @Override
  public String toString() {
    return engine.description();
  }

  private void ensureOpen(String action) {
    if (closed.get()) {
      throw closedException(action);
    }
  }

  private JournalClosedException closedException(String action) {
    return new JournalClosedException(
        engine.description()
            + " is closed: cannot "
            + action
            + "; open the journal again with Journals");
  }

  private JournalException failure(String action, SQLException e) {
    if (closed.get()) {
      JournalClosedException exception = closedException(action);
      exception.initCause(e);
      return exception;
    }
    return new JournalStorageException(
        engine.description() + ": cannot " + action + ": " + databaseMessage(e), e);
  }

  /**
   * The database's own words, without the statement text some drivers quote in batch errors (it may
   * hold megabytes of payload).
   */
  static String databaseMessage(SQLException e) {
    SQLException cause = e;
    if (e instanceof BatchUpdateException && e.getNextException() != null) {
      cause = e.getNextException();
    }
    String message = String.valueOf(cause.getMessage());
    return message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE) + "...";
  }

  private static void requireSeq(long seq, String parameter) {
    if (seq < 0) {
      throw new IllegalArgumentException(
          parameter + " " + seq + " is negative: seqs start at 1; use 0 for the beginning");
    }
  }

  private static void requireConsumer(String consumer) {
    Objects.requireNonNull(consumer, "consumer is null: name the consumer, such as materializer");
    if (consumer.isBlank()) {
      throw new IllegalArgumentException(
          "consumer `" + consumer + "` is blank: name the consumer, such as materializer");
    }
  }
}
