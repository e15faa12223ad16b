package dev.threadbare.workspace.internal.store;

import dev.threadbare.workspace.WorkspaceStorageException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * The workspace's tables ({@code ws_*}) on SQLite or PostgreSQL, migrated by Flyway on open. Every
 * method is one transaction. Thread-safe: writes are serialised in this process (SQLite allows one
 * writer; other processes wait on SQLite's busy timeout).
 */
public final class WorkspaceStore {

  private final Jdbi jdbi;
  private final ReentrantLock writeLock = new ReentrantLock();

  private WorkspaceStore(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** Migrates {@code dataSource} to the current schema and returns a store on it. */
  public static WorkspaceStore open(DataSource dataSource) {
    String vendor;
    try (Connection connection = dataSource.getConnection()) {
      String product =
          connection.getMetaData().getDatabaseProductName().toLowerCase(java.util.Locale.ROOT);
      vendor = product.contains("postgres") ? "postgresql" : "sqlite";
    } catch (SQLException e) {
      throw new WorkspaceStorageException(
          "cannot connect to the workspace database: " + e.getMessage(), e);
    }
    try {
      Flyway.configure()
          .dataSource(dataSource)
          .locations("classpath:dev/threadbare/workspace/migration/" + vendor)
          .table("ws_schema_history")
          .baselineOnMigrate(true)
          .baselineVersion("0")
          .load()
          .migrate();
    } catch (RuntimeException e) {
      throw new WorkspaceStorageException(
          "cannot migrate the workspace tables (ws_*): " + e.getMessage(), e);
    }
    return new WorkspaceStore(Jdbi.create(dataSource));
  }

  private <T> T read(org.jdbi.v3.core.HandleCallback<T, RuntimeException> callback) {
    try {
      return jdbi.withHandle(callback);
    } catch (JdbiException e) {
      throw new WorkspaceStorageException("workspace database read failed: " + e.getMessage(), e);
    }
  }

  private <T> T write(org.jdbi.v3.core.HandleCallback<T, RuntimeException> callback) {
    writeLock.lock();
    try {
      return jdbi.inTransaction(callback);
    } catch (JdbiException e) {
      throw new WorkspaceStorageException("workspace database write failed: " + e.getMessage(), e);
    } finally {
      writeLock.unlock();
    }
  }

  private static long now() {
    return Instant.now().getEpochSecond();
  }

  // ---- meta

  /** The value stored under {@code key}, if any. */
  public Optional<String> meta(String key) {
    return read(
        h ->
            h.createQuery("SELECT meta_value FROM ws_meta WHERE meta_key = :k")
                .bind("k", key)
                .mapTo(String.class)
                .findOne());
  }

  /** Stores {@code value} under {@code key}. */
  public void putMeta(String key, String value) {
    write(
        h ->
            h.createUpdate(
                    "INSERT INTO ws_meta (meta_key, meta_value) VALUES (:k, :v)"
                        + " ON CONFLICT (meta_key) DO UPDATE SET meta_value = :v")
                .bind("k", key)
                .bind("v", value)
                .execute());
  }

  /** Stores {@code value} under {@code key} unless a value is there; returns the stored value. */
  public String metaOrInit(String key, String value) {
    return write(
        h -> {
          h.createUpdate(
                  "INSERT INTO ws_meta (meta_key, meta_value) VALUES (:k, :v)"
                      + " ON CONFLICT (meta_key) DO NOTHING")
              .bind("k", key)
              .bind("v", value)
              .execute();
          return h.createQuery("SELECT meta_value FROM ws_meta WHERE meta_key = :k")
              .bind("k", key)
              .mapTo(String.class)
              .one();
        });
  }

  // ---- users and tokens

  private static User userRow(ResultSet rs, StatementContext ctx) throws SQLException {
    return new User(
        rs.getString("id"),
        rs.getString("name"),
        rs.getString("real_name"),
        rs.getBoolean("is_admin"),
        rs.getBoolean("is_bot"),
        rs.getString("bot_id"),
        rs.getLong("created"));
  }

  /** Creates a user with a token of {@code tokenKind} ({@code user} or {@code bot}). */
  public User createUser(String name, String realName, boolean admin, boolean bot, String token) {
    String botId = bot ? Ids.id("B") : null;
    User user = new User(Ids.id("U"), name, realName, admin, bot, botId, now());
    write(
        h -> {
          h.createUpdate(
                  "INSERT INTO ws_users (id, name, real_name, is_admin, is_bot, bot_id, created)"
                      + " VALUES (:id, :name, :realName, :admin, :bot, :botId, :created)")
              .bindMethods(user)
              .execute();
          insertToken(h, token, user.id(), bot ? "bot" : "user");
          h.createUpdate(
                  "INSERT INTO ws_members (channel_id, user_id, joined)"
                      + " SELECT id, :u, :t FROM ws_channels WHERE is_general = :yes"
                      + " OR (:bot = :yes AND is_private = :no)")
              .bind("u", user.id())
              .bind("t", now())
              .bind("bot", bot)
              .bind("yes", true)
              .bind("no", false)
              .execute();
          return null;
        });
    return user;
  }

  /**
   * What {@code ws_tokens} keeps of a token: {@code sha256:<hex>}. Tokens are 40 random characters,
   * so a fast hash is enough (nothing to guess), and lookups stay one indexed equality.
   */
  public static String hash(String token) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
      return HASHED + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  private static final String HASHED = "sha256:";

  /**
   * The plaintext token of {@code kind} held by {@code userId}, left by a workspace created before
   * tokens were hashed (for moving a token that must be presented out of the database).
   */
  public Optional<String> plaintextToken(String userId, String kind) {
    return read(
        h ->
            h.createQuery(
                    "SELECT token FROM ws_tokens WHERE user_id = :u AND kind = :k"
                        + " AND token NOT LIKE 'sha256:%' ORDER BY created, token LIMIT 1")
                .bind("u", userId)
                .bind("k", kind)
                .mapTo(String.class)
                .findOne());
  }

  /** Replaces every plaintext token (a workspace from before hashing) by its hash. */
  public void hashPlaintextTokens() {
    write(
        h -> {
          List<String> plain =
              h.createQuery("SELECT token FROM ws_tokens WHERE token NOT LIKE 'sha256:%'")
                  .mapTo(String.class)
                  .list();
          for (String token : plain) {
            h.createUpdate("UPDATE ws_tokens SET token = :hashed WHERE token = :t")
                .bind("hashed", hash(token))
                .bind("t", token)
                .execute();
          }
          return null;
        });
  }

  private static void insertToken(Handle h, String token, String userId, String kind) {
    h.createUpdate("INSERT INTO ws_tokens (token, user_id, kind, created) VALUES (:t, :u, :k, :c)")
        .bind("t", hash(token))
        .bind("u", userId)
        .bind("k", kind)
        .bind("c", now())
        .execute();
  }

  /**
   * Issues another token of {@code kind} for {@code userId}. The first web UI session of an admin
   * is remembered ({@value #ADMIN_SIGNED_IN}), so the admin's sign-in token stops being printed.
   */
  public void addToken(String userId, String token, String kind) {
    write(
        h -> {
          insertToken(h, token, userId, kind);
          if (kind.equals("session")) {
            h.createUpdate(
                    "INSERT INTO ws_meta (meta_key, meta_value) SELECT :k, :c FROM ws_users"
                        + " WHERE id = :u AND is_admin ON CONFLICT (meta_key) DO NOTHING")
                .bind("k", ADMIN_SIGNED_IN)
                .bind("c", Long.toString(now()))
                .bind("u", userId)
                .execute();
          }
          return null;
        });
  }

  /** The meta key set when an admin first signs in to the web UI. */
  public static final String ADMIN_SIGNED_IN = "admin_signed_in";

  /** Revokes {@code token}. */
  public void deleteToken(String token) {
    write(
        h ->
            h.createUpdate("DELETE FROM ws_tokens WHERE token = :t")
                .bind("t", hash(token))
                .execute());
  }

  /** The user and kind of {@code token}. */
  public Optional<Map.Entry<User, String>> tokenOwner(String token) {
    return read(
        h ->
            h.createQuery(
                    "SELECT u.*, t.kind FROM ws_tokens t JOIN ws_users u ON u.id = t.user_id"
                        + " WHERE t.token = :t")
                .bind("t", hash(token))
                .map((rs, ctx) -> Map.entry(userRow(rs, ctx), rs.getString("kind")))
                .findOne());
  }

  /** The user with {@code id}. */
  public Optional<User> user(String id) {
    return read(
        h ->
            h.createQuery("SELECT * FROM ws_users WHERE id = :id")
                .bind("id", id)
                .map(WorkspaceStore::userRow)
                .findOne());
  }

  /** The user named {@code name}. */
  public Optional<User> userByName(String name) {
    return read(
        h ->
            h.createQuery("SELECT * FROM ws_users WHERE name = :n")
                .bind("n", name)
                .map(WorkspaceStore::userRow)
                .findOne());
  }

  /** The bot user, if created. */
  public Optional<User> bot() {
    return read(
        h ->
            h.createQuery(
                    "SELECT * FROM ws_users WHERE is_bot = :yes"
                        + " AND id NOT IN (SELECT bot_user_id FROM ws_apps)"
                        + " ORDER BY created LIMIT 1")
                .bind("yes", true)
                .map(WorkspaceStore::userRow)
                .findOne());
  }

  // ---- other apps

  private static StoredApp appRow(ResultSet rs, StatementContext ctx) throws SQLException {
    return new StoredApp(
        rs.getString("id"),
        rs.getString("name"),
        rs.getString("bot_user_id"),
        rs.getString("events_url"));
  }

  /** A new app id ({@code A…}), for keeping the app's signing secret before it is created. */
  public static String newAppId() {
    return Ids.id("A");
  }

  /**
   * Registers app {@code id}: its bot user (with {@code botToken}, a member of every public channel
   * like any bot), its Socket Mode token {@code appToken} and where its events go. Its signing
   * secret is not stored here ({@link PresentedSecrets#appSigningSecret}): the column {@code
   * signing_secret} stays empty.
   */
  public StoredApp createApp(
      String id, String name, String eventsUrl, String botToken, String appToken) {
    User bot = createUser(name, name, false, true, botToken);
    StoredApp app = new StoredApp(id, name, bot.id(), eventsUrl);
    write(
        h -> {
          h.createUpdate(
                  "INSERT INTO ws_apps (id, name, bot_user_id, events_url, signing_secret,"
                      + " created) VALUES (:id, :name, :botUserId, :eventsUrl, '', :created)")
              .bindMethods(app)
              .bind("created", now())
              .execute();
          insertToken(h, appToken, bot.id(), "app");
          return null;
        });
    return app;
  }

  /**
   * The signing secrets a workspace from before they moved out of the database still holds, by app
   * id (for moving them to {@link PresentedSecrets}).
   */
  public Map<String, String> plaintextAppSecrets() {
    return read(
        h ->
            h.createQuery("SELECT id, signing_secret FROM ws_apps WHERE signing_secret <> ''")
                .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2)))
                .collect(
                    java.util.stream.Collectors.toMap(
                        Map.Entry::getKey, Map.Entry::getValue, (x, y) -> x, LinkedHashMap::new)));
  }

  /** Empties app {@code id}'s signing secret column, once the secret is kept elsewhere. */
  public void clearAppSecret(String id) {
    write(
        h ->
            h.createUpdate("UPDATE ws_apps SET signing_secret = '' WHERE id = :id")
                .bind("id", id)
                .execute());
  }

  /** Removes {@code key}. */
  public void deleteMeta(String key) {
    write(h -> h.createUpdate("DELETE FROM ws_meta WHERE meta_key = :k").bind("k", key).execute());
  }

  /** Every registered app, oldest first. */
  public List<StoredApp> apps() {
    return read(
        h ->
            h.createQuery("SELECT * FROM ws_apps ORDER BY created, id")
                .map(WorkspaceStore::appRow)
                .list());
  }

  /** The app whose bot user is {@code userId}. */
  public Optional<StoredApp> appOfBot(String userId) {
    return read(
        h ->
            h.createQuery("SELECT * FROM ws_apps WHERE bot_user_id = :u")
                .bind("u", userId)
                .map(WorkspaceStore::appRow)
                .findOne());
  }

  /** Sets where {@code appId}'s events go (null: Socket Mode only); false when no such app. */
  public boolean setAppEventsUrl(String appId, String eventsUrl) {
    return write(
            h ->
                h.createUpdate("UPDATE ws_apps SET events_url = :url WHERE id = :id")
                    .bind("url", eventsUrl)
                    .bind("id", appId)
                    .execute())
        > 0;
  }

  /** Up to {@code limit} users with ids after {@code afterId} (empty for the first page). */
  public List<User> users(String afterId, int limit) {
    return read(
        h ->
            h.createQuery("SELECT * FROM ws_users WHERE id > :a ORDER BY id LIMIT :l")
                .bind("a", afterId)
                .bind("l", limit)
                .map(WorkspaceStore::userRow)
                .list());
  }

  // ---- channels and members

  private static Channel channelRow(ResultSet rs, StatementContext ctx) throws SQLException {
    return new Channel(
        rs.getString("id"),
        rs.getString("name"),
        rs.getBoolean("is_private"),
        rs.getBoolean("is_general"),
        rs.getString("creator"),
        rs.getLong("created"),
        rs.getString("topic"),
        rs.getString("purpose"));
  }

  /**
   * Creates a channel with its creator as a member; the bot joins every public channel, as an app
   * installed workspace-wide would be able to read it.
   */
  public Channel createChannel(String name, boolean isPrivate, boolean general, String creator) {
    Channel channel = new Channel(Ids.id("C"), name, isPrivate, general, creator, now(), "", "");
    write(
        h -> {
          h.createUpdate(
                  "INSERT INTO ws_channels (id, name, is_private, is_general, creator, created,"
                      + " topic, purpose) VALUES (:id, :name, :isPrivate, :general, :creator,"
                      + " :created, :topic, :purpose)")
              .bindMethods(channel)
              .execute();
          addMember(h, channel.id(), creator);
          if (!isPrivate) {
            h.createQuery("SELECT id FROM ws_users WHERE is_bot = :yes")
                .bind("yes", true)
                .mapTo(String.class)
                .list()
                .forEach(bot -> addMember(h, channel.id(), bot));
          }
          if (general) {
            h.createQuery("SELECT id FROM ws_users")
                .mapTo(String.class)
                .list()
                .forEach(u -> addMember(h, channel.id(), u));
          }
          return null;
        });
    return channel;
  }

  private static boolean addMember(Handle h, String channelId, String userId) {
    return h.createUpdate(
                "INSERT INTO ws_members (channel_id, user_id, joined) VALUES (:c, :u, :t)"
                    + " ON CONFLICT (channel_id, user_id) DO NOTHING")
            .bind("c", channelId)
            .bind("u", userId)
            .bind("t", now())
            .execute()
        > 0;
  }

  /** Adds {@code userId} to {@code channelId}; false when already a member. */
  public boolean addMember(String channelId, String userId) {
    return write(h -> addMember(h, channelId, userId));
  }

  /** The channel with {@code id}. */
  public Optional<Channel> channel(String id) {
    return read(
        h ->
            h.createQuery("SELECT * FROM ws_channels WHERE id = :id")
                .bind("id", id)
                .map(WorkspaceStore::channelRow)
                .findOne());
  }

  /** The channel named {@code name}. */
  public Optional<Channel> channelByName(String name) {
    return read(
        h ->
            h.createQuery("SELECT * FROM ws_channels WHERE name = :n")
                .bind("n", name)
                .map(WorkspaceStore::channelRow)
                .findOne());
  }

  /**
   * Up to {@code limit} channels named after {@code afterName}, by name: public ones when {@code
   * publicOnes}, and private ones {@code viewer} is a member of when {@code privateOnes}.
   */
  public List<Channel> channels(
      String viewer, boolean publicOnes, boolean privateOnes, String afterName, int limit) {
    return read(
        h ->
            h.createQuery(
                    "SELECT * FROM ws_channels c WHERE c.name > :a AND ("
                        + " (:pub = :yes AND c.is_private = :no) OR (:priv = :yes AND c.is_private"
                        + " = :yes AND EXISTS (SELECT 1 FROM ws_members m WHERE m.channel_id = c.id"
                        + " AND m.user_id = :v))) ORDER BY c.name LIMIT :l")
                .bind("a", afterName)
                .bind("pub", publicOnes)
                .bind("priv", privateOnes)
                .bind("yes", true)
                .bind("no", false)
                .bind("v", viewer)
                .bind("l", limit)
                .map(WorkspaceStore::channelRow)
                .list());
  }

  /** Whether {@code userId} is a member of {@code channelId}. */
  public boolean isMember(String channelId, String userId) {
    return read(
        h ->
            h.createQuery("SELECT count(*) FROM ws_members WHERE channel_id = :c AND user_id = :u")
                    .bind("c", channelId)
                    .bind("u", userId)
                    .mapTo(Long.class)
                    .one()
                > 0);
  }

  /** Up to {@code limit} member ids of {@code channelId} after {@code afterId}, by id. */
  public List<String> members(String channelId, String afterId, int limit) {
    return read(
        h ->
            h.createQuery(
                    "SELECT user_id FROM ws_members WHERE channel_id = :c AND user_id > :a"
                        + " ORDER BY user_id LIMIT :l")
                .bind("c", channelId)
                .bind("a", afterId)
                .bind("l", limit)
                .mapTo(String.class)
                .list());
  }

  /** How many members {@code channelId} has. */
  public int memberCount(String channelId) {
    return read(
        h ->
            h.createQuery("SELECT count(*) FROM ws_members WHERE channel_id = :c")
                .bind("c", channelId)
                .mapTo(Integer.class)
                .one());
  }

  // ---- messages

  private static StoredMessage messageRow(ResultSet rs, StatementContext ctx) throws SQLException {
    return new StoredMessage(
        rs.getString("channel_id"),
        rs.getString("ts"),
        rs.getString("thread_ts"),
        rs.getString("user_id"),
        rs.getString("subtype"),
        rs.getString("text"),
        rs.getString("blocks"),
        rs.getString("attachments"),
        rs.getString("metadata"),
        rs.getString("file_ids"),
        rs.getString("client_msg_id"),
        rs.getString("edited_ts"),
        rs.getString("edited_by"),
        rs.getBoolean("deleted"));
  }

  /** Stores a new message. */
  public void insertMessage(StoredMessage m) {
    long micros = Timestamps.parse(m.ts());
    write(
        h -> {
          h.createUpdate(
                  "INSERT INTO ws_messages (channel_id, ts, ts_micros, thread_ts, user_id, subtype,"
                      + " text, blocks, attachments, metadata, file_ids, client_msg_id, edited_ts,"
                      + " edited_by, deleted) VALUES (:channel, :ts, :micros, :threadTs, :user,"
                      + " :subtype, :text, :blocksJson, :attachmentsJson, :metadataJson, :fileIds,"
                      + " :clientMsgId, :editedTs, :editedBy, :deleted)")
              .bindMethods(m)
              .bind("micros", micros)
              .execute();
          if (m.fileIds() != null) {
            for (String fileId : m.fileIds().split(",", -1)) {
              h.createUpdate(
                      "INSERT INTO ws_file_shares (file_id, channel_id, ts) VALUES (:f, :c, :t)")
                  .bind("f", fileId)
                  .bind("c", m.channel())
                  .bind("t", m.ts())
                  .execute();
            }
          }
          return null;
        });
  }

  /** The message {@code ts} of {@code channelId}, deleted or not. */
  public Optional<StoredMessage> message(String channelId, String ts) {
    return read(
        h ->
            h.createQuery("SELECT * FROM ws_messages WHERE channel_id = :c AND ts = :t")
                .bind("c", channelId)
                .bind("t", ts)
                .map(WorkspaceStore::messageRow)
                .findOne());
  }

  /** Replaces the text, blocks, attachments and metadata of a message and records the edit. */
  public void editMessage(
      String channelId,
      String ts,
      String text,
      String blocksJson,
      String attachmentsJson,
      String metadataJson,
      String editedTs,
      String editedBy) {
    write(
        h ->
            h.createUpdate(
                    "UPDATE ws_messages SET text = :text, blocks = :blocks, attachments ="
                        + " :attachments, metadata = :metadata, edited_ts = :e, edited_by = :by"
                        + " WHERE channel_id = :c AND ts = :t")
                .bind("text", text)
                .bind("blocks", blocksJson)
                .bind("attachments", attachmentsJson)
                .bind("metadata", metadataJson)
                .bind("e", editedTs)
                .bind("by", editedBy)
                .bind("c", channelId)
                .bind("t", ts)
                .execute());
  }

  /** Marks a message deleted and drops its reactions. */
  public void deleteMessage(String channelId, String ts) {
    write(
        h -> {
          h.createUpdate("UPDATE ws_messages SET deleted = :yes WHERE channel_id = :c AND ts = :t")
              .bind("yes", true)
              .bind("c", channelId)
              .bind("t", ts)
              .execute();
          h.createUpdate("DELETE FROM ws_reactions WHERE channel_id = :c AND ts = :t")
              .bind("c", channelId)
              .bind("t", ts)
              .execute();
          return null;
        });
  }

  /**
   * Channel-level messages of {@code channelId} (roots, non-thread messages and broadcasts), newest
   * first, with ts between {@code oldestMicros} and {@code latestMicros}; deleted roots with live
   * replies are kept (shown as tombstones).
   */
  public List<StoredMessage> history(
      String channelId,
      long oldestMicros,
      boolean oldestInclusive,
      long latestMicros,
      boolean latestInclusive,
      int limit) {
    String lower = oldestInclusive ? ">=" : ">";
    String upper = latestInclusive ? "<=" : "<";
    return read(
        h ->
            h.createQuery(
                    "SELECT * FROM ws_messages m WHERE m.channel_id = :c AND m.ts_micros "
                        + lower
                        + " :o AND m.ts_micros "
                        + upper
                        + " :l AND (m.thread_ts IS NULL OR m.thread_ts = m.ts OR m.subtype ="
                        + " 'thread_broadcast') AND (m.deleted = :no OR EXISTS (SELECT 1 FROM"
                        + " ws_messages r WHERE r.channel_id = m.channel_id AND r.thread_ts = m.ts"
                        + " AND r.ts <> m.ts AND r.deleted = :no)) ORDER BY m.ts_micros DESC LIMIT"
                        + " :n")
                .bind("c", channelId)
                .bind("o", oldestMicros)
                .bind("l", latestMicros)
                .bind("no", false)
                .bind("n", limit)
                .map(WorkspaceStore::messageRow)
                .list());
  }

  /**
   * Live replies of the thread {@code threadTs}, oldest first, with ts after {@code afterMicros}.
   */
  public List<StoredMessage> replies(
      String channelId, String threadTs, long afterMicros, long latestMicros, int limit) {
    return read(
        h ->
            h.createQuery(
                    "SELECT * FROM ws_messages WHERE channel_id = :c AND thread_ts = :t AND ts <> :t"
                        + " AND deleted = :no AND ts_micros > :a AND ts_micros <= :l ORDER BY"
                        + " ts_micros LIMIT :n")
                .bind("c", channelId)
                .bind("t", threadTs)
                .bind("no", false)
                .bind("a", afterMicros)
                .bind("l", latestMicros)
                .bind("n", limit)
                .map(WorkspaceStore::messageRow)
                .list());
  }

  /** Reply count, repliers and latest reply of the thread rooted at {@code ts}. */
  public ThreadStats threadStats(String channelId, String ts) {
    return read(
        h -> {
          List<Map.Entry<String, String>> rows =
              h.createQuery(
                      "SELECT user_id, ts FROM ws_messages WHERE channel_id = :c AND thread_ts = :t"
                          + " AND ts <> :t AND deleted = :no ORDER BY ts_micros")
                  .bind("c", channelId)
                  .bind("t", ts)
                  .bind("no", false)
                  .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2)))
                  .list();
          LinkedHashSet<String> users = new LinkedHashSet<>();
          rows.forEach(row -> users.add(row.getKey()));
          return new ThreadStats(
              rows.size(),
              new ArrayList<>(users),
              rows.isEmpty() ? null : rows.get(rows.size() - 1).getValue());
        });
  }

  /** The newest message ts of the workspace in microseconds, 0 when there is none. */
  public long latestMicros() {
    return read(
        h ->
            h.createQuery("SELECT coalesce(max(ts_micros), 0) FROM ws_messages")
                .mapTo(Long.class)
                .one());
  }

  // ---- reactions

  /** Adds a reaction; false when {@code userId} already reacted so. */
  public boolean addReaction(String channelId, String ts, String name, String userId, long seq) {
    return write(
        h ->
            h.createUpdate(
                        "INSERT INTO ws_reactions (channel_id, ts, name, user_id, seq) VALUES (:c,"
                            + " :t, :n, :u, :s) ON CONFLICT (channel_id, ts, name, user_id) DO"
                            + " NOTHING")
                    .bind("c", channelId)
                    .bind("t", ts)
                    .bind("n", name)
                    .bind("u", userId)
                    .bind("s", seq)
                    .execute()
                > 0);
  }

  /** Removes a reaction; false when there was none. */
  public boolean removeReaction(String channelId, String ts, String name, String userId) {
    return write(
        h ->
            h.createUpdate(
                        "DELETE FROM ws_reactions WHERE channel_id = :c AND ts = :t AND name = :n"
                            + " AND user_id = :u")
                    .bind("c", channelId)
                    .bind("t", ts)
                    .bind("n", name)
                    .bind("u", userId)
                    .execute()
                > 0);
  }

  /** The reactions on a message, in the order they were first added. */
  public List<Reaction> reactions(String channelId, String ts) {
    return read(
        h -> {
          Map<String, List<String>> byName = new LinkedHashMap<>();
          h.createQuery(
                  "SELECT name, user_id FROM ws_reactions WHERE channel_id = :c AND ts = :t"
                      + " ORDER BY seq")
              .bind("c", channelId)
              .bind("t", ts)
              .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2)))
              .forEach(
                  row ->
                      byName
                          .computeIfAbsent(row.getKey(), k -> new ArrayList<>())
                          .add(row.getValue()));
          List<Reaction> out = new ArrayList<>();
          byName.forEach((name, users) -> out.add(new Reaction(name, users)));
          return out;
        });
  }

  // ---- files

  private static StoredFile fileRow(ResultSet rs, StatementContext ctx) throws SQLException {
    return new StoredFile(
        rs.getString("id"),
        rs.getString("user_id"),
        rs.getString("name"),
        rs.getString("title"),
        rs.getString("mimetype"),
        rs.getString("filetype"),
        rs.getLong("expected_size"),
        rs.getLong("size"),
        rs.getLong("created"),
        rs.getBoolean("completed"));
  }

  /** Reserves a file awaiting its upload. */
  public StoredFile createFile(
      String userId, String name, String mimetype, String filetype, long expectedSize) {
    StoredFile file =
        new StoredFile(
            Ids.id("F"), userId, name, name, mimetype, filetype, expectedSize, 0, now(), false);
    write(
        h ->
            h.createUpdate(
                    "INSERT INTO ws_files (id, user_id, name, title, mimetype, filetype,"
                        + " expected_size, size, created, completed) VALUES (:id, :user, :name,"
                        + " :title, :mimetype, :filetype, :expectedSize, :size, :created,"
                        + " :completed)")
                .bindMethods(file)
                .execute());
    return file;
  }

  /**
   * Stores the uploaded bytes of an incomplete file; false when the file is unknown or complete.
   */
  public boolean putFileContent(String fileId, byte[] content, String filetype, String mimetype) {
    return write(
        h ->
            h.createUpdate(
                        "UPDATE ws_files SET content = :b, size = :s, filetype = :ft, mimetype = :mt"
                            + " WHERE id = :id AND completed = :no")
                    .bind("ft", filetype)
                    .bind("mt", mimetype)
                    .bind("b", content)
                    .bind("s", (long) content.length)
                    .bind("id", fileId)
                    .bind("no", false)
                    .execute()
                > 0);
  }

  /** Marks a file complete with its title. */
  public void completeFile(String fileId, String title) {
    write(
        h ->
            h.createUpdate("UPDATE ws_files SET completed = :yes, title = :t WHERE id = :id")
                .bind("yes", true)
                .bind("t", title)
                .bind("id", fileId)
                .execute());
  }

  /** The file with {@code id}. */
  public Optional<StoredFile> file(String id) {
    return read(
        h ->
            h.createQuery("SELECT * FROM ws_files WHERE id = :id")
                .bind("id", id)
                .map(WorkspaceStore::fileRow)
                .findOne());
  }

  /** The bytes of file {@code id}. */
  public Optional<byte[]> fileContent(String id) {
    return read(
        h ->
            h.createQuery("SELECT content FROM ws_files WHERE id = :id AND content IS NOT NULL")
                .bind("id", id)
                .map((rs, ctx) -> rs.getBytes(1))
                .findOne());
  }

  /** Channels file {@code id} was shared to (with the sharing message's ts). */
  public List<Map.Entry<String, String>> fileShares(String id) {
    return read(
        h ->
            h.createQuery("SELECT channel_id, ts FROM ws_file_shares WHERE file_id = :id")
                .bind("id", id)
                .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2)))
                .list());
  }
}
