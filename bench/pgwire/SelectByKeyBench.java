import dev.threadbare.db.Credentials;
import dev.threadbare.db.DbException;
import dev.threadbare.db.DbLayer;
import dev.threadbare.db.DbOptions;
import dev.threadbare.db.ResultColumn;
import dev.threadbare.db.ScramCredential;
import dev.threadbare.db.SqlService;
import dev.threadbare.db.SqlSession;
import dev.threadbare.db.StatementDescription;
import dev.threadbare.db.StatementResult;
import dev.threadbare.db.TransactionStatus;
import dev.threadbare.pgwire.PgWireServer;
import dev.threadbare.pgwire.TlsIdentity;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.postgresql.jdbc.PgResultSet;

/**
 * Select-by-key throughput: the same JDBC loop (N client threads, one connection each, one
 * prepared {@code SELECT v FROM kv WHERE k = ?} with random keys) against
 *
 * <ul>
 *   <li>{@code direct-pg}: an embedded PostgreSQL 14 (the baseline), straight to the server
 *       database and table the layer made;
 *   <li>{@code wire+layer-pg}: the threadbare wire server in front of the db layer on that same
 *       PostgreSQL (house rules, usage tracking, automatic index), the layer reaching PostgreSQL
 *       over TCP;
 *   <li>{@code wire+layer-pg-unix}: the same, the layer reaching PostgreSQL by its Unix socket;
 *   <li>{@code wire+layer-pg-unix-tls}: the same, the client speaking TLS to the wire server
 *       (pgjdbc {@code sslmode=require}; a self-signed certificate);
 *   <li>{@code wire+layer-duckdb}: the wire server in front of the db layer on DuckDB (same
 *       table, rows and automatic index);
 *   <li>{@code wire+passthrough-pg}: the threadbare wire server whose SqlService hands each
 *       statement to its own JDBC connection on that same PostgreSQL (the wire server's own cost,
 *       without the db layer's rules);
 * </ul>
 *
 * and, as floors for what any proxy costs on this machine, three that do no work at all on the
 * bytes ({@link Relays}, {@link MuxRelay}): {@code relay-tcp} and {@code relay-unix} copy bytes
 * between the client and a PostgreSQL connection of its own (two blocking threads per
 * connection; to PostgreSQL over TCP or its Unix socket); {@code relay-mux-unix} is one event
 * loop pipelining every client's requests onto one PostgreSQL connection (pgbouncer's transaction
 * pooling, minus everything else).
 *
 * Rounds alternate targets so that both see the same machine state; the median round counts.
 * {@code -Dbench.workload=insert} measures single-row INSERTs ({@code INSERT INTO ins (k, v) VALUES
 * (?, ?)}, autocommit) instead of selects.
 */
public final class SelectByKeyBench {
  static final int ROWS = 10_000;
  static final String QUERY = "SELECT v FROM kv WHERE k = ?";
  static final String INSERT = "INSERT INTO ins (k, v) VALUES (?, ?)";

  /** {@code -Dbench.workload=insert}: each operation inserts one row instead of selecting one. */
  static final boolean INSERTS = "insert".equals(System.getProperty("bench.workload", "select"));

  static final java.util.concurrent.atomic.AtomicLong NEXT_KEY = new java.util.concurrent.atomic.AtomicLong(1);

  interface Target {
    String name();

    Connection connect() throws SQLException;
  }

  public static void main(String[] args) throws Exception {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 4;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    Path socketDirectory = Files.createTempDirectory(Path.of("/tmp"), "tbbench");
    try (EmbeddedPostgres postgres =
        EmbeddedPostgres.builder()
            .setServerConfig("unix_socket_directories", socketDirectory.toString())
            .start()) {
      int pgPort = postgres.getPort();
      // The layer creates the server database tb_bench and, through the wire, the table kv
      // (implicitly, by inserting) and its index on k (by the first query filtering on it).
      try (DbLayer layer =
          DbLayer.postgres(
              new DbLayer.PostgresServer("localhost", pgPort, "postgres", "", "postgres"),
              DbOptions.defaults())) {
        Credentials credentials = layer.addCredentials("bench", "v1");
        try (PgWireServer layerWire = wire(layer)) {
          Target viaLayer = wireTarget("wire+layer-pg", layerWire, credentials);
          try (Connection setup = viaLayer.connect();
              Statement statement = setup.createStatement()) {
            for (int first = 1; first <= ROWS; first += 500) {
              StringBuilder insert = new StringBuilder("INSERT INTO kv (k, v) VALUES ");
              for (int k = first; k < first + 500; k++) {
                insert.append(k == first ? "" : ", ").append("(" + k + ", 'value-" + k + "')");
              }
              statement.executeUpdate(insert.toString());
            }
            statement.executeQuery("SELECT v FROM kv WHERE k = 1").close();
            statement.executeUpdate("INSERT INTO ins (k, v) VALUES (0, 'made by the layer')");
            layer.awaitBackgroundWork(); // the automatic index on kv.k is built
          }
          String pgUrl = postgres.getJdbcUrl("postgres", "tb_bench");
          try (Connection admin = DriverManager.getConnection(pgUrl);
              Statement statement = admin.createStatement()) {
            statement.execute("ANALYZE kv");
          }
          PassThroughService passThrough =
              new PassThroughService(pgUrl, "bench", "bench-password");
          // A second layer on the same server and catalog, reaching PostgreSQL by its Unix
          // socket; opened only now, as a layer owns its databases: it reads their schema once.
          try (DbLayer socketLayer =
                  DbLayer.postgres(
                      new DbLayer.PostgresServer(
                          socketDirectory.toString(), pgPort, "postgres", "", "postgres"),
                      DbOptions.defaults());
              PgWireServer socketLayerWire = wire(socketLayer);
              PgWireServer tlsLayerWire =
                  PgWireServer.start(
                      socketLayer,
                      new InetSocketAddress("127.0.0.1", 0),
                      PgWireServer.Settings.defaults()
                          .withTls(
                              TlsIdentity.selfSigned(
                                      socketDirectory.resolve("bench-tls.p12"), "127.0.0.1")
                                  .sslContext()));
              PgWireServer passThroughWire = wire(passThrough)) {
            Credentials socketCredentials = socketLayer.addCredentials("bench", "v2");
            String relayUrl = "jdbc:postgresql://127.0.0.1:%d/tb_bench?user=postgres";
            Target viaDuckDb = duckDbTarget(socketDirectory.resolve("duckdb"));
            int tcpRelay = Relays.blocking(pgPort, null);
            int socketRelay = Relays.blocking(pgPort, socketDirectory.toString());
            int muxRelay = MuxRelay.start(pgPort, socketDirectory.toString(), "tb_bench");
            List<Target> targets =
                List.of(
                    target("direct-pg", () -> DriverManager.getConnection(pgUrl)),
                    viaLayer,
                    wireTarget("wire+layer-pg-unix", socketLayerWire, socketCredentials),
                    viaDuckDb,
                    target(
                        "wire+layer-pg-unix-tls",
                        () ->
                            DriverManager.getConnection(
                                "jdbc:postgresql://127.0.0.1:"
                                    + tlsLayerWire.port()
                                    + "/bench?sslmode=require",
                                socketCredentials.user(),
                                socketCredentials.password())),
                    target(
                        "wire+passthrough-pg",
                        () ->
                            DriverManager.getConnection(
                                "jdbc:postgresql://127.0.0.1:" + passThroughWire.port() + "/bench",
                                "bench",
                                "bench-password")),
                    target(
                        "relay-tcp",
                        () -> DriverManager.getConnection(relayUrl.formatted(tcpRelay))),
                    target(
                        "relay-unix",
                        () -> DriverManager.getConnection(relayUrl.formatted(socketRelay))),
                    target(
                        "relay-mux-unix",
                        () ->
                            DriverManager.getConnection(
                                relayUrl.formatted(muxRelay) + "&sslmode=disable")));
            // -Dbench.targets=direct-pg,wire+layer-pg runs only those (the first is the baseline)
            String only = System.getProperty("bench.targets");
            if (only != null) {
              List<String> names = List.of(only.split(","));
              targets = targets.stream().filter(t -> names.contains(t.name())).toList();
            }
            run(targets, threads, seconds, rounds);
          }
        }
      }
    } finally {
      try (var files = Files.list(socketDirectory)) {
        for (Path file : files.toList()) {
          Files.deleteIfExists(file);
        }
      }
      Files.deleteIfExists(socketDirectory);
    }
  }

  /**
   * {@code wire+layer-duckdb}: the wire server in front of the db layer on DuckDB, with the same
   * table and rows made the same way (through the wire) and its automatic index on k. The layer and
   * server live until the JVM exits.
   */
  static Target duckDbTarget(Path dataDir) throws Exception {
    DbLayer duck = DbLayer.duckDb(dataDir);
    Credentials credentials = duck.addCredentials("bench", "v1");
    PgWireServer server = wire(duck);
    Target target = wireTarget("wire+layer-duckdb", server, credentials);
    try (Connection setup = target.connect();
        Statement statement = setup.createStatement()) {
      for (int first = 1; first <= ROWS; first += 500) {
        StringBuilder insert = new StringBuilder("INSERT INTO kv (k, v) VALUES ");
        for (int k = first; k < first + 500; k++) {
          insert.append(k == first ? "" : ", ").append("(" + k + ", 'value-" + k + "')");
        }
        statement.executeUpdate(insert.toString());
      }
      statement.executeQuery("SELECT v FROM kv WHERE k = 1").close();
      statement.executeUpdate("INSERT INTO ins (k, v) VALUES (0, 'made by the layer')");
      duck.awaitBackgroundWork();
    }
    return target;
  }

  static PgWireServer wire(SqlService service) {
    return PgWireServer.start(
        service, new InetSocketAddress("127.0.0.1", 0), PgWireServer.Settings.defaults());
  }

  static Target wireTarget(String name, PgWireServer server, Credentials credentials) {
    String url = "jdbc:postgresql://127.0.0.1:" + server.port() + "/bench";
    return target(
        name, () -> DriverManager.getConnection(url, credentials.user(), credentials.password()));
  }

  static Target target(String name, SqlConnector connector) {
    return new Target() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Connection connect() throws SQLException {
        return connector.connect();
      }
    };
  }

  interface SqlConnector {
    Connection connect() throws SQLException;
  }

  static void run(List<Target> targets, int threads, int seconds, int rounds) throws Exception {
    // -Dbench.jfr=out.jfr profiles the measured rounds only (not the setup and its big INSERTs)
    String jfr = System.getProperty("bench.jfr");
    jdk.jfr.Recording recording = null;
    if (jfr != null) {
      recording = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"));
      recording.setDestination(java.nio.file.Path.of(jfr));
      recording.start();
    }
    try {
      runRounds(targets, threads, seconds, rounds);
    } finally {
      if (recording != null) {
        recording.stop();
        recording.close();
      }
    }
  }

  static void runRounds(List<Target> targets, int threads, int seconds, int rounds)
      throws Exception {
    System.out.printf(
        "%s: %d rows, %d client threads, %d s per round, %d rounds, %d cores%n",
        INSERTS ? "insert" : "select-by-key",
        ROWS, threads, seconds, rounds, Runtime.getRuntime().availableProcessors());
    for (Target target : targets) {
      measure(target, threads, 2); // warm-up: JIT, prepared statements, caches
    }
    Map<String, List<Double>> throughput = new LinkedHashMap<>();
    Map<String, List<Double>> cpuPerOp = new LinkedHashMap<>();
    for (int round = 0; round < rounds; round++) {
      for (Target target : targets) {
        Round result = measure(target, threads, seconds);
        throughput.computeIfAbsent(target.name(), k -> new ArrayList<>()).add(result.opsPerSecond());
        cpuPerOp.computeIfAbsent(target.name(), k -> new ArrayList<>()).add(result.cpuMicrosPerOp());
        System.out.printf(
            "  round %d %-22s %8.0f ops/s %7.1f us CPU/op%n",
            round + 1, target.name(), result.opsPerSecond(), result.cpuMicrosPerOp());
      }
    }
    String baseline = targets.get(0).name();
    double base = median(throughput.get(baseline));
    double baseCpu = median(cpuPerOp.get(baseline));
    System.out.printf(
        "%-22s %10s %8s %14s %16s%n",
        "target (medians)", "ops/s", "ratio", "us CPU/op", "efficiency ratio");
    for (Target target : targets) {
      double median = median(throughput.get(target.name()));
      double cpu = median(cpuPerOp.get(target.name()));
      System.out.printf(
          "%-22s %10.0f %7.2fx %14.1f %15.2fx%n", target.name(), median, median / base, cpu, baseCpu / cpu);
    }
    System.out.println("ratios are against " + baseline + "; efficiency = baseline CPU per select / target CPU per select");
  }

  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  /** Throughput and CPU cost of one round. */
  record Round(double opsPerSecond, double cpuMicrosPerOp) {}

  /**
   * CPU time (ns) used so far by this JVM (clients, wire server, layer) plus every PostgreSQL
   * backend serving the bench database: a figure that, unlike throughput, does not depend on how
   * much of a shared machine the bench gets.
   */
  static long cpuNanos() throws java.io.IOException {
    long total =
        ((com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime();
    long ticks = 0;
    try (var procs = java.nio.file.Files.list(java.nio.file.Path.of("/proc"))) {
      for (java.nio.file.Path proc : (Iterable<java.nio.file.Path>) procs::iterator) {
        String name = proc.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          String cmdline =
              new String(java.nio.file.Files.readAllBytes(proc.resolve("cmdline"))).replace('\0', ' ');
          if (!cmdline.startsWith("postgres: ") || !cmdline.contains(" tb_bench ")) {
            continue;
          }
          String stat = java.nio.file.Files.readString(proc.resolve("stat"));
          String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
        } catch (java.io.IOException | RuntimeException e) {
          // the process ended meanwhile
        }
      }
    }
    return total + ticks * 10_000_000L; // USER_HZ = 100
  }

  static Round measure(Target target, int threads, int seconds) throws Exception {
    LongAdder done = new LongAdder();
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch ready = new CountDownLatch(threads);
    CountDownLatch go = new CountDownLatch(1);
    CountDownLatch stopped = new CountDownLatch(threads);
    CountDownLatch measured = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
    for (int t = 0; t < threads; t++) {
      Thread worker =
          new Thread(
              () -> {
                try (Connection connection = target.connect();
                    PreparedStatement select =
                        connection.prepareStatement(INSERTS ? INSERT : QUERY)) {
                  ready.countDown();
                  go.await();
                  ThreadLocalRandom random = ThreadLocalRandom.current();
                  while (!stop.get()) {
                    if (INSERTS) {
                      long k = NEXT_KEY.getAndIncrement();
                      select.setLong(1, k);
                      select.setString(2, "value-" + k);
                      if (select.executeUpdate() != 1) {
                        throw new IllegalStateException(target.name() + ": insert of " + k);
                      }
                      done.increment();
                      continue;
                    }
                    int k = random.nextInt(1, ROWS + 1);
                    select.setInt(1, k);
                    try (ResultSet rs = select.executeQuery()) {
                      if (!rs.next() || !rs.getString(1).equals("value-" + k)) {
                        throw new IllegalStateException(target.name() + ": wrong row for " + k);
                      }
                    }
                    done.increment();
                  }
                  stopped.countDown();
                  measured.await(); // keep the connection (and its backend) until CPU is read
                } catch (Throwable e) {
                  failures.add(e);
                  ready.countDown();
                  stopped.countDown();
                }
              });
      worker.start();
      workers.add(worker);
    }
    ready.await();
    long cpuBefore = cpuNanos();
    long start = System.nanoTime();
    go.countDown();
    Thread.sleep(seconds * 1000L);
    stop.set(true);
    stopped.await();
    long elapsed = System.nanoTime() - start;
    long cpu = cpuNanos() - cpuBefore;
    measured.countDown();
    for (Thread worker : workers) {
      worker.join();
    }
    if (!failures.isEmpty()) {
      throw new IllegalStateException(target.name() + " failed", failures.get(0));
    }
    return new Round(done.sum() / (elapsed / 1e9), cpu / 1e3 / Math.max(1, done.sum()));
  }

  /**
   * A SqlService without rules: each session owns one JDBC connection to PostgreSQL and a cache
   * of its prepared statements. Stands in for "the wire server alone".
   */
  static final class PassThroughService implements SqlService {
    private final String url;
    private final ScramCredential credential;

    PassThroughService(String url, String user, String password) throws Exception {
      this.url = url;
      this.credential = scram(user, password, "bench-salt".getBytes(), 4096);
    }

    @Override
    public Optional<ScramCredential> scramCredential(String user) {
      return user.equals(credential.user()) ? Optional.of(credential) : Optional.empty();
    }

    @Override
    public SqlSession open(String user, String database) {
      try {
        return new PassThroughSession(DriverManager.getConnection(url + "&socketFactory=dev.threadbare.db.internal.BlockingSocketFactory"));
      } catch (SQLException e) {
        throw new DbException("08006", e.getMessage());
      }
    }

    static ScramCredential scram(String user, String password, byte[] salt, int iterations)
        throws Exception {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(password.getBytes(java.nio.charset.StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update(salt);
      byte[] block = mac.doFinal(new byte[] {0, 0, 0, 1});
      byte[] salted = block.clone();
      for (int i = 1; i < iterations; i++) {
        block = mac.doFinal(block);
        for (int j = 0; j < salted.length; j++) {
          salted[j] ^= block[j];
        }
      }
      Mac keyed = Mac.getInstance("HmacSHA256");
      keyed.init(new SecretKeySpec(salted, "HmacSHA256"));
      byte[] clientKey = keyed.doFinal("Client Key".getBytes());
      byte[] serverKey = keyed.doFinal("Server Key".getBytes());
      byte[] storedKey = MessageDigest.getInstance("SHA-256").digest(clientKey);
      return new ScramCredential(user, salt, iterations, storedKey, serverKey);
    }
  }

  static final class PassThroughSession implements SqlSession {
    private final Connection connection;
    private final Map<String, PreparedStatement> prepared = new HashMap<>();

    PassThroughSession(Connection connection) {
      this.connection = connection;
    }

    private PreparedStatement prepare(String sql) throws SQLException {
      PreparedStatement statement = prepared.get(sql);
      if (statement == null) {
        // the wire carries $1, $2…; pgjdbc wants ? (the bench's statements use them in order)
        statement = connection.prepareStatement(sql.replaceAll("\\$\\d+", "?"));
        prepared.put(sql, statement);
      }
      return statement;
    }

    @Override
    public List<StatementResult> execute(String sql, List<Object> params) {
      try {
        PreparedStatement statement = prepare(sql);
        for (int i = 0; i < params.size(); i++) {
          Object value = params.get(i);
          statement.setObject(
              i + 1,
              value instanceof dev.threadbare.db.UntypedParameter untyped ? untyped.text() : value);
        }
        if (!statement.execute()) {
          return List.of(
              new StatementResult(
                  "UPDATE " + statement.getUpdateCount(), List.of(), List.of(), List.of()));
        }
        try (ResultSet rs = statement.getResultSet()) {
          PgResultSet pg = rs.unwrap(PgResultSet.class);
          ResultSetMetaData metaData = rs.getMetaData();
          List<ResultColumn> columns = new ArrayList<>();
          for (int c = 1; c <= metaData.getColumnCount(); c++) {
            columns.add(new ResultColumn(metaData.getColumnLabel(c), pg.getColumnOID(c)));
          }
          List<Object[]> rows = new ArrayList<>();
          while (rs.next()) {
            Object[] row = new Object[columns.size()];
            for (int c = 0; c < row.length; c++) {
              row[c] = rs.getObject(c + 1);
            }
            rows.add(row);
          }
          return List.of(new StatementResult("SELECT " + rows.size(), columns, rows, List.of()));
        }
      } catch (SQLException e) {
        throw new DbException(
            e.getSQLState() == null ? "XX000" : e.getSQLState(), String.valueOf(e.getMessage()));
      }
    }

    @Override
    public StatementDescription describe(String sql) {
      try {
        PreparedStatement statement = prepare(sql);
        ResultSetMetaData metaData = statement.getMetaData();
        List<ResultColumn> columns = new ArrayList<>();
        if (metaData != null) {
          for (int c = 1; c <= metaData.getColumnCount(); c++) {
            columns.add(new ResultColumn(metaData.getColumnLabel(c), oid(metaData.getColumnTypeName(c))));
          }
        }
        int parameters = statement.getParameterMetaData().getParameterCount();
        return new StatementDescription(Collections.nCopies(parameters, 0), columns);
      } catch (SQLException e) {
        throw new DbException(
            e.getSQLState() == null ? "XX000" : e.getSQLState(), String.valueOf(e.getMessage()));
      }
    }

    static int oid(String typeName) {
      return switch (typeName) {
        case "bool" -> 16;
        case "int8" -> 20;
        case "int2" -> 21;
        case "int4", "serial" -> 23;
        case "float4" -> 700;
        case "float8" -> 701;
        case "numeric" -> 1700;
        case "varchar" -> 1043;
        case "timestamp" -> 1114;
        case "timestamptz" -> 1184;
        case "date" -> 1082;
        case "bytea" -> 17;
        default -> 25;
      };
    }

    @Override
    public void cancel() {}

    @Override
    public TransactionStatus transactionStatus() {
      return TransactionStatus.IDLE;
    }

    @Override
    public void close() {
      try {
        connection.close();
      } catch (SQLException e) {
        // ignore: the bench is ending
      }
    }
  }
}
