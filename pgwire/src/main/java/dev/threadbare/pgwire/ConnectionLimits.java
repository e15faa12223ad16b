package dev.threadbare.pgwire;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The listener's admission rules against connection floods (slow-loris): a total authentication
 * deadline per connection, a small pool of its own for connections still authenticating (full, it
 * evicts the oldest of them), a cap on those per client address, and a cap on all connections per
 * client address below the global one. Called by the acceptor and by the sessions; thread safe.
 */
final class ConnectionLimits implements AutoCloseable {
  /**
   * What the acceptor does with a new connection: close it at once (its address has too many
   * connections authenticating), or serve it, answering its startup with {@code refusal} ("too many
   * clients") when that is not null.
   */
  record Admission(boolean close, String refusal) {
    static final Admission ACCEPT = new Admission(false, null);
    static final Admission CLOSE = new Admission(true, null);
  }

  private final PgWireServer.Settings settings;
  private final Map<InetAddress, Integer> connectionsByAddress = new LinkedHashMap<>();
  private final Map<InetAddress, Integer> authenticatingByAddress = new LinkedHashMap<>();
  // insertion order is connection order: the first entry is the oldest still authenticating
  private final Map<PgSession, InetAddress> authenticating = new LinkedHashMap<>();
  private final Map<PgSession, InetAddress> addresses = new java.util.HashMap<>();
  private final ScheduledExecutorService deadlines =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "pgwire-auth-deadline");
            t.setDaemon(true);
            return t;
          });

  ConnectionLimits(PgWireServer.Settings settings) {
    this.settings = settings;
  }

  synchronized Admission admit(InetAddress address, int connections) {
    if (authenticatingByAddress.getOrDefault(address, 0)
        >= settings.maxUnauthenticatedPerAddress()) {
      return Admission.CLOSE;
    }
    if (connectionsByAddress.getOrDefault(address, 0) >= settings.maxConnectionsPerAddress()) {
      return new Admission(
          false,
          "sorry, too many clients already from "
              + address.getHostAddress()
              + ": the limit is "
              + settings.maxConnectionsPerAddress()
              + " connections per client address (maxConnectionsPerAddress); close idle"
              + " connections or use a pool");
    }
    if (connections >= settings.maxConnections()) {
      return new Admission(
          false,
          "sorry, too many clients already: the limit is "
              + settings.maxConnections()
              + " connections (maxConnections); close idle connections or use a pool");
    }
    return Admission.ACCEPT;
  }

  /**
   * Counts a new connection as authenticating; returns the oldest one it evicts when the pool of
   * those is full, or null.
   */
  synchronized PgSession authenticating(PgSession session, InetAddress address) {
    addresses.put(session, address);
    connectionsByAddress.merge(address, 1, Integer::sum);
    PgSession evicted = null;
    if (authenticating.size() >= settings.maxUnauthenticated()) {
      evicted = authenticating.keySet().iterator().next();
      authenticated(evicted);
    }
    authenticating.put(session, address);
    authenticatingByAddress.merge(address, 1, Integer::sum);
    return evicted;
  }

  /** Disconnects the session if it has not authenticated by the deadline. */
  void armDeadline(PgSession session) {
    deadlines.schedule(
        () -> {
          boolean late;
          synchronized (this) {
            late = authenticating.containsKey(session);
          }
          if (late) {
            session.authenticationDeadlinePassed("deadline");
          }
        },
        settings.authenticationTimeout().toNanos(),
        TimeUnit.NANOSECONDS);
  }

  synchronized void authenticated(PgSession session) {
    InetAddress address = authenticating.remove(session);
    if (address != null) {
      authenticatingByAddress.computeIfPresent(address, (a, n) -> n == 1 ? null : n - 1);
    }
  }

  synchronized void ended(PgSession session) {
    authenticated(session);
    InetAddress address = addresses.remove(session);
    if (address != null) {
      connectionsByAddress.computeIfPresent(address, (a, n) -> n == 1 ? null : n - 1);
    }
  }

  @Override
  public void close() {
    deadlines.shutdownNow();
  }
}
