package dev.threadbare.journal;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * A journal in a PostgreSQL database, shared by any number of threadbare nodes. Every write takes
 * the same transaction-scoped advisory lock, so writes are serialized across nodes and {@code seq}
 * (assigned as {@code max(seq) + 1} under the lock) grows in commit order: a reader that has seen
 * {@code seq = n} will never later see a committed entry with a smaller seq.
 */
final class PostgresEngine extends Engine {

  /** The advisory lock key every journal writer takes (the bytes of "tbjournl"). */
  static final long WRITE_LOCK_KEY = 0x74626A6F75726E6CL;

  private final DataSource dataSource;
  private final HikariDataSource ownedPool;
  private final String description;

  /**
   * @param ownedPool the pool to close with the journal, or null when the caller owns the source
   */
  PostgresEngine(DataSource dataSource, HikariDataSource ownedPool, String description) {
    this.dataSource = dataSource;
    this.ownedPool = ownedPool;
    this.description = description;
  }

  @Override
  String description() {
    return description;
  }

  @Override
  <T> T write(SqlWork<T> work) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      boolean autoCommit = connection.getAutoCommit();
      connection.setAutoCommit(false);
      try {
        // One round trip: the append is the point where a Slack event is acknowledged, so make the
        // commit wait for the WAL flush whatever the server's default, and take the write lock.
        try (PreparedStatement lock =
            connection.prepareStatement(
                "SELECT set_config('synchronous_commit', 'on', true), pg_advisory_xact_lock(?)")) {
          lock.setLong(1, WRITE_LOCK_KEY);
          lock.execute();
        }
        T result = work.run(connection);
        connection.commit();
        return result;
      } catch (SQLException | RuntimeException | Error e) {
        rollbackQuietly(connection, e);
        throw e;
      } finally {
        connection.setAutoCommit(autoCommit);
      }
    }
  }

  /** Tells every {@code LISTEN}ing node; delivered only when the append commits. */
  @Override
  void appended(Connection connection, long lastSeq) throws SQLException {
    try (PreparedStatement notify = connection.prepareStatement("SELECT pg_notify(?, ?)")) {
      notify.setString(1, JournalFollower.CHANNEL);
      notify.setString(2, Long.toString(lastSeq));
      notify.execute();
    }
  }

  /** The data source, for a follower's own {@code LISTEN} connection. */
  DataSource dataSource() {
    return dataSource;
  }

  @Override
  <T> T read(SqlWork<T> work) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      return work.run(connection);
    }
  }

  @Override
  public void close() {
    if (ownedPool != null) {
      ownedPool.close();
    }
  }
}
