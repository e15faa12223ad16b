package dev.threadbare.chat.outbox;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The outbox's table, migrated by Flyway ({@code db/outbox/<engine>}), reached through Jdbi. Thread
 * safe (the pool serialises SQLite writers); owns its connection pool until {@link #close}.
 */
final class OutboxStore implements AutoCloseable {

  /** One stored call. */
  record Row(
      long id,
      String key,
      String channel,
      String method,
      String payload,
      String state,
      int attempts,
      long enqueuedAt) {}

  static final String PENDING = "pending";
  static final String SENDING = "sending";
  static final String SENT = "sent";
  static final String FAILED = "failed";

  private final HikariDataSource pool;
  private final Jdbi jdbi;

  private OutboxStore(HikariDataSource pool) {
    this.pool = pool;
    this.jdbi = Jdbi.create(pool);
  }

  static OutboxStore sqlite(Path directory) {
    try {
      java.nio.file.Files.createDirectories(directory);
    } catch (java.io.IOException e) {
      throw new OutboxException(
          "cannot create outbox directory " + directory + ": check permissions and free space", e);
    }
    Path file = directory.resolve("outbox.db");
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl("jdbc:sqlite:" + file.toAbsolutePath());
    config.setMaximumPoolSize(1);
    config.setPoolName("threadbare-outbox");
    config.addDataSourceProperty("journal_mode", "WAL");
    config.addDataSourceProperty("synchronous", "FULL");
    config.addDataSourceProperty("busy_timeout", "10000");
    return open(config, "sqlite", file.toString());
  }

  static OutboxStore postgres(String jdbcUrl, String user, String password) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    config.setUsername(user);
    config.setPassword(password);
    config.setMaximumPoolSize(4);
    config.setPoolName("threadbare-outbox");
    return open(config, "postgres", jdbcUrl);
  }

  private static OutboxStore open(HikariConfig config, String engine, String where) {
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(config);
    } catch (RuntimeException e) {
      throw new OutboxException(
          "cannot open the outbox at " + where + " (" + e.getMessage() + "): check the path or URL",
          e);
    }
    try {
      Flyway.configure()
          .dataSource(pool)
          .locations("classpath:db/outbox/" + engine)
          .table("outbox_schema_history")
          .baselineOnMigrate(true)
          .baselineVersion("0")
          .load()
          .migrate();
    } catch (RuntimeException e) {
      pool.close();
      throw new OutboxException(
          "cannot migrate the outbox at " + where + " (" + e.getMessage() + ")", e);
    }
    OutboxStore store = new OutboxStore(pool);
    store.purgeDelivered();
    return store;
  }

  /** Inserts the call unless its key is stored; returns whether it was new. */
  boolean insert(OutgoingCall call, String payload, long now) {
    return jdbi.withHandle(
            h ->
                h.createUpdate(
                        "INSERT INTO outbox (idempotency_key, channel, method, payload, state,"
                            + " attempts, enqueued_at) VALUES (:key, :channel, :method, :payload,"
                            + " 'pending', 0, :now) ON CONFLICT (idempotency_key) DO NOTHING")
                    .bind("key", call.key())
                    .bind("channel", call.channel())
                    .bind("method", call.method())
                    .bind("payload", payload)
                    .bind("now", now)
                    .execute())
        > 0;
  }

  /** The oldest unsent calls, in enqueue order. */
  List<Row> unsent(int limit) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT id, idempotency_key, channel, method, payload, state, attempts,"
                        + " enqueued_at FROM outbox WHERE state IN ('pending', 'sending')"
                        + " ORDER BY id LIMIT :limit")
                .bind("limit", limit)
                .map(
                    (rs, ctx) ->
                        new Row(
                            rs.getLong(1),
                            rs.getString(2),
                            rs.getString(3),
                            rs.getString(4),
                            rs.getString(5),
                            rs.getString(6),
                            rs.getInt(7),
                            rs.getLong(8)))
                .list());
  }

  /**
   * Claims the call for sending; false when it is no longer unsent (another node sharing a
   * PostgreSQL outbox sent it meanwhile).
   */
  boolean markSending(long id, String expectedState) {
    return jdbi.withHandle(
            h ->
                h.createUpdate(
                        "UPDATE outbox SET state = 'sending', attempts = attempts + 1 WHERE id = :id"
                            + " AND state = :expected")
                    .bind("id", id)
                    .bind("expected", expectedState)
                    .execute())
        == 1;
  }

  /** Marks call {@code id}, whose body is {@code payload}, sent, purging any secret it carries. */
  void markSent(long id, String payload, String resultTs, long now) {
    jdbi.useHandle(
        h ->
            h.createUpdate(
                    "UPDATE outbox SET state = 'sent', result_ts = :ts, sent_at = :now, error ="
                        + " NULL, payload = :payload WHERE id = :id")
                .bind("ts", resultTs)
                .bind("now", now)
                .bind("payload", withoutSecrets(payload))
                .bind("id", id)
                .execute());
  }

  /** {@code payload} with its secrets replaced; itself (the same string) when it has none. */
  static String withoutSecrets(String payload) {
    return SECRET.matcher(payload).find() ? SECRET.matcher(payload).replaceAll(PURGED) : payload;
  }

  /**
   * Secrets a call may carry: the git token the bot tells its asker ({@code tbp_…}), Slack tokens
   * ({@code xox?-…}, {@code xapp-…}). A delivered (or failed) call keeps no body with them.
   */
  static final Pattern SECRET =
      Pattern.compile("tbp_[A-Za-z0-9_-]{8,}|xox[a-z]-[A-Za-z0-9-]{8,}|xapp-[A-Za-z0-9-]{8,}");

  static final String PURGED = "[purged once delivered: it carried a secret]";

  /** Replaces the secrets in call {@code id}'s body, which will not be sent again. */
  private static void purgeSecrets(Handle h, long id) {
    h.createQuery("SELECT payload FROM outbox WHERE id = :id")
        .bind("id", id)
        .mapTo(String.class)
        .findOne()
        .filter(payload -> SECRET.matcher(payload).find())
        .ifPresent(
            payload ->
                h.createUpdate("UPDATE outbox SET payload = :payload WHERE id = :id")
                    .bind("payload", SECRET.matcher(payload).replaceAll(PURGED))
                    .bind("id", id)
                    .execute());
  }

  /** Purges the bodies of calls delivered before purging existed (an older outbox.db). */
  private void purgeDelivered() {
    jdbi.useHandle(
        h -> {
          List<Long> ids =
              h.createQuery(
                      "SELECT id FROM outbox WHERE state IN ('sent', 'failed') AND (payload LIKE"
                          + " '%tbp!_%' ESCAPE '!' OR payload LIKE '%xox%' OR payload LIKE"
                          + " '%xapp-%')")
                  .mapTo(Long.class)
                  .list();
          for (long id : ids) {
            purgeSecrets(h, id);
          }
        });
  }

  void markPending(long id, String error) {
    update("UPDATE outbox SET state = 'pending', error = :error WHERE id = :id", id, error);
  }

  /** Marks call {@code id} failed for good, purging any secret its body carries. */
  void markFailed(long id, String payload, String error) {
    jdbi.useHandle(
        h ->
            h.createUpdate(
                    "UPDATE outbox SET state = 'failed', error = :error, payload = :payload"
                        + " WHERE id = :id")
                .bind("error", error)
                .bind("payload", withoutSecrets(payload))
                .bind("id", id)
                .execute());
  }

  private void update(String sql, long id, String error) {
    jdbi.useHandle(h -> h.createUpdate(sql).bind("id", id).bind("error", error).execute());
  }

  /** The value stored under {@code name}, storing {@code value} first if there is none. */
  String rememberOnce(String name, String value) {
    return jdbi.inTransaction(
        h -> {
          h.createUpdate(
                  "INSERT INTO bot_state (name, value) VALUES (:name, :value)"
                      + " ON CONFLICT (name) DO NOTHING")
              .bind("name", name)
              .bind("value", value)
              .execute();
          return h.createQuery("SELECT value FROM bot_state WHERE name = :name")
              .bind("name", name)
              .mapTo(String.class)
              .one();
        });
  }

  /** The state of the call with {@code key}, if stored. */
  Optional<String> state(String key) {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT state FROM outbox WHERE idempotency_key = :key")
                .bind("key", key)
                .mapTo(String.class)
                .findOne());
  }

  /** The ts Slack gave the sent message of {@code key}, if sent. */
  Optional<String> sentTs(String key) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT result_ts FROM outbox WHERE idempotency_key = :key AND state = 'sent'")
                .bind("key", key)
                .mapTo(String.class)
                .findOne());
  }

  long count(String state) {
    return jdbi.withHandle(
        h ->
            h.createQuery("SELECT COUNT(*) FROM outbox WHERE state = :state")
                .bind("state", state)
                .mapTo(Long.class)
                .one());
  }

  @Override
  public void close() {
    pool.close();
  }
}
