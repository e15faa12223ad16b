import dev.threadbare.db.Credentials;
import dev.threadbare.db.DbLayer;
import dev.threadbare.db.DbOptions;
import dev.threadbare.db.SqlSession;
import dev.threadbare.db.internal.ColumnType;
import dev.threadbare.db.internal.Plan;
import dev.threadbare.db.internal.PlanCache;
import dev.threadbare.db.internal.Planner;
import dev.threadbare.db.internal.UsageTracker;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The db layer's figures, each against a baseline measured in the same process:
 *
 * <ol>
 *   <li>rule check: parse + house rules + usage record per statement, cold (no plan cache), against
 *       JSqlParser's parse alone; and a whole statement through the layer (cached plan) against
 *       the same statement on a direct JDBC connection;
 *   <li>a column added implicitly (an INSERT naming a new column) to a 1,000,000-row table,
 *       against a plain ALTER TABLE … ADD COLUMN on the engine;
 *   <li>a point query on a non-key column of 1,000,000 rows: on the engine before the layer has
 *       seen it (no index) against through the layer after its automatic index is built.
 * </ol>
 *
 * Usage: java -cp CP DbLayerBench.java duckdb|postgres WORKDIR
 */
public final class DbLayerBench {
  static final int ROWS = 1_000_000;

  public static void main(String[] args) throws Exception {
    String engine = args[0];
    Path work = Path.of(args[1]);
    Files.createDirectories(work);
    Map<String, String> figures = new LinkedHashMap<>();
    ruleCheck(figures);
    if (engine.equals("duckdb")) {
      Path dir = Files.createTempDirectory(work, "duck");
      Files.createDirectories(dir.resolve("db"));
      String url = "jdbc:duckdb:" + dir.resolve("db").resolve("prod.duckdb");
      try (Connection raw = DriverManager.getConnection(url)) {
        prepare(raw, true, figures);
      }
      try (DbLayer layer = DbLayer.duckDb(dir, DbOptions.defaults())) {
        throughLayer(layer, figures, null);
      }
    } else {
      try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
        try (Connection admin = pg.getPostgresDatabase().getConnection();
            Statement s = admin.createStatement()) {
          s.execute("CREATE DATABASE tb_prod");
        }
        try (Connection raw = pg.getDatabase("postgres", "tb_prod").getConnection()) {
          prepare(raw, false, figures);
        }
        try (DbLayer layer =
            DbLayer.postgres(
                new DbLayer.PostgresServer("localhost", pg.getPort(), "postgres", "postgres", "postgres"),
                DbOptions.defaults())) {
          throughLayer(layer, figures, pg.getDatabase("postgres", "tb_prod").getConnection());
        }
      }
    }
    figures.forEach((k, v) -> System.out.println(engine + "\t" + k + "\t" + v));
  }

  /** Parse + rules + usage record per statement, without the plan cache; baseline: parse only. */
  static void ruleCheck(Map<String, String> figures) {
    Map<String, Map<String, ColumnType>> schema = new LinkedHashMap<>();
    schema.put("orders", new LinkedHashMap<>(Map.of("id", ColumnType.BIGINT, "customer", ColumnType.TEXT,
        "total", ColumnType.NUMERIC, "placed", ColumnType.TIMESTAMP)));
    schema.put("customers", new LinkedHashMap<>(Map.of("id", ColumnType.BIGINT, "name", ColumnType.TEXT)));
    List<String> statements = List.of(
        "SELECT id, total FROM orders WHERE customer = $1 ORDER BY placed DESC LIMIT 20",
        "INSERT INTO orders (id, customer, total, placed) VALUES ($1, $2, $3, $4)",
        "UPDATE orders SET total = $1 WHERE id = $2",
        "SELECT c.name, count(o.id) FROM customers c JOIN orders o ON o.customer = c.name GROUP BY c.name",
        "DELETE FROM orders WHERE id = $1",
        "SELECT id, nickname FROM customers WHERE id = 3");
    UsageTracker usage = new UsageTracker();
    Planner planner = new Planner(schema);
    int rounds = 20_000;
    long[] layer = new long[rounds];
    long[] parseOnly = new long[rounds];
    for (int warm = 0; warm < 2; warm++) {
      for (int i = 0; i < rounds; i++) {
        String sql = statements.get(i % statements.size());
        long t0 = System.nanoTime();
        Planner.parse(sql);
        long t1 = System.nanoTime();
        Plan plan = planner.plan(sql);
        usage.record("prod", "v1", plan.uses(), 1L);
        long t2 = System.nanoTime();
        parseOnly[i] = t1 - t0;
        layer[i] = t2 - t1;
      }
    }
    figures.put("rule check, cold: parse + rules + usage (median µs/stmt)", micros(median(layer)));
    // the hot path: the plan cache the layer keeps per database, then the usage record
    PlanCache cache = new PlanCache(10_000);
    for (String sql : statements) {
      cache.put(sql, 1L, planner.plan(sql));
    }
    long[] cached = new long[rounds];
    for (int warm = 0; warm < 2; warm++) {
      for (int i = 0; i < rounds; i++) {
        String sql = statements.get(i % statements.size());
        long t0 = System.nanoTime();
        Plan plan = cache.get(sql, 1L);
        usage.record("prod", "v1", plan.uses(), 1L);
        cached[i] = System.nanoTime() - t0;
      }
    }
    figures.put("rule check, repeated statement: plan cache + usage (median µs/stmt)", micros(median(cached)));
    figures.put("baseline: JSqlParser parse alone (median µs/stmt)", micros(median(parseOnly)));
  }

  static void prepare(Connection raw, boolean duck, Map<String, String> figures) throws Exception {
    try (Statement s = raw.createStatement()) {
      if (duck) {
        s.execute("CREATE TABLE big (id BIGINT, v VARCHAR, n BIGINT)");
        s.execute("INSERT INTO big SELECT range, 'v' || range, range % 1000 FROM range(" + ROWS + ")");
      } else {
        s.execute("CREATE TABLE big (id bigint, v text, n bigint)");
        s.execute("INSERT INTO big SELECT g, 'v' || g, g % 1000 FROM generate_series(0, " + (ROWS - 1) + ") g");
        s.execute("VACUUM ANALYZE big");
      }
      long t0 = System.nanoTime();
      s.execute("ALTER TABLE big ADD COLUMN baseline_extra bigint");
      figures.put("baseline: plain ALTER TABLE ADD COLUMN on 1M rows (ms)", millis(System.nanoTime() - t0));
    }
    long[] times = new long[15];
    try (PreparedStatement p = raw.prepareStatement("SELECT id, n FROM big WHERE v = ?")) {
      for (int i = 0; i < times.length; i++) {
        p.setString(1, "v" + (i * 7919 % ROWS));
        long t0 = System.nanoTime();
        try (ResultSet rs = p.executeQuery()) {
          while (rs.next()) {
            rs.getLong(1);
          }
        }
        times[i] = System.nanoTime() - t0;
      }
    }
    figures.put("point query, engine, no index (median ms)", millis(median(times)));
  }

  static void throughLayer(DbLayer layer, Map<String, String> figures, Connection directPg) throws Exception {
    Credentials c = layer.addCredentials("prod", "bench");
    try (SqlSession s = layer.open(c.user(), "prod")) {
      // per-statement overhead: a cheap statement through the layer (cached plan) vs direct JDBC
      s.execute("INSERT INTO small (id, name) VALUES (1, 'a'), (2, 'b')", List.of());
      long[] viaLayer = new long[3000];
      for (int i = 0; i < viaLayer.length; i++) {
        long t0 = System.nanoTime();
        s.execute("SELECT name FROM small WHERE id = $1", List.of(1L + (i & 1)));
        viaLayer[i] = System.nanoTime() - t0;
      }
      figures.put("statement through the layer, cached plan (median µs)", micros(median(tail(viaLayer))));
      Connection direct0 = directPg;
      if (direct0 == null) {
        // DuckDB: the same two rows in an in-memory database (the layer holds the file)
        direct0 = DriverManager.getConnection("jdbc:duckdb:");
        try (Statement st = direct0.createStatement()) {
          st.execute("CREATE TABLE small (id BIGINT, name VARCHAR)");
          st.execute("INSERT INTO small VALUES (1, 'a'), (2, 'b')");
        }
      }
      {
        long[] direct = new long[3000];
        try (PreparedStatement p = direct0.prepareStatement("SELECT name FROM small WHERE id = ?")) {
          for (int i = 0; i < direct.length; i++) {
            p.setLong(1, 1L + (i & 1));
            long t0 = System.nanoTime();
            try (ResultSet rs = p.executeQuery()) {
              while (rs.next()) {
                rs.getString(1);
              }
            }
            direct[i] = System.nanoTime() - t0;
          }
        }
        figures.put("baseline: same statement, direct JDBC (median µs)", micros(median(tail(direct))));
      }

      long t0 = System.nanoTime();
      s.execute("INSERT INTO big (id, v, n, extra) VALUES ($1, $2, $3, $4)", List.of(-1L, "new", 1L, 42L));
      figures.put("implicit column on 1M rows: INSERT naming a new column (ms)", millis(System.nanoTime() - t0));

      t0 = System.nanoTime();
      s.execute("SELECT id, n FROM big WHERE v = $1", List.of("v12345"));
      figures.put("point query, first through layer (starts the index build) (ms)", millis(System.nanoTime() - t0));
      t0 = System.nanoTime();
      layer.awaitBackgroundWork();
      figures.put("background index build finished after (ms)", millis(System.nanoTime() - t0));
      long[] after = new long[50];
      for (int i = 0; i < after.length; i++) {
        long t1 = System.nanoTime();
        s.execute("SELECT id, n FROM big WHERE v = $1", List.of("v" + (i * 7919 % ROWS)));
        after[i] = System.nanoTime() - t1;
      }
      figures.put("point query through layer, after automatic index (median ms)", millis(median(after)));
      layer.describe("prod").indexes().stream()
          .filter(i -> i.table().equals("big"))
          .forEach(i -> figures.put("automatic index " + i.name() + " on big." + i.column(), i.reason()));
    }
  }

  static long[] tail(long[] a) {
    return Arrays.copyOfRange(a, a.length / 3, a.length);
  }

  static long median(long[] a) {
    long[] copy = a.clone();
    Arrays.sort(copy);
    return copy[copy.length / 2];
  }

  static String micros(long nanos) {
    return String.format(Locale.ROOT, "%.1f", nanos / 1000.0);
  }

  static String millis(long nanos) {
    return String.format(Locale.ROOT, "%.2f", nanos / 1_000_000.0);
  }
}
