package dev.threadbare.db.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The per-statement execution timeout: one daemon thread that looks at the running statements every
 * {@link #TICK_MILLIS} ms and cancels those past their deadline (the session then answers 57014).
 * Arming and disarming only add to and remove from a concurrent set: a timer queue (a {@code
 * ScheduledThreadPoolExecutor}) woke its thread for every statement, since each new deadline was
 * the earliest, which cost a thread wake-up per statement. Both engines cancel the same way (JDBC
 * {@code Statement.cancel}); on PostgreSQL the database role's {@code statement_timeout} bounds the
 * server side too. Thread safe.
 */
final class StatementDeadlines {
  /** How often deadlines are checked: a statement is canceled up to this late. */
  static final long TICK_MILLIS = 50;

  private static final Set<Deadline> ARMED = ConcurrentHashMap.newKeySet();

  static {
    Thread watchdog = new Thread(StatementDeadlines::watch, "threadbare-db-statement-deadline");
    watchdog.setDaemon(true);
    watchdog.start();
  }

  private StatementDeadlines() {}

  /** A statement's deadline; {@link #cancel} it when the statement ends. */
  static final class Deadline {
    private final long at;
    private final Runnable onTimeout;

    private Deadline(long at, Runnable onTimeout) {
      this.at = at;
      this.onTimeout = onTimeout;
    }

    /** The statement ended: its deadline no longer applies. */
    void cancel() {
      ARMED.remove(this);
    }
  }

  /** Runs {@code onTimeout} after {@code limit} unless the returned deadline is canceled first. */
  static Deadline arm(Duration limit, Runnable onTimeout) {
    Deadline deadline = new Deadline(System.nanoTime() + limit.toNanos(), onTimeout);
    ARMED.add(deadline);
    return deadline;
  }

  private static void watch() {
    while (true) {
      try {
        TimeUnit.MILLISECONDS.sleep(TICK_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
      long now = System.nanoTime();
      List<Deadline> due = new ArrayList<>();
      for (Deadline deadline : ARMED) {
        if (now - deadline.at >= 0) {
          due.add(deadline);
        }
      }
      for (Deadline deadline : due) {
        if (ARMED.remove(deadline)) {
          try {
            deadline.onTimeout.run();
          } catch (RuntimeException e) {
            // the statement's session reports the cancel; nothing else to do here
          }
        }
      }
    }
  }
}
