package dev.threadbare.db;

import dev.threadbare.db.internal.CatalogStore;
import dev.threadbare.db.internal.DuckDbEngine;
import dev.threadbare.db.internal.Engine;
import dev.threadbare.db.internal.Errors;
import dev.threadbare.db.internal.LayerAccess;
import dev.threadbare.db.internal.LayerContext;
import dev.threadbare.db.internal.LayerSession;
import dev.threadbare.db.internal.LogicalDatabase;
import dev.threadbare.db.internal.PostgresEngine;
import dev.threadbare.db.internal.Secrets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The migration-free database layer (DESIGN.md section 7): logical databases ({@code prod} and one
 * per preview deployment) on DuckDB or PostgreSQL, credentials per deployed version, the house
 * rules on every statement, usage tracking, automatic indexes, the GC report and the catalog.
 *
 * <p>Create one with {@link #duckDb(Path, DbOptions)} or {@link #postgres(PostgresServer,
 * DbOptions)}; it is thread safe, owns a background thread (index builds, usage flushes, hourly
 * maintenance) and engine connections, and must be {@linkplain #close() closed}.
 */
public final class DbLayer implements SqlService, AutoCloseable {
  private static final Pattern DATABASE_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,59}");

  /** The durable database that promoted versions use; every other one is a capped preview. */
  public static final String PROD = "prod";

  private final LayerContext context;
  private final Map<String, LogicalDatabase> databases = new ConcurrentHashMap<>();
  private final ScheduledExecutorService scheduler;
  private final List<ScheduledFuture<?>> scheduled = new ArrayList<>();

  /**
   * Where a PostgreSQL server is and the role that may create databases on it. A {@code host} that
   * starts with {@code /} is the directory of the server's Unix socket (libpq's convention), the
   * cheaper way to reach a server on the same machine.
   */
  public record PostgresServer(
      String host,
      int port,
      String user,
      String password,
      String adminDatabase,
      String databasePrefix) {
    public PostgresServer {
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(password, "password");
      Objects.requireNonNull(adminDatabase, "adminDatabase");
      Objects.requireNonNull(databasePrefix, "databasePrefix");
      if (host.isBlank()) {
        throw new IllegalArgumentException(
            "host is blank: give a host name, an address, or a Unix-socket directory (/…)");
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port " + port + " is not a TCP port (1 to 65535)");
      }
      if (!databasePrefix.matches("[a-z][a-z0-9_]{0,20}")) {
        throw new IllegalArgumentException(
            "databasePrefix " + databasePrefix + " must be 1 to 21 characters of a-z, 0-9 and _");
      }
    }

    /** A server whose logical databases are named {@code tb_<name>}. */
    public PostgresServer(String host, int port, String user, String password, String admin) {
      this(host, port, user, password, admin, "tb_");
    }
  }

  /** What a bearer token or user name stands for. */
  public record Identity(String user, String database, String version) {}

  private DbLayer(Engine engine, DbOptions options) {
    CatalogStore catalog;
    try {
      catalog = new CatalogStore(engine.catalogConnection(), engine.catalogIsSqlite());
    } catch (SQLException e) {
      engine.close();
      throw Errors.internal("cannot open the db layer's catalog", e);
    }
    this.context = new LayerContext(engine, catalog, options);
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "threadbare-db-maintenance");
              t.setDaemon(true);
              return t;
            });
    scheduled.add(scheduler.scheduleWithFixedDelay(this::flushQuietly, 1, 1, TimeUnit.SECONDS));
    scheduled.add(scheduler.scheduleWithFixedDelay(this::maintainQuietly, 1, 1, TimeUnit.HOURS));
  }

  /** A layer on DuckDB files under {@code dataDir/db/}, its catalog in {@code dataDir}. */
  public static DbLayer duckDb(Path dataDir, DbOptions options) {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(options, "options");
    return new DbLayer(new DuckDbEngine(dataDir), options);
  }

  /** A layer on DuckDB with the default options. */
  public static DbLayer duckDb(Path dataDir) {
    return duckDb(dataDir, DbOptions.defaults());
  }

  /** A layer on a PostgreSQL server: one server database {@code tb_<name>} per logical one. */
  public static DbLayer postgres(PostgresServer server, DbOptions options) {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(options, "options");
    return new DbLayer(
        new PostgresEngine(
            server.host(),
            server.port(),
            server.user(),
            server.password(),
            server.adminDatabase(),
            server.databasePrefix(),
            options.statementTimeout()),
        options);
  }

  /** The options this layer runs with. */
  public DbOptions options() {
    return context.options;
  }

  /** Whether the engine is DuckDB (else PostgreSQL). */
  public boolean isDuckDb() {
    return context.engine.isDuckDb();
  }

  static String checkDatabaseName(String database) {
    Objects.requireNonNull(database, "database");
    if (!DATABASE_NAME.matcher(database).matches()) {
      throw Errors.badDatabaseName(database);
    }
    return database;
  }

  /**
   * Creates credentials for one deployed {@code version} on {@code database}, creating the database
   * if it is new. For an existing database only the catalog is written, so this works while another
   * process serves the database. The password and token are returned once and stored only as a
   * SCRAM verifier and a hash.
   */
  public Credentials addCredentials(String database, String version) {
    checkDatabaseName(database);
    Objects.requireNonNull(version, "version");
    if (version.isBlank() || version.length() > 200) {
      throw Errors.badVersion(version);
    }
    if (!context.catalog.databaseExists(database)) {
      logical(database, true);
    }
    // an existing database is not opened: credentials are a catalog write alone, so another
    // process (a running serve holding the DuckDB file) keeps serving while a version gets them
    String user = "tb_" + Secrets.randomHex(8);
    String password = Secrets.randomHex(16);
    String token = "tbdb_" + Secrets.randomHex(24);
    context.catalog.addCredential(
        database, version, Secrets.scram(user, password), Secrets.tokenHash(token), context.now());
    return new Credentials(database, version, user, password, token);
  }

  /**
   * Caps the preview {@code database} at {@code bytes} instead of {@link
   * DbOptions#previewLimitBytes()}: a write that would pass it is refused (53100) and nothing
   * stored is lost. In memory: the owner of the database sets it again after a restart.
   */
  public void capPreview(String database, long bytes) {
    checkDatabaseName(database);
    if (PROD.equals(database)) {
      throw Errors.prodHasNoCap();
    }
    context.caps.set(database, bytes);
  }

  /** What {@link #backup} or {@link #restore} handled: tables, rows, and the file's size. */
  public record BackupSummary(String database, int tables, long rows, long bytes) {}

  /**
   * Writes {@code database} to the zip {@code out}: its tables and rows as of one transaction (a
   * consistent cut while writes run) and the layer's catalog of it (columns and the versions that
   * made them, usage, automatic indexes), so a restore keeps the house rules' memory. Restores on
   * either engine ({@code internal/DatabaseBackups}).
   */
  public BackupSummary backup(String database, java.nio.file.Path out) {
    checkDatabaseName(database);
    Objects.requireNonNull(out, "out");
    logical(database, false);
    flushUsage();
    var s = dev.threadbare.db.internal.DatabaseBackups.backup(context, database, out);
    return new BackupSummary(s.database(), s.tables(), s.rows(), s.bytes());
  }

  /**
   * Restores the backup {@code in} as {@code database}, which must not exist in this layer yet.
   *
   * @throws DbException 42P04 when it exists; 22023 when {@code in} is not a backup
   */
  public BackupSummary restore(String database, java.nio.file.Path in) {
    checkDatabaseName(database);
    Objects.requireNonNull(in, "in");
    synchronized (databases) {
      var s = dev.threadbare.db.internal.DatabaseBackups.restore(context, database, in);
      return new BackupSummary(s.database(), s.tables(), s.rows(), s.bytes());
    }
  }

  private LogicalDatabase logical(String database, boolean create) {
    LogicalDatabase db = databases.get(database);
    if (db != null) {
      return db;
    }
    if (!create && !context.catalog.databaseExists(database)) {
      throw Errors.noSuchDatabase(database);
    }
    synchronized (databases) {
      db = databases.get(database);
      if (db == null) {
        context.engine.ensureDatabase(database);
        context.catalog.addDatabase(database, context.now());
        db = LayerAccess.newDatabase(database, context);
        databases.put(database, db);
      }
      return db;
    }
  }

  @Override
  public Optional<String> serverVersion() {
    if (context.engine.isDuckDb()) {
      return Optional.empty();
    }
    String known = postgresVersion;
    if (known == null) {
      try (java.sql.Connection c = context.engine.catalogConnection();
          java.sql.Statement s = c.createStatement();
          java.sql.ResultSet rs = s.executeQuery("SHOW server_version")) {
        rs.next();
        known = rs.getString(1).split(" ")[0];
        postgresVersion = known;
      } catch (java.sql.SQLException e) {
        return Optional.empty();
      }
    }
    return Optional.of(known);
  }

  private volatile String postgresVersion;

  @Override
  public Optional<ScramCredential> scramCredential(String user) {
    Objects.requireNonNull(user, "user");
    return context.catalog.credentialByUser(user).map(CatalogStore.CredentialRow::scram);
  }

  /** Who a user name is, if it exists. */
  public Optional<Identity> identityOfUser(String user) {
    Objects.requireNonNull(user, "user");
    return context
        .catalog
        .credentialByUser(user)
        .map(row -> new Identity(row.user(), row.database(), row.version()));
  }

  /** Who an HTTP bearer token stands for, if anyone. */
  public Optional<Identity> identityOfToken(String token) {
    Objects.requireNonNull(token, "token");
    return context
        .catalog
        .credentialByTokenHash(Secrets.tokenHash(token))
        .map(row -> new Identity(row.user(), row.database(), row.version()));
  }

  @Override
  public SqlSession open(String user, String database) {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(database, "database");
    Identity identity = identityOfUser(user).orElseThrow(() -> Errors.unknownUser(user));
    if (!DATABASE_NAME.matcher(database).matches() || !context.catalog.databaseExists(database)) {
      throw Errors.noSuchDatabase(database);
    }
    if (!identity.database().equals(database)) {
      throw Errors.wrongDatabase(user, database);
    }
    return new LayerSession(logical(database, false), identity.version(), !PROD.equals(database));
  }

  /** Writes pending usage records to the catalog now (they are otherwise flushed every second). */
  public void flushUsage() {
    context.usage.flush(context.catalog);
  }

  private void flushQuietly() {
    try {
      flushUsage();
    } catch (RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(DbLayer.class).warn("usage flush failed", e);
    }
  }

  private void maintainQuietly() {
    try {
      runMaintenance();
    } catch (RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(DbLayer.class).warn("db maintenance failed", e);
    }
  }

  /**
   * Flushes usage and drops every automatic index unused for the retention period, by the layer's
   * clock, reporting each to the ops listener. Runs hourly on its own; tests call it after moving
   * the clock.
   */
  public void runMaintenance() {
    flushUsage();
    long cutoff = context.now() - context.options.retention().toMillis();
    String retention = context.options.retention().toDays() + " days";
    for (String name : context.catalog.databases()) {
      LayerAccess.dropUnusedIndexes(logical(name, false), cutoff, retention);
    }
  }

  /** Waits until background index builds submitted so far have finished (for tests and tools). */
  public void awaitBackgroundWork() {
    context.awaitBackground();
  }

  /** The catalog of one logical database: tables, columns with creators, indexes. */
  public CatalogDescription describe(String database) {
    checkDatabaseName(database);
    if (!context.catalog.databaseExists(database)) {
      throw Errors.noSuchDatabase(database);
    }
    Map<String, List<CatalogDescription.Column>> tables = new TreeMap<>();
    for (CatalogStore.ColumnRow c : context.catalog.columns(database)) {
      tables
          .computeIfAbsent(c.table(), k -> new ArrayList<>())
          .add(
              new CatalogDescription.Column(
                  c.column(),
                  c.type(),
                  c.createdBy(),
                  Instant.ofEpochMilli(c.createdAt()),
                  List.of()));
    }
    Map<String, Map<String, TreeSet<String>>> requested = new LinkedHashMap<>();
    for (CatalogStore.RequestedRow r : context.catalog.requested(database)) {
      requested
          .computeIfAbsent(r.table(), k -> new LinkedHashMap<>())
          .computeIfAbsent(r.column(), k -> new TreeSet<>())
          .add(r.version());
    }
    requested.forEach(
        (table, columns) ->
            columns.forEach(
                (column, versions) -> {
                  List<CatalogDescription.Column> list =
                      tables.computeIfAbsent(table, k -> new ArrayList<>());
                  if (list.stream().noneMatch(c -> c.name().equals(column))) {
                    list.add(
                        new CatalogDescription.Column(
                            column, null, null, null, List.copyOf(versions)));
                  }
                }));
    List<CatalogDescription.Table> tableList = new ArrayList<>();
    tables.forEach((name, columns) -> tableList.add(new CatalogDescription.Table(name, columns)));
    List<CatalogDescription.Index> indexes = new ArrayList<>();
    for (CatalogStore.IndexRow i : context.catalog.indexes(database)) {
      indexes.add(
          new CatalogDescription.Index(
              i.name(),
              i.table(),
              i.column(),
              i.reason(),
              Instant.ofEpochMilli(i.createdAt()),
              Instant.ofEpochMilli(i.lastUsedAt()),
              i.droppedAt() == null ? null : Instant.ofEpochMilli(i.droppedAt()),
              i.dropReason()));
    }
    return new CatalogDescription(database, tableList, indexes);
  }

  /**
   * Which columns could be garbage collected: per column, the versions holding it and when each
   * last used it. Drops nothing.
   */
  public GcReport gcReport(String database) {
    checkDatabaseName(database);
    if (!context.catalog.databaseExists(database)) {
      throw Errors.noSuchDatabase(database);
    }
    flushUsage();
    long now = context.now();
    Duration retention = context.options.retention();
    long cutoff = now - retention.toMillis();
    Map<String, Map<String, TreeMap<String, long[]>>> uses = new TreeMap<>();
    Map<String, Map<String, TreeMap<String, TreeSet<String>>>> kinds = new TreeMap<>();
    Map<String, Long> created = new java.util.HashMap<>();
    for (CatalogStore.ColumnRow c : context.catalog.columns(database)) {
      uses.computeIfAbsent(c.table(), k -> new TreeMap<>())
          .computeIfAbsent(c.column(), k -> new TreeMap<>());
      created.put(c.table() + '\0' + c.column(), c.createdAt());
    }
    for (CatalogStore.UsageRow u : context.catalog.usage(database)) {
      if (u.kind().equals("omit")) {
        continue; // an INSERT that left the column out does not hold it
      }
      Map<String, TreeMap<String, long[]>> columns = uses.get(u.table());
      if (columns == null || !columns.containsKey(u.column())) {
        continue;
      }
      columns
          .get(u.column())
          .merge(u.version(), new long[] {u.lastAt()}, (a, b) -> new long[] {Math.max(a[0], b[0])});
      kinds
          .computeIfAbsent(u.table(), k -> new TreeMap<>())
          .computeIfAbsent(u.column(), k -> new TreeMap<>())
          .computeIfAbsent(u.version(), k -> new TreeSet<>())
          .add(u.kind().equals("read") ? "read" : "write");
    }
    List<GcReport.ColumnUse> columns = new ArrayList<>();
    uses.forEach(
        (table, byColumn) ->
            byColumn.forEach(
                (column, byVersion) -> {
                  List<GcReport.VersionUse> holders = new ArrayList<>();
                  long last = Long.MIN_VALUE;
                  for (var e : byVersion.entrySet()) {
                    last = Math.max(last, e.getValue()[0]);
                    holders.add(
                        new GcReport.VersionUse(
                            e.getKey(),
                            Instant.ofEpochMilli(e.getValue()[0]),
                            List.copyOf(kinds.get(table).get(column).get(e.getKey()))));
                  }
                  Instant lastUsed = last == Long.MIN_VALUE ? null : Instant.ofEpochMilli(last);
                  // a column is young until it has existed for the retention period
                  long lastSign =
                      Math.max(last, created.getOrDefault(table + '\0' + column, Long.MIN_VALUE));
                  boolean collectible = lastSign < cutoff;
                  columns.add(
                      new GcReport.ColumnUse(table, column, holders, lastUsed, collectible));
                }));
    return new GcReport(database, Instant.ofEpochMilli(now), retention, columns);
  }

  /** Flushes usage, waits for background work and closes every connection. Idempotent. */
  @Override
  public void close() {
    scheduled.forEach(f -> f.cancel(false));
    scheduler.shutdownNow();
    try {
      context.awaitBackground();
    } catch (RuntimeException e) {
      // closing anyway
    }
    context.close();
    try {
      flushUsage();
    } catch (RuntimeException e) {
      // the catalog may already be gone
    }
    context.catalog.close();
    context.engine.close();
  }
}
