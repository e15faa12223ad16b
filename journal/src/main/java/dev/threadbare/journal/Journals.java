package dev.threadbare.journal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.threadbare.core.journal.Journal;
import dev.threadbare.core.journal.JournalEntry;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * Opens journals: the entry point of this module.
 *
 * <pre>{@code
 * try (Journal journal = Journals.sqlite(Path.of("threadbare-data/journal.db"))) {
 *   List<JournalEntry> stored = journal.append(List.of(entry));  // durable once it returns
 *   journal.replay(journal.cursor("materializer"), e -> ...);
 * }
 * }</pre>
 *
 * <p>Each factory creates or migrates the schema (Flyway) before it returns. The journals it makes
 * are thread safe, and should be closed once; several journals (in one or several processes) may
 * share one PostgreSQL database, as several threadbare nodes do.
 */
public final class Journals {

  private static final int POSTGRES_POOL_SIZE = 8;

  private Journals() {}

  /**
   * The journal in the SQLite file {@code file}, created (with its folder) if missing. Appends are
   * serialized in this process; the file is in WAL mode with {@code synchronous=FULL}.
   *
   * @throws JournalStorageException if the file cannot be opened or migrated
   */
  public static Journal sqlite(Path file) {
    Objects.requireNonNull(file, "file is null: name the journal's SQLite file");
    return new SqlJournal(SqliteEngine.open(file));
  }

  /**
   * The journal in the PostgreSQL database at {@code jdbcUrl} (such as {@code
   * jdbc:postgresql://db:5432/threadbare}), through a pool of connections closed with the journal.
   *
   * @throws JournalStorageException if the database cannot be reached or migrated
   */
  public static Journal postgres(String jdbcUrl, String user, String password) {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl is null: pass jdbc:postgresql://host:port/database");
    Objects.requireNonNull(user, "user is null: name the PostgreSQL user");
    Objects.requireNonNull(password, "password is null: pass an empty string for none");
    if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException(
          "jdbcUrl `"
              + jdbcUrl
              + "` is not a PostgreSQL JDBC URL: expected jdbc:postgresql://host:port/database");
    }
    String description = "PostgreSQL journal " + withoutPassword(jdbcUrl) + " (user " + user + ")";
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    config.setUsername(user);
    config.setPassword(password);
    config.setPoolName("journal-postgresql");
    config.setMaximumPoolSize(POSTGRES_POOL_SIZE);
    config.setMinimumIdle(1);
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(config);
    } catch (RuntimeException e) {
      throw new JournalStorageException(
          description
              + ": cannot connect: "
              + rootMessage(e)
              + "; check the URL, user and password",
          e);
    }
    try {
      Migrations.migrate(pool, "postgresql", description);
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
    return new SqlJournal(new PostgresEngine(pool, pool, description));
  }

  /**
   * The journal in the PostgreSQL database {@code dataSource} reaches. The caller owns the data
   * source (ideally a pool): closing the journal does not close it.
   *
   * @throws JournalStorageException if the database cannot be reached or migrated
   */
  public static Journal postgres(DataSource dataSource) {
    Objects.requireNonNull(dataSource, "dataSource is null: pass a DataSource of the database");
    String description;
    try (Connection connection = dataSource.getConnection()) {
      String product = connection.getMetaData().getDatabaseProductName();
      if (!"PostgreSQL".equals(product)) {
        throw new IllegalArgumentException(
            "dataSource reaches " + product + ", not PostgreSQL: use Journals.sqlite for SQLite");
      }
      description = "PostgreSQL journal " + withoutPassword(connection.getMetaData().getURL());
    } catch (SQLException e) {
      throw new JournalStorageException(
          "PostgreSQL journal " + dataSource + ": cannot connect: " + e.getMessage(), e);
    }
    Migrations.migrate(dataSource, "postgresql", description);
    return new SqlJournal(new PostgresEngine(dataSource, null, description));
  }

  /**
   * {@code journal} as node {@code node} of several sharing its database sees it: the cursors of
   * {@code perNode} consumers (such as the materializer, whose git store is the node's own) are the
   * node's own, every other cursor and every entry are shared.
   */
  public static Journal withNodeCursors(Journal journal, String node, Set<String> perNode) {
    Objects.requireNonNull(journal, "journal");
    Objects.requireNonNull(perNode, "perNode");
    if (node == null || !node.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new IllegalArgumentException(
          "node name `" + node + "` is not 1 to 64 letters, digits, dots, dashes or underscores");
    }
    return new NodeCursors(journal, node, perNode);
  }

  /**
   * Starts following {@code journal} (one of this class's, possibly {@linkplain #withNodeCursors
   * scoped to a node}): {@code sink} gets every entry after {@code afterSeq}, in pages, whichever
   * process appended it. On PostgreSQL it wakes on each append's notification and reads at least
   * every {@code poll}; on SQLite it reads every {@code poll}.
   */
  public static JournalFollower follow(
      Journal journal, long afterSeq, Duration poll, Consumer<List<JournalEntry>> sink) {
    Objects.requireNonNull(journal, "journal");
    Journal inner = journal instanceof NodeCursors scoped ? scoped.shared() : journal;
    DataSource listen =
        inner instanceof SqlJournal sql && sql.engine() instanceof PostgresEngine postgres
            ? postgres.dataSource()
            : null;
    return new JournalFollower(journal, listen, afterSeq, poll, sink).start();
  }

  /** The URL with any {@code password=} parameter masked, fit for error messages and logs. */
  static String withoutPassword(String jdbcUrl) {
    return jdbcUrl.replaceAll("(?i)([?&;]password=)[^&;]*", "$1***");
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage();
  }
}
