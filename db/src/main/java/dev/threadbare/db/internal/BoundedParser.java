package dev.threadbare.db.internal;

import dev.threadbare.db.DbException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import net.sf.jsqlparser.parser.CCJSqlParser;
import net.sf.jsqlparser.parser.ParseException;
import net.sf.jsqlparser.parser.StringProvider;
import net.sf.jsqlparser.statement.Statement;

/**
 * JSqlParser within a time limit. JSqlParser backtracks, and some short inputs take it minutes
 * ({@code SELECT (((1 +))) AS x}); the parse runs on the caller's thread and a deadline sets the
 * parser's {@code interrupted} flag, which its lookahead checks, so a statement that cannot be
 * parsed in time is refused (54001) within about the limit. Simple parsing comes first (about twice
 * as fast, enough for ordinary statements); complex parsing (deeper lookahead) is the fallback, and
 * its error is the one reported. Deeply nested redundant parentheses, which PostgreSQL accepts and
 * JSqlParser's simple mode does not past 16 levels, are collapsed before that fallback. Thread
 * safe.
 */
final class BoundedParser {
  static final Duration DEFAULT_LIMIT = Duration.ofSeconds(2);

  private static final ScheduledExecutorService DEADLINES =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "threadbare-db-parse-deadline");
            t.setDaemon(true);
            return t;
          });

  private BoundedParser() {}

  /** Parses one statement, or throws 42601 (syntax) or 54001 (over {@code limit}). */
  static Statement parse(String sql, Duration limit) {
    Budget budget = new Budget(limit, sql.length());
    Attempt simple = attempt(sql, false, budget);
    if (simple.statement != null) {
      return simple.statement;
    }
    String collapsed = collapseRedundantParentheses(sql);
    if (!collapsed.equals(sql)) {
      Attempt again = attempt(collapsed, false, budget);
      if (again.statement != null) {
        return again.statement;
      }
    }
    Attempt complex = attempt(sql, true, budget);
    if (complex.statement != null) {
      return complex.statement;
    }
    if (complex.timedOut || simple.timedOut) {
      throw Errors.parseTimeout(limit, sql);
    }
    throw complex.error;
  }

  /**
   * What one statement's parse may spend: the limit in CPU time of the parsing thread (a machine
   * busy with other work must not refuse a big INSERT that merely waited for a core), plus 10 µs
   * per character for long statements, and at most ten times that in wall-clock time.
   */
  private static final class Budget {
    final long cpuNanos;
    final long cpuStart;
    final long wallDeadline;
    final long thread = Thread.currentThread().threadId();

    Budget(Duration limit, int length) {
      cpuNanos = limit.toNanos() + length * 10_000L;
      cpuStart = THREADS.getCurrentThreadCpuTime();
      wallDeadline = System.nanoTime() + 10 * cpuNanos;
    }

    /** Nanoseconds left, by CPU and wall clock; zero or less when spent. */
    long left() {
      long cpu = THREADS.getThreadCpuTime(thread);
      long cpuLeft = cpu < 0 ? 0 : cpuNanos - (cpu - cpuStart);
      long wallLeft = wallDeadline - System.nanoTime();
      return cpu < 0 ? wallLeft / 10 : Math.min(cpuLeft, wallLeft);
    }
  }

  private static final java.lang.management.ThreadMXBean THREADS =
      java.lang.management.ManagementFactory.getThreadMXBean();

  private record Attempt(Statement statement, DbException error, boolean timedOut) {}

  private static Attempt attempt(String sql, boolean complex, Budget budget) {
    long left = budget.left();
    if (left <= 0) {
      return new Attempt(null, null, true);
    }
    CCJSqlParser parser = new CCJSqlParser(new StringProvider(sql));
    parser.withAllowComplexParsing(complex);
    Alarm alarm = new Alarm(parser, budget);
    alarm.arm(left);
    try {
      return new Attempt(parser.Statement(), null, false);
    } catch (ParseException e) {
      return new Attempt(
          null,
          Planner.syntaxError(
              sql, e.currentToken == null ? null : e.currentToken.next, e.getMessage()),
          parser.interrupted);
    } catch (RuntimeException | StackOverflowError e) {
      return new Attempt(
          null, Planner.syntaxError(sql, null, String.valueOf(e.getMessage())), parser.interrupted);
    } finally {
      alarm.disarm();
    }
  }

  /** Stops the parser once its budget is spent, looking again while CPU time is left. */
  private static final class Alarm implements Runnable {
    private final CCJSqlParser parser;
    private final Budget budget;
    private volatile ScheduledFuture<?> pending;
    private volatile boolean done;

    Alarm(CCJSqlParser parser, Budget budget) {
      this.parser = parser;
      this.budget = budget;
    }

    void arm(long nanos) {
      pending = DEADLINES.schedule(this, nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void run() {
      if (done) {
        return;
      }
      long left = budget.left();
      if (left <= 0) {
        parser.interrupted = true;
      } else {
        arm(left);
      }
    }

    void disarm() {
      done = true;
      ScheduledFuture<?> p = pending;
      if (p != null) {
        p.cancel(false);
      }
    }
  }

  /**
   * {@code ((x))} → {@code (x)} outside literals, where the outer pair holds nothing but the inner
   * one and the inner one holds no top-level comma (a row such as {@code ((1, 2))} keeps its
   * parentheses). The result means the same to PostgreSQL and DuckDB.
   */
  static String collapseRedundantParentheses(String sql) {
    String masked = SqlText.masked(sql);
    int n = masked.length();
    int[] match = new int[n];
    java.util.Arrays.fill(match, -1);
    java.util.ArrayDeque<Integer> open = new java.util.ArrayDeque<>();
    for (int i = 0; i < n; i++) {
      char c = masked.charAt(i);
      if (c == '(') {
        open.push(i);
      } else if (c == ')' && !open.isEmpty()) {
        int o = open.pop();
        match[o] = i;
        match[i] = o;
      }
    }
    boolean[] drop = new boolean[n];
    boolean any = false;
    for (int o = 0; o < n; o++) {
      if (masked.charAt(o) != '(' || match[o] < 0) {
        continue;
      }
      int inner = next(masked, o + 1);
      if (inner >= n || masked.charAt(inner) != '(' || match[inner] < 0) {
        continue;
      }
      int close = match[o];
      if (prev(masked, close - 1) != match[inner] || hasTopLevelComma(masked, inner, match)) {
        continue;
      }
      // keep the outer pair (a call's or a subquery's), drop the inner one
      drop[inner] = true;
      drop[match[inner]] = true;
      any = true;
    }
    if (!any) {
      return sql;
    }
    StringBuilder out = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      out.append(drop[i] ? ' ' : sql.charAt(i));
    }
    return out.toString();
  }

  private static boolean hasTopLevelComma(String masked, int open, int[] match) {
    for (int i = open + 1; i < match[open]; i++) {
      char c = masked.charAt(i);
      if (c == '(' && match[i] > 0) {
        i = match[i];
      } else if (c == ',') {
        return true;
      }
    }
    return false;
  }

  private static int next(String s, int i) {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  private static int prev(String s, int i) {
    while (i >= 0 && Character.isWhitespace(s.charAt(i))) {
      i--;
    }
    return i;
  }
}
