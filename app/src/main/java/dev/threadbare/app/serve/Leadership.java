package dev.threadbare.app.serve;

import dev.threadbare.app.DataDir;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which of several {@code serve} nodes on one PostgreSQL journal leads: the one holding the
 * session-level advisory lock {@link #LOCK_KEY} on a connection of its own. The others try to take
 * it every {@link #EVERY}; the holder checks its connection as often, and steps down when the
 * connection is lost (the server released the lock with it). A SIGKILLed holder's connection is
 * closed by its kernel, the server ends the session and frees the lock, and the next try of another
 * node takes it: within a second or two.
 *
 * <p>A lone node (a SQLite journal) leads from the start, with no thread and no connection.
 *
 * <p>Lifecycle: {@link #contend} makes its first try before it returns and then runs a daemon
 * thread until {@link #close()}, which releases the lock (closes the connection). Listeners run on
 * that thread, in order, after each change. Thread safe.
 */
final class Leadership implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Leadership.class);

  /** The advisory lock of the leader (the bytes of "tblead01"). */
  static final long LOCK_KEY = 0x74626C6561643031L;

  /** How often a follower tries the lock and the leader checks its connection. */
  static final Duration EVERY = Duration.ofMillis(500);

  private final DataDir.JournalLogin login;
  private final String node;
  private final List<Consumer<Boolean>> listeners = new CopyOnWriteArrayList<>();
  private final Thread thread;
  private volatile boolean leading;
  private volatile boolean running = true;
  private Connection connection;

  private Leadership(DataDir.JournalLogin login, String node, boolean leading) {
    this.login = login;
    this.node = node;
    this.leading = leading;
    this.thread = login == null ? null : new Thread(this::run, "leadership");
  }

  /** A lone node: leads, always. */
  static Leadership alone() {
    return new Leadership(null, "alone", true);
  }

  /** Contends for leadership among the nodes on {@code login}'s database, as {@code node}. */
  static Leadership contend(DataDir.JournalLogin login, String node) {
    Leadership leadership = new Leadership(login, node, false);
    leadership.tryOnce();
    leadership.thread.setDaemon(true);
    leadership.thread.start();
    return leadership;
  }

  /** Whether this node leads now. */
  boolean leading() {
    return leading;
  }

  /** This node's name. */
  String node() {
    return node;
  }

  /** Calls {@code listener} with true when this node comes to lead, false when it stops. */
  void onChange(Consumer<Boolean> listener) {
    listeners.add(listener);
  }

  private void run() {
    while (running) {
      try {
        Thread.sleep(EVERY.toMillis());
      } catch (InterruptedException e) {
        return;
      }
      tryOnce();
    }
  }

  private synchronized void tryOnce() {
    if (!running) {
      return;
    }
    try {
      if (connection == null) {
        connection = connect();
      }
      if (leading) {
        try (Statement check = connection.createStatement()) {
          check.setQueryTimeout(5);
          check.execute("SELECT 1");
        }
        return;
      }
      try (PreparedStatement lock = connection.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
        lock.setQueryTimeout(5);
        lock.setLong(1, LOCK_KEY);
        try (ResultSet row = lock.executeQuery()) {
          row.next();
          if (row.getBoolean(1)) {
            change(true);
          }
        }
      }
    } catch (SQLException | RuntimeException e) {
      log.warn("leadership: the lock connection to {} failed: {}", login, e.toString());
      closeConnection();
      if (leading) {
        change(false); // the lock went with the session
      }
    }
  }

  private Connection connect() throws SQLException {
    Properties properties = new Properties();
    if (!login.user().isEmpty()) {
      properties.setProperty("user", login.user());
    }
    if (!login.password().isEmpty()) {
      properties.setProperty("password", login.password());
    }
    // So that pg_stat_activity names the leader; the kernel's keepalive notices a dead server.
    properties.setProperty("ApplicationName", "threadbare leadership " + node);
    properties.setProperty("tcpKeepAlive", "true");
    properties.setProperty("connectTimeout", "5");
    return DriverManager.getConnection(login.url(), properties);
  }

  private void change(boolean leads) {
    leading = leads;
    log.info(
        leads
            ? "this node ({}) leads: the bot answers and the outbox sends from here"
            : "this node ({}) no longer leads: it materializes and serves, another node answers",
        node);
    for (Consumer<Boolean> listener : listeners) {
      try {
        listener.accept(leads);
      } catch (RuntimeException e) {
        log.warn("a leadership listener failed", e);
      }
    }
  }

  private void closeConnection() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        log.debug("closing the lock connection", e);
      }
      connection = null;
    }
  }

  /** Stops contending and releases the lock, so another node takes over at once. */
  @Override
  public void close() {
    running = false;
    if (thread != null) {
      thread.interrupt();
      try {
        thread.join(Duration.ofSeconds(10).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (this) {
      leading = login == null;
      closeConnection();
    }
  }
}
