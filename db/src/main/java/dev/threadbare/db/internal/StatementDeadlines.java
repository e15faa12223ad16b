package dev.threadbare.db.internal;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The per-statement execution timeout: one daemon thread that cancels a statement still running
 * when its deadline passes (the session then answers 57014). Both engines cancel the same way (JDBC
 * {@code Statement.cancel}); on PostgreSQL the database role's {@code statement_timeout} bounds the
 * server side too. Thread safe.
 */
final class StatementDeadlines {
  private static final ScheduledThreadPoolExecutor TIMER = timer();

  private static ScheduledThreadPoolExecutor timer() {
    ScheduledThreadPoolExecutor timer =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "threadbare-db-statement-deadline");
              t.setDaemon(true);
              return t;
            });
    // most statements end long before their deadline: take the canceled task out at once
    timer.setRemoveOnCancelPolicy(true);
    return timer;
  }

  private StatementDeadlines() {}

  /** Runs {@code onTimeout} after {@code limit} unless the returned future is canceled first. */
  static ScheduledFuture<?> arm(Duration limit, Runnable onTimeout) {
    return TIMER.schedule(onTimeout, limit.toNanos(), TimeUnit.NANOSECONDS);
  }
}
