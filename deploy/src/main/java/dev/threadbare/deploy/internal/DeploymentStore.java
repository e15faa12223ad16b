package dev.threadbare.deploy.internal;

import dev.threadbare.deploy.DeployConfig;
import dev.threadbare.deploy.DeployException;
import dev.threadbare.deploy.Deployment;
import dev.threadbare.deploy.DeploymentDatabases;
import dev.threadbare.deploy.DeploymentState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * The durable deployment records, {@code DIR/deploys.db} (SQLite, WAL): one row per version (a
 * version's UUID never changes), its state, whether it was built, its database login. Owner-only,
 * since it holds the logins. Thread safe (one connection, synchronized).
 */
public final class DeploymentStore implements AutoCloseable {

  public static final String FILE = "deploys.db";

  private final Connection connection;

  private DeploymentStore(Connection connection) {
    this.connection = connection;
  }

  /**
   * Opens (creating) the store in {@code dataDir}; states left as running/starting become stopped.
   */
  public static DeploymentStore open(Path dataDir) {
    try {
      Files.createDirectories(dataDir);
      Path file = dataDir.resolve(FILE);
      boolean created = !Files.exists(file);
      Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
      if (created) {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      }
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA journal_mode=WAL");
        s.execute("PRAGMA busy_timeout=5000");
        s.execute(
            "CREATE TABLE IF NOT EXISTS deployments (id TEXT PRIMARY KEY, channel TEXT NOT NULL,"
                + " commit_id TEXT NOT NULL, created_at INTEGER NOT NULL, build TEXT NOT NULL,"
                + " run TEXT NOT NULL, idle_stop_ms INTEGER NOT NULL, preview_limit INTEGER NOT"
                + " NULL, has_ci INTEGER NOT NULL, state TEXT NOT NULL, built INTEGER NOT NULL"
                + " DEFAULT 0, db_user TEXT, db_password TEXT, UNIQUE (channel, commit_id))");
        s.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
        // The server that ran them is gone: they start again on their next request.
        s.execute(
            "UPDATE deployments SET state = 'STOPPED' WHERE state IN ('RUNNING', 'STARTING')");
      }
      return new DeploymentStore(c);
    } catch (SQLException | IOException e) {
      throw new DeployException("cannot open " + dataDir.resolve(FILE) + ": " + e.getMessage(), e);
    }
  }

  /** Opens an existing store for reading (the CLI); empty when there is none. */
  public static Optional<DeploymentStore> openExisting(Path dataDir) {
    if (!Files.exists(dataDir.resolve(FILE))) {
      return Optional.empty();
    }
    try {
      Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(FILE));
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA busy_timeout=5000");
      }
      return Optional.of(new DeploymentStore(c));
    } catch (SQLException e) {
      throw new DeployException("cannot open " + dataDir.resolve(FILE) + ": " + e.getMessage(), e);
    }
  }

  /** The existing deployment of the version, or a new one with a random UUID. */
  public synchronized Deployment insertIfAbsent(
      String channel, String commit, DeployConfig config, Instant now) {
    Optional<Deployment> existing = forCommit(channel, commit);
    if (existing.isPresent()) {
      return existing.get();
    }
    UUID id = UUID.randomUUID();
    update(
        "INSERT INTO deployments (id, channel, commit_id, created_at, build, run, idle_stop_ms,"
            + " preview_limit, has_ci, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        id.toString(),
        channel,
        commit,
        now.toEpochMilli(),
        config.build(),
        config.run(),
        config.idleStop().toMillis(),
        config.previewLimitBytes(),
        config.hasCi() ? 1 : 0,
        DeploymentState.STOPPED.name());
    return new Deployment(id, channel, commit, now, config, DeploymentState.STOPPED);
  }

  public synchronized Optional<Deployment> find(UUID id) {
    List<Deployment> found = query("WHERE id = ?", id.toString());
    return found.stream().findFirst();
  }

  public synchronized Optional<Deployment> forCommit(String channel, String commit) {
    return query("WHERE channel = ? AND commit_id = ?", channel, commit).stream().findFirst();
  }

  /** A channel's deployments, newest first. */
  public synchronized List<Deployment> list(String channel) {
    return query("WHERE channel = ? ORDER BY created_at DESC, rowid DESC", channel);
  }

  public synchronized List<Deployment> all() {
    return query("ORDER BY created_at DESC, rowid DESC");
  }

  public synchronized void setState(UUID id, DeploymentState state) {
    update("UPDATE deployments SET state = ? WHERE id = ?", state.name(), id.toString());
  }

  public synchronized boolean built(UUID id) {
    try (PreparedStatement ps =
        connection.prepareStatement("SELECT built FROM deployments WHERE id = ?")) {
      ps.setString(1, id.toString());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getInt(1) == 1;
      }
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  public synchronized void markBuilt(UUID id) {
    update("UPDATE deployments SET built = 1 WHERE id = ?", id.toString());
  }

  public synchronized Optional<DeploymentDatabases.Login> login(UUID id) {
    try (PreparedStatement ps =
        connection.prepareStatement("SELECT db_user, db_password FROM deployments WHERE id = ?")) {
      ps.setString(1, id.toString());
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next() && rs.getString(1) != null) {
          return Optional.of(new DeploymentDatabases.Login(rs.getString(1), rs.getString(2)));
        }
        return Optional.empty();
      }
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  public synchronized void saveLogin(UUID id, DeploymentDatabases.Login login) {
    update(
        "UPDATE deployments SET db_user = ?, db_password = ? WHERE id = ?",
        login.user(),
        login.password(),
        id.toString());
  }

  public synchronized Optional<String> meta(String key) {
    try (PreparedStatement ps =
        connection.prepareStatement("SELECT value FROM meta WHERE key = ?")) {
      ps.setString(1, key);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  public synchronized void setMeta(String key, String value) {
    update(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value ="
            + " excluded.value",
        key,
        value);
  }

  private List<Deployment> query(String where, Object... args) {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT id, channel, commit_id, created_at, build, run, idle_stop_ms, preview_limit,"
                + " has_ci, state FROM deployments "
                + where)) {
      bind(ps, args);
      List<Deployment> result = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          DeployConfig config =
              new DeployConfig(
                  rs.getString(5),
                  rs.getString(6),
                  Duration.ofMillis(rs.getLong(7)),
                  rs.getLong(8),
                  rs.getInt(9) == 1);
          result.add(
              new Deployment(
                  UUID.fromString(rs.getString(1)),
                  rs.getString(2),
                  rs.getString(3),
                  Instant.ofEpochMilli(rs.getLong(4)),
                  config,
                  DeploymentState.valueOf(rs.getString(10).toUpperCase(Locale.ROOT))));
        }
      }
      return result;
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  private void update(String sql, Object... args) {
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      bind(ps, args);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  private static void bind(PreparedStatement ps, Object... args) throws SQLException {
    for (int i = 0; i < args.length; i++) {
      ps.setObject(i + 1, args[i]);
    }
  }

  private static DeployException failure(SQLException e) {
    return new DeployException("deployment store: " + e.getMessage(), e);
  }

  @Override
  public synchronized void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      throw failure(e);
    }
  }
}
