package dev.threadbare.journal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.locks.ReentrantLock;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * A journal in one SQLite file: WAL mode so readers never wait for the writer, {@code
 * synchronous=FULL} so a commit is on disk when it returns, one writer connection used under a lock
 * (SQLite has a single writer anyway; queuing in Java avoids busy retries), and a small pool of
 * reader connections.
 */
final class SqliteEngine extends Engine {

  /** How long a statement waits for a lock another process holds on the file. */
  static final int BUSY_TIMEOUT_MILLIS = 10_000;

  private static final int READERS = 4;

  private final Path file;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final Connection writer;
  private final HikariDataSource readers;

  private SqliteEngine(Path file, Connection writer, HikariDataSource readers) {
    this.file = file;
    this.writer = writer;
    this.readers = readers;
  }

  /** Opens (creating if missing) the journal file, migrating its schema first. */
  static SqliteEngine open(Path file) {
    Path absolute = file.toAbsolutePath().normalize();
    String description = "SQLite journal " + absolute;
    if (Files.isDirectory(absolute)) {
      throw new JournalStorageException(
          description
              + ": cannot open: the path is a directory; name a file inside it, such as "
              + absolute.resolve("journal.db"),
          null);
    }
    try {
      Path parent = absolute.getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
    } catch (IOException e) {
      throw new JournalStorageException(
          description + ": cannot create its folder: " + e.getMessage(), e);
    }
    SQLiteDataSource plain = dataSource(absolute);
    Migrations.migrate(plain, "sqlite", description);
    Connection writer = null;
    try {
      writer = plain.getConnection();
      HikariConfig config = new HikariConfig();
      config.setDataSource(plain);
      config.setPoolName("journal-sqlite-readers");
      config.setMaximumPoolSize(READERS);
      config.setMinimumIdle(1);
      return new SqliteEngine(absolute, writer, new HikariDataSource(config));
    } catch (SQLException | RuntimeException e) {
      if (writer != null) {
        try {
          writer.close();
        } catch (SQLException closeFailure) {
          e.addSuppressed(closeFailure);
        }
      }
      throw new JournalStorageException(description + ": cannot open: " + e.getMessage(), e);
    }
  }

  private static SQLiteDataSource dataSource(Path file) {
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
    SQLiteDataSource dataSource = new SQLiteDataSource(config);
    dataSource.setUrl("jdbc:sqlite:" + file);
    return dataSource;
  }

  @Override
  String description() {
    return "SQLite journal " + file;
  }

  @Override
  <T> T write(SqlWork<T> work) throws SQLException {
    writeLock.lock();
    try (Statement control = writer.createStatement()) {
      // IMMEDIATE takes SQLite's write lock at once, so another process cannot slip in between
      // our read of max(seq) and our inserts.
      control.execute("BEGIN IMMEDIATE");
      try {
        T result = work.run(writer);
        control.execute("COMMIT");
        return result;
      } catch (SQLException | RuntimeException | Error e) {
        try {
          control.execute("ROLLBACK");
        } catch (SQLException rollbackFailure) {
          e.addSuppressed(rollbackFailure);
        }
        throw e;
      }
    } finally {
      writeLock.unlock();
    }
  }

  @Override
  <T> T read(SqlWork<T> work) throws SQLException {
    try (Connection connection = readers.getConnection()) {
      return work.run(connection);
    }
  }

  @Override
  public void close() {
    writeLock.lock();
    try {
      readers.close();
      writer.close();
    } catch (SQLException e) {
      throw new JournalStorageException(description() + ": cannot close: " + e.getMessage(), e);
    } finally {
      writeLock.unlock();
    }
  }
}
