package dev.threadbare.pgwire;

import dev.threadbare.db.SqlService;
import dev.threadbare.db.SqlState;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.channels.ServerSocketChannel;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL wire protocol (v3) server in front of the db layer: {@code psql}, JDBC and every
 * ordinary PostgreSQL driver connect to it. This class is the listener: it accepts connections and
 * gives each its own session thread, and it routes CancelRequests to the session they name.
 *
 * <p>Lifecycle: {@link #start} binds and begins accepting at once; {@link #close} stops accepting,
 * disconnects every client and waits for their threads. Thread safe.
 *
 * <pre>{@code
 * try (PgWireServer server = PgWireServer.start(sqlService,
 *     new InetSocketAddress("127.0.0.1", 0), PgWireServer.Settings.defaults())) {
 *   String url = "jdbc:postgresql://127.0.0.1:" + server.port() + "/app";
 * }
 * }</pre>
 *
 * @see <a href="https://www.postgresql.org/docs/current/protocol.html">Frontend/Backend
 *     Protocol</a>
 */
public final class PgWireServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PgWireServer.class);

  /**
   * How the server behaves.
   *
   * @param allowCleartextPassword ask for the password in the clear instead of SCRAM-SHA-256 (only
   *     behind TLS-terminating proxies or on loopback); default false
   * @param maxMessageBytes the longest message a client may send; longer ones are refused with
   *     SQLSTATE 54000 and the connection is closed; default 16 MiB
   * @param maxConnections concurrent connections; more are refused with SQLSTATE 53300
   * @param maxConnectionsPerAddress concurrent connections from one client address; more are
   *     refused with SQLSTATE 53300 before the global limit is reached, so one address cannot take
   *     every slot
   * @param maxUnauthenticated connections still authenticating, a small pool of their own: when it
   *     is full, a new connection evicts the oldest of them (a slow client, by then), so a trickle
   *     of idle sockets cannot lock out clients that authenticate promptly
   * @param maxUnauthenticatedPerAddress connections still authenticating from one address; more are
   *     closed at once
   * @param authenticationTimeout the total time a client has from connecting to being authenticated
   *     (a deadline, not a per-read timeout: trickling bytes does not extend it)
   * @param serverVersion what {@code server_version} reports; drivers parse its leading number
   * @param tls the server's TLS identity, answering SSLRequests with 'S'; null (the default)
   *     answers them 'N' and clients go on in the clear
   */
  public record Settings(
      boolean allowCleartextPassword,
      int maxMessageBytes,
      int maxConnections,
      int maxConnectionsPerAddress,
      int maxUnauthenticated,
      int maxUnauthenticatedPerAddress,
      Duration authenticationTimeout,
      String serverVersion,
      SSLContext tls) {
    public Settings {
      if (maxMessageBytes < 1024) {
        throw new IllegalArgumentException(
            "maxMessageBytes " + maxMessageBytes + " is too small: allow at least 1024 bytes");
      }
      if (maxConnections < 1
          || maxConnectionsPerAddress < 1
          || maxUnauthenticated < 1
          || maxUnauthenticatedPerAddress < 1) {
        throw new IllegalArgumentException(
            "maxConnections "
                + maxConnections
                + ", maxConnectionsPerAddress "
                + maxConnectionsPerAddress
                + ", maxUnauthenticated "
                + maxUnauthenticated
                + " and maxUnauthenticatedPerAddress "
                + maxUnauthenticatedPerAddress
                + " must each be at least 1");
      }
      Objects.requireNonNull(authenticationTimeout, "authenticationTimeout");
      if (authenticationTimeout.isNegative() || authenticationTimeout.isZero()) {
        throw new IllegalArgumentException(
            "authenticationTimeout " + authenticationTimeout + " must be positive");
      }
      Objects.requireNonNull(serverVersion, "serverVersion");
      if (serverVersion.isEmpty() || !Character.isDigit(serverVersion.charAt(0))) {
        throw new IllegalArgumentException(
            "serverVersion `"
                + serverVersion
                + "` must start with a version number such as 16.0: drivers parse it");
      }
    }

    /**
     * SCRAM-SHA-256 only, 16 MiB messages, 200 connections (100 per client address), 64 still
     * authenticating (16 per address), 15 s to authenticate.
     */
    public static Settings defaults() {
      return new Settings(
          false, 16 << 20, 200, 100, 64, 16, Duration.ofSeconds(15), "16.0 (threadbare)", null);
    }

    /** These settings with cleartext passwords allowed or not. */
    public Settings withCleartextPassword(boolean allowed) {
      return new Settings(
          allowed,
          maxMessageBytes,
          maxConnections,
          maxConnectionsPerAddress,
          maxUnauthenticated,
          maxUnauthenticatedPerAddress,
          authenticationTimeout,
          serverVersion,
          tls);
    }

    /** These settings with another message cap. */
    public Settings withMaxMessageBytes(int bytes) {
      return new Settings(
          allowCleartextPassword,
          bytes,
          maxConnections,
          maxConnectionsPerAddress,
          maxUnauthenticated,
          maxUnauthenticatedPerAddress,
          authenticationTimeout,
          serverVersion,
          tls);
    }

    /** These settings with another connection cap. */
    public Settings withMaxConnections(int connections) {
      return new Settings(
          allowCleartextPassword,
          maxMessageBytes,
          connections,
          maxConnectionsPerAddress,
          maxUnauthenticated,
          maxUnauthenticatedPerAddress,
          authenticationTimeout,
          serverVersion,
          tls);
    }

    /** These settings with another cap on one client address's connections. */
    public Settings withMaxConnectionsPerAddress(int connections) {
      return new Settings(
          allowCleartextPassword,
          maxMessageBytes,
          maxConnections,
          connections,
          maxUnauthenticated,
          maxUnauthenticatedPerAddress,
          authenticationTimeout,
          serverVersion,
          tls);
    }

    /** These settings with another cap on connections still authenticating. */
    public Settings withMaxUnauthenticated(int connections) {
      return new Settings(
          allowCleartextPassword,
          maxMessageBytes,
          maxConnections,
          maxConnectionsPerAddress,
          connections,
          maxUnauthenticatedPerAddress,
          authenticationTimeout,
          serverVersion,
          tls);
    }

    /** These settings with another cap on one address's connections still authenticating. */
    public Settings withMaxUnauthenticatedPerAddress(int connections) {
      return new Settings(
          allowCleartextPassword,
          maxMessageBytes,
          maxConnections,
          maxConnectionsPerAddress,
          maxUnauthenticated,
          connections,
          authenticationTimeout,
          serverVersion,
          tls);
    }

    /** These settings with another authentication deadline. */
    public Settings withAuthenticationTimeout(Duration timeout) {
      return new Settings(
          allowCleartextPassword,
          maxMessageBytes,
          maxConnections,
          maxConnectionsPerAddress,
          maxUnauthenticated,
          maxUnauthenticatedPerAddress,
          timeout,
          serverVersion,
          tls);
    }

    /**
     * These settings with TLS: SSLRequests are answered 'S' and the session goes on over TLS made
     * with {@code context} (for instance {@link TlsIdentity#sslContext()}); null turns TLS off.
     */
    public Settings withTls(SSLContext context) {
      return new Settings(
          allowCleartextPassword,
          maxMessageBytes,
          maxConnections,
          maxConnectionsPerAddress,
          maxUnauthenticated,
          maxUnauthenticatedPerAddress,
          authenticationTimeout,
          serverVersion,
          context);
    }
  }

  private final SqlService service;
  private final Settings settings;
  private final ServerSocketChannel serverSocket;
  private final Thread acceptor;
  private final Map<Integer, PgSession> sessions = new ConcurrentHashMap<>();
  private final AtomicInteger nextProcessId = new AtomicInteger(1000);
  private final SecureRandom random = new SecureRandom();
  private final ConnectionLimits limits;
  private volatile boolean closed;

  private PgWireServer(SqlService service, Settings settings, ServerSocketChannel serverSocket) {
    this.service = service;
    this.settings = settings;
    this.serverSocket = serverSocket;
    this.limits = new ConnectionLimits(settings);
    this.acceptor =
        Thread.ofPlatform()
            .name("pgwire-accept-" + serverSocket.socket().getLocalPort())
            .daemon(true)
            .unstarted(this::acceptLoop);
  }

  /**
   * Binds to {@code bind} (port 0 picks a free port) and starts serving {@code service}.
   *
   * @throws PgWireException when the address cannot be bound
   */
  public static PgWireServer start(SqlService service, InetSocketAddress bind, Settings settings) {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(bind, "bind");
    Objects.requireNonNull(settings, "settings");
    ServerSocketChannel socket;
    try {
      // Channels rather than ServerSocket/Socket: a plain Socket's descriptor turns
      // non-blocking for good once a read has a timeout (the authentication deadline), and
      // every later wait for a message then costs read + poll + read; a channel's socket
      // adaptor returns to blocking mode after each timed read, so a wait is one read.
      socket = ServerSocketChannel.open();
      socket.socket().setReuseAddress(true);
      socket.bind(bind, 128);
    } catch (IOException e) {
      throw new PgWireException(
          SqlState.INTERNAL_ERROR,
          true,
          "cannot listen on "
              + bind
              + ": "
              + e.getMessage()
              + "; choose a free port (0 picks one) or stop the process holding it",
          e);
    }
    PgWireServer server = new PgWireServer(service, settings, socket);
    server.acceptor.start();
    LOG.info("PostgreSQL wire server listening on {}", socket.socket().getLocalSocketAddress());
    return server;
  }

  /** The port the server listens on. */
  public int port() {
    return serverSocket.socket().getLocalPort();
  }

  /** The number of connected clients (including those still authenticating). */
  public int connectionCount() {
    return sessions.size();
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = serverSocket.accept().socket();
      } catch (IOException e) {
        if (!closed) {
          LOG.warn("accepting a connection failed; going on", e);
          pause(); // out of file descriptors, say: do not spin
        }
        continue;
      }
      try {
        client.setTcpNoDelay(true);
        client.setKeepAlive(true);
      } catch (SocketException e) {
        LOG.debug("socket options not set on {}", client.getRemoteSocketAddress(), e);
      }
      InetAddress address = client.getInetAddress();
      int processId = nextProcessId.getAndIncrement();
      ConnectionLimits.Admission admission = limits.admit(address, sessions.size());
      if (admission.close()) {
        LOG.info(
            "connection from {} closed at once: {} of its connections are still authenticating"
                + " (maxUnauthenticatedPerAddress)",
            address.getHostAddress(),
            settings.maxUnauthenticatedPerAddress());
        closeQuietly(client);
        continue;
      }
      PgSession session =
          new PgSession(
              this, service, settings, client, processId, random.nextInt(), admission.refusal());
      sessions.put(processId, session);
      PgSession evicted = limits.authenticating(session, address);
      if (evicted != null) {
        evicted.authenticationDeadlinePassed("evicted");
      }
      // Platform threads, not virtual ones: an engine's native call (DuckDB) pins its carrier,
      // and a few long queries could then starve every other session and the CancelRequests
      // meant to stop them.
      Thread thread =
          Thread.ofPlatform().name("pgwire-" + processId).daemon(true).unstarted(session::run);
      session.attach(thread);
      if (closed) {
        sessions.remove(processId);
        session.disconnect();
        break;
      }
      limits.armDeadline(session);
      thread.start();
    }
  }

  private static void pause() {
    try {
      Thread.sleep(50);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Routes a CancelRequest: cancels only when the secret matches the session's. */
  void cancel(int processId, int secretKey) {
    PgSession target = sessions.get(processId);
    if (target != null && target.secretKey() == secretKey) {
      target.cancelRunningStatement();
    } else {
      LOG.info("CancelRequest for unknown process {} or with a wrong key ignored", processId);
    }
  }

  /** The session's client authenticated: it leaves the pool of connections authenticating. */
  void authenticated(PgSession session) {
    limits.authenticated(session);
  }

  void ended(PgSession session) {
    sessions.remove(session.processId(), session);
    limits.ended(session);
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      LOG.debug("closing {}", socket, e);
    }
  }

  /** Stops accepting, disconnects every client and waits (briefly) for their threads to end. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      serverSocket.close();
    } catch (IOException e) {
      LOG.debug("closing the listening socket", e);
    }
    limits.close();
    for (PgSession session : sessions.values()) {
      session.disconnect();
    }
    try {
      acceptor.join(Duration.ofSeconds(5));
      for (PgSession session : sessions.values()) {
        session.join(Duration.ofSeconds(5));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
