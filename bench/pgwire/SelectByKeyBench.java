import dev.threadbare.db.DbException;
import dev.threadbare.db.ResultColumn;
import dev.threadbare.db.ScramCredential;
import dev.threadbare.db.SqlService;
import dev.threadbare.db.SqlSession;
import dev.threadbare.db.StatementDescription;
import dev.threadbare.db.StatementResult;
import dev.threadbare.db.TransactionStatus;
import dev.threadbare.pgwire.PgWireServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.InetSocketAddress;
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
 *   <li>{@code direct-pg}: an embedded PostgreSQL 14 (the baseline), and
 *   <li>{@code wire+passthrough-pg}: the threadbare wire server whose SqlService hands each
 *       statement to a pooled JDBC connection on that same PostgreSQL (the wire server's own
 *       cost, without the db layer's rules).
 * </ul>
 *
 * Rounds alternate targets so that both see the same machine state; the median round counts.
 */
public final class SelectByKeyBench {
  static final int ROWS = 10_000;
  static final String QUERY = "SELECT v FROM kv WHERE k = ?";

  interface Target {
    String name();

    Connection connect() throws SQLException;
  }

  public static void main(String[] args) throws Exception {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 4;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
      String pgUrl = postgres.getJdbcUrl("postgres", "postgres");
      try (Connection setup = DriverManager.getConnection(pgUrl);
          Statement statement = setup.createStatement()) {
        statement.execute("CREATE TABLE kv (k INTEGER PRIMARY KEY, v TEXT NOT NULL)");
        statement.execute(
            "INSERT INTO kv SELECT g, 'value-' || g FROM generate_series(1, " + ROWS + ") g");
        statement.execute("ANALYZE kv");
      }
      PassThroughService passThrough = new PassThroughService(pgUrl, "bench", "bench-password");
      try (PgWireServer wire =
          PgWireServer.start(
              passThrough,
              new InetSocketAddress("127.0.0.1", 0),
              PgWireServer.Settings.defaults())) {
        String wireUrl = "jdbc:postgresql://127.0.0.1:" + wire.port() + "/bench";
        List<Target> targets =
            List.of(
                target("direct-pg", () -> DriverManager.getConnection(pgUrl)),
                target(
                    "wire+passthrough-pg",
                    () -> DriverManager.getConnection(wireUrl, "bench", "bench-password")));
        run(targets, threads, seconds, rounds);
      }
    }
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
    System.out.printf(
        "select-by-key: %d rows, %d client threads, %d s per round, %d rounds, %d cores%n",
        ROWS, threads, seconds, rounds, Runtime.getRuntime().availableProcessors());
    for (Target target : targets) {
      measure(target, threads, 2); // warm-up: JIT, prepared statements, caches
    }
    Map<String, List<Double>> results = new LinkedHashMap<>();
    for (int round = 0; round < rounds; round++) {
      for (Target target : targets) {
        double opsPerSecond = measure(target, threads, seconds);
        results.computeIfAbsent(target.name(), k -> new ArrayList<>()).add(opsPerSecond);
        System.out.printf("  round %d %-24s %10.0f selects/s%n", round + 1, target.name(), opsPerSecond);
      }
    }
    String baseline = targets.get(0).name();
    double base = median(results.get(baseline));
    System.out.printf("%-24s %10s %8s%n", "target", "median/s", "ratio");
    for (Map.Entry<String, List<Double>> entry : results.entrySet()) {
      double median = median(entry.getValue());
      System.out.printf(
          "%-24s %10.0f %7.2fx  (vs %s)%n", entry.getKey(), median, median / base, baseline);
    }
  }

  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  static double measure(Target target, int threads, int seconds) throws Exception {
    LongAdder done = new LongAdder();
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch ready = new CountDownLatch(threads);
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
    for (int t = 0; t < threads; t++) {
      Thread worker =
          new Thread(
              () -> {
                try (Connection connection = target.connect();
                    PreparedStatement select = connection.prepareStatement(QUERY)) {
                  ready.countDown();
                  go.await();
                  ThreadLocalRandom random = ThreadLocalRandom.current();
                  while (!stop.get()) {
                    int k = random.nextInt(1, ROWS + 1);
                    select.setInt(1, k);
                    try (ResultSet rs = select.executeQuery()) {
                      if (!rs.next() || !rs.getString(1).equals("value-" + k)) {
                        throw new IllegalStateException(target.name() + ": wrong row for " + k);
                      }
                    }
                    done.increment();
                  }
                } catch (Throwable e) {
                  failures.add(e);
                  ready.countDown();
                }
              });
      worker.start();
      workers.add(worker);
    }
    ready.await();
    long start = System.nanoTime();
    go.countDown();
    Thread.sleep(seconds * 1000L);
    stop.set(true);
    long elapsed = System.nanoTime() - start;
    for (Thread worker : workers) {
      worker.join();
    }
    if (!failures.isEmpty()) {
      throw new IllegalStateException(target.name() + " failed", failures.get(0));
    }
    return done.sum() / (elapsed / 1e9);
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
        return new PassThroughSession(DriverManager.getConnection(url));
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
          statement.setObject(i + 1, params.get(i));
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
