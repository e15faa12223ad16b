package dev.threadbare.deploy.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host side of a deployment's private network: byte pumps between a loopback TCP port and a
 * Unix socket in the deployment's directory (the only thing both sides of the network namespace
 * see). {@link #tcpToUnix} serves the app's port to the proxy; {@link #unixToTcp} offers the db
 * layer's wire port inside. Each connection is two virtual threads copying bytes until either side
 * closes; {@link #close()} stops listening and cuts every connection.
 */
public final class SocketBridge implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SocketBridge.class);

  /**
   * Pending connections a listener holds. A Unix socket refuses a connect at once (no retry, as
   * TCP's SYN has) when its backlog is full: a proxy opening tens of connections together needs
   * room, like socat's listeners inside ({@code backlog=1024}).
   */
  static final int BACKLOG = 1024;

  private final ServerSocketChannel listener;
  private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
  private final String name;
  private volatile boolean closed;

  private SocketBridge(ServerSocketChannel listener, String name) {
    this.listener = listener;
    this.name = name;
  }

  /** Listens on {@code 127.0.0.1:port}; each connection goes to the Unix socket {@code target}. */
  public static SocketBridge tcpToUnix(int port, Path target) throws IOException {
    ServerSocketChannel server = ServerSocketChannel.open();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), BACKLOG);
    SocketBridge bridge = new SocketBridge(server, "tcp:" + port + "->" + target);
    bridge.acceptLoop(
        () -> {
          SocketChannel out = SocketChannel.open(StandardProtocolFamily.UNIX);
          out.connect(UnixDomainSocketAddress.of(target));
          return out;
        });
    return bridge;
  }

  /**
   * Listens on the Unix socket {@code socket} (made connectable by anyone: the sandbox runs as
   * another user; the directory holding it is the deployment's own); each connection goes to {@code
   * host:port}.
   */
  public static SocketBridge unixToTcp(Path socket, String host, int port) throws IOException {
    Files.deleteIfExists(socket);
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket), BACKLOG);
    Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rwxrwxrwx"));
    SocketBridge bridge = new SocketBridge(server, socket + "->" + host + ":" + port);
    bridge.acceptLoop(() -> SocketChannel.open(new InetSocketAddress(host, port)));
    return bridge;
  }

  private interface Connector {
    SocketChannel connect() throws IOException;
  }

  private void acceptLoop(Connector connector) {
    Thread.ofVirtual()
        .name("bridge-" + name)
        .start(
            () -> {
              while (!closed) {
                SocketChannel in;
                try {
                  in = listener.accept();
                } catch (IOException e) {
                  if (!closed) {
                    log.debug("bridge {} stopped accepting: {}", name, e.toString());
                  }
                  return;
                }
                open.add(in);
                Thread.ofVirtual().start(() -> serve(in, connector));
              }
            });
  }

  private void serve(SocketChannel in, Connector connector) {
    SocketChannel out;
    try {
      out = connector.connect();
    } catch (IOException e) {
      closeQuietly(in);
      return;
    }
    open.add(out);
    // Each direction half-closes the other side when its source ends; the last to end closes both.
    AtomicInteger left = new AtomicInteger(2);
    Runnable done =
        () -> {
          if (left.decrementAndGet() == 0) {
            closeQuietly(in);
            closeQuietly(out);
          }
        };
    Thread.ofVirtual()
        .start(
            () -> {
              pump(out, in);
              done.run();
            });
    pump(in, out);
    done.run();
  }

  /** Copies {@code from} to {@code to} until {@code from} ends, then half-closes {@code to}. */
  private void pump(SocketChannel from, SocketChannel to) {
    ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
    try {
      while (from.read(buffer) >= 0) {
        buffer.flip();
        while (buffer.hasRemaining()) {
          to.write(buffer);
        }
        buffer.clear();
      }
      to.shutdownOutput();
    } catch (IOException e) {
      // One side failed: the connection is over both ways.
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  private void closeQuietly(SocketChannel channel) {
    open.remove(channel);
    try {
      channel.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      listener.close();
    } catch (IOException e) {
      // closing anyway
    }
    for (SocketChannel channel : open) {
      closeQuietly(channel);
    }
  }
}
