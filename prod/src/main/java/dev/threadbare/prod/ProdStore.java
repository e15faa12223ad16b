package dev.threadbare.prod;

import dev.threadbare.deploy.DeploymentDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The durable prod record: every promotion and rollback of every channel ({@code prod_events}) and
 * the prod database logins issued to each version ({@code prod_logins}), in SQLite ({@code
 * DIR/prod.db}, WAL, synchronous=FULL) or in PostgreSQL beside the journal.
 *
 * <p>Crash safety: a promotion is first recorded {@code pending}; it becomes {@code done} in one
 * update once the version listens. A channel's prod is its newest {@code done} record, so at every
 * instant prod is the old version or the new one, never neither; {@link #open} marks what a crash
 * left pending {@code abandoned}, which the history shows.
 *
 * <p>Thread safe (one connection, serialized).
 */
public final class ProdStore implements AutoCloseable {

  private static final String COLUMNS =
      "id, channel, action, commit_id, deployment, user_id, at_ms, approvals, ci_run, previous,"
          + " status, detail";

  private final Connection connection;
  private final String description;

  private ProdStore(Connection connection, String description) {
    this.connection = connection;
    this.description = description;
  }

  /**
   * The store in the SQLite file {@code file} (created with its folder when missing), for the one
   * server that promotes: what a crash left pending becomes abandoned.
   */
  public static ProdStore sqlite(Path file) {
    return sqlite(file, true);
  }

  /**
   * The existing store in {@code file} for reading while a server may run (the CLI): nothing is
   * changed; empty when there is no file.
   */
  public static Optional<ProdStore> readSqlite(Path file) {
    return Files.exists(file) ? Optional.of(sqlite(file, false)) : Optional.empty();
  }

  private static ProdStore sqlite(Path file, boolean owner) {
    Objects.requireNonNull(file, "file");
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
      try (Statement s = c.createStatement()) {
        s.execute("PRAGMA journal_mode=WAL");
        s.execute("PRAGMA synchronous=FULL");
        s.execute("PRAGMA busy_timeout=10000");
      }
      return open(c, "SQLite " + file, "INTEGER PRIMARY KEY AUTOINCREMENT", owner);
    } catch (SQLException | java.io.IOException e) {
      throw new ProdException("cannot open the prod record " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * The store in the PostgreSQL database at {@code jdbcUrl} (tables {@code prod_*}); a null or
   * empty {@code user} takes the credentials from the URL.
   */
  public static ProdStore postgres(String jdbcUrl, String user, String password) {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
      throw new ProdException(
          "`" + jdbcUrl + "` is not a PostgreSQL JDBC URL: expected jdbc:postgresql://…");
    }
    try {
      Connection c =
          user == null || user.isEmpty()
              ? DriverManager.getConnection(jdbcUrl)
              : DriverManager.getConnection(jdbcUrl, user, password);
      return open(c, "PostgreSQL " + jdbcUrl, "BIGSERIAL PRIMARY KEY", true);
    } catch (SQLException e) {
      throw new ProdException("cannot open the prod record on PostgreSQL: " + e.getMessage(), e);
    }
  }

  private static ProdStore open(Connection c, String description, String serial, boolean owner)
      throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE IF NOT EXISTS prod_events (id "
              + serial
              + ", channel TEXT NOT NULL, action TEXT NOT NULL, commit_id TEXT NOT NULL,"
              + " deployment TEXT, user_id TEXT NOT NULL, at_ms BIGINT NOT NULL,"
              + " approvals TEXT NOT NULL, ci_run BIGINT, previous TEXT, status TEXT NOT NULL,"
              + " detail TEXT NOT NULL)");
      s.execute("CREATE INDEX IF NOT EXISTS prod_events_channel ON prod_events (channel, id)");
      s.execute(
          "CREATE TABLE IF NOT EXISTS prod_logins (channel TEXT NOT NULL, commit_id TEXT NOT"
              + " NULL, login_user TEXT NOT NULL, login_password TEXT NOT NULL, PRIMARY KEY"
              + " (channel, commit_id))");
      // What a crash left pending never served: prod is still the newest done record.
      if (owner) {
        s.executeUpdate(
            "UPDATE prod_events SET status = 'abandoned', detail = 'the server stopped before the"
                + " version served prod; prod stayed as it was' WHERE status = 'pending'");
      }
    }
    return new ProdStore(c, description);
  }

  /**
   * Records that {@code action} of {@code commit} was asked and is under way ({@code pending});
   * returns the record.
   */
  public synchronized ProdEvent begin(
      String channel,
      ProdEvent.Action action,
      String commit,
      UUID deployment,
      String user,
      Instant at,
      List<String> approvals,
      Long ciRun,
      String previous) {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "INSERT INTO prod_events (channel, action, commit_id, deployment, user_id, at_ms,"
                + " approvals, ci_run, previous, status, detail)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', '')",
            Statement.RETURN_GENERATED_KEYS)) {
      ps.setString(1, channel);
      ps.setString(2, action.label());
      ps.setString(3, commit);
      ps.setString(4, deployment == null ? null : deployment.toString());
      ps.setString(5, user);
      ps.setLong(6, at.toEpochMilli());
      ps.setString(7, String.join(",", approvals));
      if (ciRun == null) {
        ps.setNull(8, java.sql.Types.BIGINT);
      } else {
        ps.setLong(8, ciRun);
      }
      ps.setString(9, previous);
      ps.executeUpdate();
      long id;
      try (ResultSet keys = ps.getGeneratedKeys()) {
        keys.next();
        id = keys.getLong(1);
      }
      return get(id).orElseThrow();
    } catch (SQLException e) {
      throw failed("recording a " + action.label() + " of " + commit, e);
    }
  }

  /** The version of record {@code id} serves prod now: one update, the switch's durable point. */
  public synchronized void complete(long id) {
    finish(id, "done", "");
  }

  /** Record {@code id} could not start: prod stayed as it was. */
  public synchronized void fail(long id, String why) {
    finish(id, "failed", why);
  }

  private void finish(long id, String status, String detail) {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "UPDATE prod_events SET status = ?, detail = ? WHERE id = ? AND status = 'pending'")) {
      ps.setString(1, status);
      ps.setString(2, detail);
      ps.setLong(3, id);
      if (ps.executeUpdate() != 1) {
        throw new ProdException(
            "prod record " + id + " is not pending: it cannot become " + status);
      }
    } catch (SQLException e) {
      throw failed("finishing prod record " + id, e);
    }
  }

  /** Record {@code id}. */
  public synchronized Optional<ProdEvent> get(long id) {
    List<ProdEvent> found = query("WHERE id = ?", List.of(id));
    return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
  }

  /** What serves {@code channel}'s prod: its newest done record. */
  public synchronized Optional<ProdEvent> current(String channel) {
    List<ProdEvent> found =
        query("WHERE channel = ? AND status = 'done' ORDER BY id DESC LIMIT 1", List.of(channel));
    return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
  }

  /** Every record of {@code channel}, newest first. */
  public synchronized List<ProdEvent> history(String channel) {
    return query("WHERE channel = ? ORDER BY id DESC", List.of(channel));
  }

  /** Every channel that has a prod. */
  public synchronized List<String> channels() {
    List<String> channels = new ArrayList<>();
    try (Statement s = connection.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT DISTINCT channel FROM prod_events WHERE status = 'done' ORDER BY channel")) {
      while (rs.next()) {
        channels.add(rs.getString(1));
      }
      return channels;
    } catch (SQLException e) {
      throw failed("listing channels", e);
    }
  }

  /**
   * What {@code rollback} goes back to: the version prod served before the current one came in by
   * promotion. Rolling back twice goes back twice (a rollback to X continues from what preceded X's
   * own promotion). Empty when there is nothing to go back to.
   */
  public synchronized Optional<String> rollbackTarget(String channel) {
    return current(channel).map(ProdEvent::previous).filter(p -> p != null && !p.isEmpty());
  }

  /**
   * For a rollback to {@code commit}: what a later rollback goes back to from there, the version
   * that preceded {@code commit}'s newest done promotion.
   */
  public synchronized String previousOf(String channel, String commit) {
    List<ProdEvent> found =
        query(
            "WHERE channel = ? AND commit_id = ? AND status = 'done' ORDER BY id DESC LIMIT 1",
            List.of(channel, commit));
    return found.isEmpty() ? null : found.get(0).previous();
  }

  /** The prod database login issued to {@code commit} of {@code channel}, if any. */
  public synchronized Optional<DeploymentDatabases.Login> login(String channel, String commit) {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT login_user, login_password FROM prod_logins WHERE channel = ? AND commit_id ="
                + " ?")) {
      ps.setString(1, channel);
      ps.setString(2, commit);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next()
            ? Optional.of(new DeploymentDatabases.Login(rs.getString(1), rs.getString(2)))
            : Optional.empty();
      }
    } catch (SQLException e) {
      throw failed("reading a prod login", e);
    }
  }

  /** Keeps the prod database login issued to {@code commit}. */
  public synchronized void saveLogin(
      String channel, String commit, DeploymentDatabases.Login login) {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "INSERT INTO prod_logins (channel, commit_id, login_user, login_password)"
                + " VALUES (?, ?, ?, ?) ON CONFLICT (channel, commit_id) DO NOTHING")) {
      ps.setString(1, channel);
      ps.setString(2, commit);
      ps.setString(3, login.user());
      ps.setString(4, login.password());
      ps.executeUpdate();
    } catch (SQLException e) {
      throw failed("saving a prod login", e);
    }
  }

  private List<ProdEvent> query(String where, List<Object> args) {
    try (PreparedStatement ps =
        connection.prepareStatement("SELECT " + COLUMNS + " FROM prod_events " + where)) {
      for (int i = 0; i < args.size(); i++) {
        ps.setObject(i + 1, args.get(i));
      }
      List<ProdEvent> events = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String deployment = rs.getString(5);
          String approvals = rs.getString(8);
          long ciRun = rs.getLong(9);
          boolean noRun = rs.wasNull();
          events.add(
              new ProdEvent(
                  rs.getLong(1),
                  rs.getString(2),
                  ProdEvent.Action.of(rs.getString(3)),
                  rs.getString(4),
                  deployment == null ? null : UUID.fromString(deployment),
                  rs.getString(6),
                  Instant.ofEpochMilli(rs.getLong(7)),
                  approvals.isEmpty() ? List.of() : Arrays.asList(approvals.split(",")),
                  noRun ? null : ciRun,
                  rs.getString(10),
                  ProdEvent.Status.of(rs.getString(11)),
                  rs.getString(12)));
        }
      }
      return events;
    } catch (SQLException e) {
      throw failed("reading the prod record", e);
    }
  }

  private ProdException failed(String what, SQLException e) {
    return new ProdException(what + " in " + description + ": " + e.getMessage(), e);
  }

  @Override
  public synchronized void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      throw failed("closing", e);
    }
  }
}
