package dev.threadbare.db.internal;

import java.util.concurrent.TimeUnit;

/**
 * Keeps DuckDB index builds and drops apart from other statements: DuckDB corrupts an index built
 * on one connection while another writes the table ("Failed to delete all rows from index"), and a
 * read during a build was once seen returning wrong values. Statements (one in autocommit, or a
 * whole transaction) share the gate; an index build holds it alone, waiting for the statements in
 * flight and holding new ones back meanwhile. Not tied to threads, so a transaction may move
 * between threads. Thread safe.
 */
final class WriteGate {
  private int shared;
  private boolean exclusive;
  private int exclusiveWaiting;

  synchronized void enterShared() {
    boolean interrupted = false;
    while (exclusive || exclusiveWaiting > 0) {
      try {
        wait();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    shared++;
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  synchronized void leaveShared() {
    shared--;
    notifyAll();
  }

  /** Waits up to {@code timeout} for sole use; false if writers stayed that long. */
  synchronized boolean enterExclusive(long timeout, TimeUnit unit) {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    exclusiveWaiting++;
    try {
      while (exclusive || shared > 0) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          return false;
        }
        try {
          wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      exclusive = true;
      return true;
    } finally {
      exclusiveWaiting--;
      notifyAll();
    }
  }

  synchronized void leaveExclusive() {
    exclusive = false;
    notifyAll();
  }
}
