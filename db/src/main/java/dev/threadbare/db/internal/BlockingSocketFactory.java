package dev.threadbare.db.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import javax.net.SocketFactory;

/**
 * Sockets for the layer's pgjdbc connections that stay in blocking mode.
 *
 * <p>A plain {@link Socket} switches its file descriptor to non-blocking for good the first time it
 * connects or reads with a timeout (pgjdbc always connects with one), after which every read that
 * has to wait costs three system calls ({@code read} answering EAGAIN, {@code poll}, {@code read})
 * instead of one. A socket channel's adaptor returns to blocking mode after each timed operation,
 * so a statement's round trip to PostgreSQL is one {@code write} and one {@code read}. pgjdbc
 * instantiates this class by name (its {@code socketFactory} property), hence public.
 */
public final class BlockingSocketFactory extends SocketFactory {
  /** For pgjdbc, which instantiates the factory reflectively. */
  public BlockingSocketFactory() {}

  @Override
  public Socket createSocket() throws IOException {
    return SocketChannel.open().socket();
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return connected(new InetSocketAddress(host, port));
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return connected(new InetSocketAddress(host, port));
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
      throws IOException {
    return bound(new InetSocketAddress(localHost, localPort), new InetSocketAddress(host, port));
  }

  @Override
  public Socket createSocket(InetAddress host, int port, InetAddress localHost, int localPort)
      throws IOException {
    return bound(new InetSocketAddress(localHost, localPort), new InetSocketAddress(host, port));
  }

  private Socket connected(InetSocketAddress remote) throws IOException {
    Socket socket = createSocket();
    try {
      socket.connect(remote);
      return socket;
    } catch (IOException e) {
      socket.close();
      throw e;
    }
  }

  private Socket bound(InetSocketAddress local, InetSocketAddress remote) throws IOException {
    Socket socket = createSocket();
    try {
      socket.bind(local);
      socket.connect(remote);
      return socket;
    } catch (IOException e) {
      socket.close();
      throw e;
    }
  }
}
