package dev.threadbare.journal;

import dev.threadbare.core.journal.Journal;
import dev.threadbare.core.journal.JournalEntry;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows a journal that other processes append to: hands every entry after a starting seq to a
 * sink, in order, whoever appended it. On PostgreSQL it waits on {@code LISTEN} {@value #CHANNEL}
 * (every append {@code NOTIFY}s it when it commits), so a node sees another node's entries within
 * milliseconds; it also reads the journal at least every poll interval, which covers a lost
 * notification or a broken listening connection (reopened on the next round). On SQLite it polls.
 *
 * <p>Lifecycle: {@link Journals#follow} starts its daemon thread; {@link #close()} stops it. The
 * sink runs on that thread, one page at a time; an exception it throws is logged and the page is
 * not handed again (the sink's own cursor is the durable one).
 */
public final class JournalFollower implements AutoCloseable {

  /** The notification channel every PostgreSQL append notifies, with the last seq stored. */
  public static final String CHANNEL = "threadbare_journal";

  private static final Logger LOG = LoggerFactory.getLogger(JournalFollower.class);
  private static final int PAGE = 500;

  private final Journal journal;
  private final DataSource listenSource;
  private final Consumer<List<JournalEntry>> sink;
  private final Duration poll;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile long position;
  private Connection listening;

  JournalFollower(
      Journal journal,
      DataSource listenSource,
      long afterSeq,
      Duration poll,
      Consumer<List<JournalEntry>> sink) {
    this.journal = Objects.requireNonNull(journal, "journal");
    this.listenSource = listenSource;
    this.position = afterSeq;
    this.poll = Objects.requireNonNull(poll, "poll");
    this.sink = Objects.requireNonNull(sink, "sink");
    if (poll.isNegative() || poll.isZero()) {
      throw new IllegalArgumentException(
          "poll interval " + poll + " is not positive: pass at least a millisecond");
    }
    this.thread = new Thread(this::run, "journal-follower");
    thread.setDaemon(true);
  }

  JournalFollower start() {
    thread.start();
    return this;
  }

  /** The greatest seq handed to the sink so far. */
  public long position() {
    return position;
  }

  private void run() {
    while (running) {
      try {
        drain();
        await();
      } catch (RuntimeException e) {
        if (running) {
          LOG.warn("following the journal: {}; retrying", e.toString());
          sleep(poll.toMillis());
        }
      }
    }
    closeListening();
  }

  /** Hands every entry after the position to the sink, a page at a time. */
  private void drain() {
    while (running) {
      List<JournalEntry> page = journal.read(position, PAGE);
      if (page.isEmpty()) {
        return;
      }
      try {
        sink.accept(page);
      } catch (RuntimeException e) {
        LOG.warn("the journal follower's sink failed on {} entries", page.size(), e);
      }
      position = page.get(page.size() - 1).seq();
    }
  }

  /** Waits for a notification (PostgreSQL) or the poll interval, whichever comes first. */
  private void await() {
    if (listenSource == null) {
      sleep(poll.toMillis());
      return;
    }
    try {
      if (listening == null) {
        listening = listenSource.getConnection();
        listening.setAutoCommit(true);
        try (Statement listen = listening.createStatement()) {
          listen.execute("LISTEN " + CHANNEL);
        }
        return; // read once more: an append may have committed before the LISTEN
      }
      // In slices of at most a second, so close() is never kept waiting for long.
      PGConnection pg = listening.unwrap(PGConnection.class);
      long deadline = System.nanoTime() + poll.toNanos();
      while (running) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          return;
        }
        PGNotification[] notes = pg.getNotifications((int) Math.min(left, 1000));
        if (notes != null && notes.length > 0) {
          return;
        }
      }
    } catch (SQLException e) {
      LOG.warn("listening for journal appends: {}; polling until it reconnects", e.toString());
      closeListening();
      sleep(poll.toMillis());
    }
  }

  private void closeListening() {
    if (listening != null) {
      try {
        listening.close();
      } catch (SQLException e) {
        LOG.debug("closing the listening connection", e);
      }
      listening = null;
    }
  }

  private void sleep(long millis) {
    try {
      Thread.sleep(Math.min(millis, 1000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  /** Stops the thread (after the page in hand) and waits for it. */
  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(Duration.ofSeconds(30).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
