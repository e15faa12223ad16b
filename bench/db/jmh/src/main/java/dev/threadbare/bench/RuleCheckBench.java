package dev.threadbare.bench;

import dev.threadbare.db.internal.ColumnType;
import dev.threadbare.db.internal.Plan;
import dev.threadbare.db.internal.PlanCache;
import dev.threadbare.db.internal.Planner;
import dev.threadbare.db.internal.UsageTracker;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The db layer's rule check per statement, as the statement path runs it, with JSqlParser's parse
 * alone as the baseline:
 *
 * <ul>
 *   <li>{@code firstSight}: what the layer does the first time it sees a statement text (for a
 *       schema version): parse, apply the house rules, build the plan (uses, index wishes,
 *       rewrites), then record the usage;
 *   <li>{@code repeated}: what every later execution pays: the plan cache lookup and the usage
 *       record;
 *   <li>{@code parseOnly}: JSqlParser's parse of the same text (the baseline).
 * </ul>
 *
 * The statements: the select-by-key workload's own ({@code SELECT v FROM kv WHERE k = $1}, as
 * pgjdbc sends it) and, for context, a mix of everyday statements. Mode: sample time, so the
 * report gives the median (p0.50) per statement.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RuleCheckBench {
  @Param({
    "SELECT v FROM kv WHERE k = $1",
    "SELECT id, total FROM orders WHERE customer = $1 ORDER BY placed DESC LIMIT 20",
    "INSERT INTO orders (id, customer, total, placed) VALUES ($1, $2, $3, $4)",
    "UPDATE orders SET total = $1 WHERE id = $2",
    "SELECT c.name, count(o.id) AS n FROM customers c JOIN orders o ON o.customer = c.name"
        + " GROUP BY c.name",
    "SELECT id, nickname FROM customers WHERE id = 3"
  })
  public String sql;

  private Map<String, Map<String, ColumnType>> schema;
  private final UsageTracker usage = new UsageTracker();
  private final PlanCache cache = new PlanCache(10_000);
  private long now;

  @Setup
  public void setUp() {
    schema = new LinkedHashMap<>();
    schema.put("kv", new LinkedHashMap<>(Map.of("k", ColumnType.BIGINT, "v", ColumnType.TEXT)));
    schema.put(
        "orders",
        new LinkedHashMap<>(
            Map.of(
                "id", ColumnType.BIGINT,
                "customer", ColumnType.TEXT,
                "total", ColumnType.NUMERIC,
                "placed", ColumnType.TIMESTAMP)));
    schema.put(
        "customers",
        new LinkedHashMap<>(Map.of("id", ColumnType.BIGINT, "name", ColumnType.TEXT)));
    cache.put(sql, 1L, new Planner(schema).plan(sql));
  }

  @Benchmark
  public Plan firstSight() {
    Plan plan = new Planner(schema).plan(sql);
    usage.record("prod", "v1", plan.uses(), ++now);
    return plan;
  }

  @Benchmark
  public Plan repeated() {
    Plan plan = cache.get(sql, 1L);
    usage.record("prod", "v1", plan.uses(), ++now);
    return plan;
  }

  @Benchmark
  public Object parseOnly() {
    return Planner.parse(sql);
  }
}
