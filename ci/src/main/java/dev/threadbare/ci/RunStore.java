package dev.threadbare.ci;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The durable record of CI runs: SQLite (one file in the data directory) or PostgreSQL (table
 * {@code ci_runs}, shared by several nodes). A run is unique by channel, branch and commit, so
 * enqueueing the same commit twice (a replayed outcome, a restart) is a no-op. Thread safe.
 */
public final class RunStore implements AutoCloseable {

  private static final String COLUMNS =
      "id, channel, channel_name, ref, commit_id, message_ts, test, timeout_ms, status, detail,"
          + " queued_at, started_at, finished_at, reported";

  private final ConnectionSource source;
  private final String description;

  private interface ConnectionSource extends AutoCloseable {
    <T> T with(SqlWork<T> work);

    @Override
    void close();
  }

  @FunctionalInterface
  private interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
  }

  private RunStore(ConnectionSource source, String description) {
    this.source = source;
    this.description = description;
  }

  /** The store in the SQLite file {@code file} (created with its folder if missing). */
  public static RunStore sqlite(Path file) {
    Objects.requireNonNull(file, "file is null: name the CI store's SQLite file");
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
      try (Statement s = connection.createStatement()) {
        s.execute("PRAGMA journal_mode=WAL");
        s.execute("PRAGMA synchronous=FULL");
        s.execute("PRAGMA busy_timeout=10000");
        s.execute(
            "CREATE TABLE IF NOT EXISTS ci_runs (id INTEGER PRIMARY KEY AUTOINCREMENT,"
                + " channel TEXT NOT NULL, channel_name TEXT NOT NULL, ref TEXT NOT NULL,"
                + " commit_id TEXT NOT NULL, message_ts TEXT, test TEXT NOT NULL,"
                + " timeout_ms INTEGER NOT NULL, status TEXT NOT NULL, detail TEXT NOT NULL,"
                + " queued_at INTEGER NOT NULL, started_at INTEGER, finished_at INTEGER,"
                + " reported INTEGER NOT NULL DEFAULT 0, UNIQUE (channel, ref, commit_id))");
        s.execute("CREATE INDEX IF NOT EXISTS ci_runs_status ON ci_runs (status)");
      }
      Object lock = new Object();
      ConnectionSource source =
          new ConnectionSource() {
            @Override
            public <T> T with(SqlWork<T> work) {
              synchronized (lock) {
                try {
                  return work.run(connection);
                } catch (SQLException e) {
                  throw new CiException("CI store " + file + ": " + e.getMessage(), e);
                }
              }
            }

            @Override
            public void close() {
              synchronized (lock) {
                try {
                  connection.close();
                } catch (SQLException e) {
                  throw new CiException("closing CI store " + file + ": " + e.getMessage(), e);
                }
              }
            }
          };
      return new RunStore(source, "SQLite " + file);
    } catch (SQLException | java.io.IOException e) {
      throw new CiException("cannot open the CI store " + file + ": " + e.getMessage(), e);
    }
  }

  /** The store in the PostgreSQL database at {@code jdbcUrl}, through a small pool. */
  public static RunStore postgres(String jdbcUrl, String user, String password) {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl is null: pass jdbc:postgresql://host:port/database");
    if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException(
          "jdbcUrl `" + jdbcUrl + "` is not a PostgreSQL JDBC URL: expected jdbc:postgresql://…");
    }
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    config.setUsername(user);
    config.setPassword(password);
    config.setPoolName("ci-postgresql");
    config.setMaximumPoolSize(4);
    config.setMinimumIdle(1);
    HikariDataSource pool = new HikariDataSource(config);
    ConnectionSource source =
        new ConnectionSource() {
          @Override
          public <T> T with(SqlWork<T> work) {
            try (Connection c = pool.getConnection()) {
              return work.run(c);
            } catch (SQLException e) {
              throw new CiException("CI store on PostgreSQL: " + e.getMessage(), e);
            }
          }

          @Override
          public void close() {
            pool.close();
          }
        };
    try {
      source.with(
          c -> {
            try (Statement s = c.createStatement()) {
              s.execute(
                  "CREATE TABLE IF NOT EXISTS ci_runs (id BIGSERIAL PRIMARY KEY,"
                      + " channel TEXT NOT NULL, channel_name TEXT NOT NULL, ref TEXT NOT NULL,"
                      + " commit_id TEXT NOT NULL, message_ts TEXT, test TEXT NOT NULL,"
                      + " timeout_ms BIGINT NOT NULL, status TEXT NOT NULL, detail TEXT NOT NULL,"
                      + " queued_at BIGINT NOT NULL, started_at BIGINT, finished_at BIGINT,"
                      + " reported INTEGER NOT NULL DEFAULT 0, UNIQUE (channel, ref, commit_id))");
              s.execute("CREATE INDEX IF NOT EXISTS ci_runs_status ON ci_runs (status)");
            }
            return null;
          });
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
    return new RunStore(source, "PostgreSQL " + jdbcUrl.replaceAll("password=[^&]*", "password=…"));
  }

  /** A run to record. */
  record NewRun(
      String channel,
      String channelName,
      String ref,
      String commit,
      String messageTs,
      String test,
      Duration timeout,
      RunStatus status,
      String detail) {}

  /** Records {@code run} unless the store holds its channel, branch and commit already. */
  Optional<CiRun> insert(NewRun run, Instant now) {
    return source.with(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO ci_runs (channel, channel_name, ref, commit_id, message_ts, test,"
                      + " timeout_ms, status, detail, queued_at, finished_at, reported)"
                      + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)"
                      + " ON CONFLICT (channel, ref, commit_id) DO NOTHING")) {
            ps.setString(1, run.channel());
            ps.setString(2, run.channelName());
            ps.setString(3, run.ref());
            ps.setString(4, run.commit());
            ps.setString(5, run.messageTs());
            ps.setString(6, run.test());
            ps.setLong(7, run.timeout().toMillis());
            ps.setString(8, run.status().label());
            ps.setString(9, run.detail());
            ps.setLong(10, now.toEpochMilli());
            if (run.status().isFinal()) {
              ps.setLong(11, now.toEpochMilli());
            } else {
              ps.setNull(11, java.sql.Types.BIGINT);
            }
            if (ps.executeUpdate() == 0) {
              return Optional.empty();
            }
          }
          return one(
              c,
              "WHERE channel = ? AND ref = ? AND commit_id = ?",
              run.channel(),
              run.ref(),
              run.commit());
        });
  }

  /** The run {@code id}. */
  public Optional<CiRun> get(long id) {
    return source.with(c -> one(c, "WHERE id = ?", id));
  }

  /** Queued runs, oldest first. */
  List<CiRun> queued() {
    return source.with(c -> many(c, "WHERE status = 'queued' ORDER BY id", List.of()));
  }

  /** Queued and running runs of a branch other than {@code exceptId}, oldest first. */
  List<CiRun> live(String channel, String ref, long exceptId) {
    return source.with(
        c ->
            many(
                c,
                "WHERE channel = ? AND ref = ? AND id <> ? AND status IN ('queued', 'running')"
                    + " ORDER BY id",
                List.of(channel, ref, exceptId)));
  }

  /** Final runs not yet handed to the listener. */
  List<CiRun> unreported() {
    return source.with(
        c ->
            many(
                c,
                "WHERE reported = 0 AND status NOT IN ('queued', 'running') ORDER BY id",
                List.of()));
  }

  /**
   * The runs of {@code channel} (id or name), on {@code ref} if not null, newest first, at most
   * {@code limit}.
   */
  public List<CiRun> list(String channel, String ref, int limit) {
    Objects.requireNonNull(channel, "channel");
    return source.with(
        c ->
            ref == null
                ? many(
                    c,
                    "WHERE (channel = ? OR channel_name = ?) ORDER BY id DESC LIMIT " + limit,
                    List.of(channel, channel))
                : many(
                    c,
                    "WHERE (channel = ? OR channel_name = ?) AND ref = ? ORDER BY id DESC LIMIT "
                        + limit,
                    List.of(channel, channel, ref)));
  }

  /** The runs of a commit (one per branch it is on), newest first. */
  public List<CiRun> ofCommit(String channel, String commitPrefix) {
    return source.with(
        c ->
            many(
                c,
                "WHERE (channel = ? OR channel_name = ?) AND commit_id LIKE ? ORDER BY id DESC",
                List.of(channel, channel, commitPrefix.replaceAll("[^0-9a-fA-F]", "") + "%")));
  }

  /**
   * The ids of ended runs finished before {@code finishedBefore} that are not among the newest
   * {@code keepPerBranch} ended runs of their channel and branch: the logs retention deletes.
   */
  public List<Long> prunable(Instant finishedBefore, int keepPerBranch) {
    return source.with(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "SELECT id FROM (SELECT id, finished_at, ROW_NUMBER() OVER"
                      + " (PARTITION BY channel, ref ORDER BY id DESC) AS newer"
                      + " FROM ci_runs WHERE finished_at IS NOT NULL) ranked"
                      + " WHERE newer > ? AND finished_at < ? ORDER BY id")) {
            ps.setInt(1, keepPerBranch);
            ps.setLong(2, finishedBefore.toEpochMilli());
            List<Long> ids = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                ids.add(rs.getLong(1));
              }
            }
            return ids;
          }
        });
  }

  /** Runs per status, for metrics. */
  public long count(RunStatus status) {
    return source.with(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("SELECT COUNT(*) FROM ci_runs WHERE status = ?")) {
            ps.setString(1, status.label());
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              return rs.getLong(1);
            }
          }
        });
  }

  /** Moves a queued run to running; false if it is no longer queued (cancelled meanwhile). */
  boolean markRunning(long id, Instant now) {
    return update(
        "UPDATE ci_runs SET status = 'running', started_at = ? WHERE id = ? AND status = 'queued'",
        now.toEpochMilli(),
        id);
  }

  /** Ends a live run; false if it had ended already. */
  boolean finish(long id, RunStatus status, String detail, Instant now) {
    return update(
        "UPDATE ci_runs SET status = ?, detail = ?, finished_at = ?"
            + " WHERE id = ? AND status IN ('queued', 'running')",
        status.label(),
        detail,
        now.toEpochMilli(),
        id);
  }

  /** Notes that the listener has the run's final status. */
  void markReported(long id) {
    update("UPDATE ci_runs SET reported = 1 WHERE id = ?", id);
  }

  /** After a crash: what was running runs again. Returns how many. */
  int requeueRunning() {
    return source.with(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE ci_runs SET status = 'queued', started_at = NULL"
                      + " WHERE status = 'running'")) {
            return ps.executeUpdate();
          }
        });
  }

  private boolean update(String sql, Object... args) {
    return source.with(
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, List.of(args));
            return ps.executeUpdate() > 0;
          }
        });
  }

  private static void bind(PreparedStatement ps, List<?> args) throws SQLException {
    for (int i = 0; i < args.size(); i++) {
      ps.setObject(i + 1, args.get(i));
    }
  }

  private static Optional<CiRun> one(Connection c, String where, Object... args)
      throws SQLException {
    List<CiRun> runs = many(c, where, List.of(args));
    return runs.isEmpty() ? Optional.empty() : Optional.of(runs.get(0));
  }

  private static List<CiRun> many(Connection c, String where, List<?> args) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT " + COLUMNS + " FROM ci_runs " + where)) {
      bind(ps, args);
      try (ResultSet rs = ps.executeQuery()) {
        List<CiRun> runs = new ArrayList<>();
        while (rs.next()) {
          runs.add(
              new CiRun(
                  rs.getLong(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getString(5),
                  rs.getString(6),
                  rs.getString(7),
                  Duration.ofMillis(rs.getLong(8)),
                  RunStatus.of(rs.getString(9)),
                  rs.getString(10),
                  Instant.ofEpochMilli(rs.getLong(11)),
                  instant(rs, 12),
                  instant(rs, 13),
                  rs.getInt(14) != 0));
        }
        return runs;
      }
    }
  }

  private static Instant instant(ResultSet rs, int column) throws SQLException {
    long value = rs.getLong(column);
    return rs.wasNull() ? null : Instant.ofEpochMilli(value);
  }

  @Override
  public String toString() {
    return "CI store on " + description;
  }

  @Override
  public void close() {
    source.close();
  }
}
