import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * The floor of what a proxy costs: a relay that copies bytes between each client and a PostgreSQL
 * connection of its own, two blocking threads per connection, looking at nothing. Anything in front
 * of PostgreSQL that reads the protocol (threadbare's wire server, pgbouncer) does at least this
 * much work per statement. Trust authentication only (the embedded PostgreSQL's default).
 */
final class Relays {
  private Relays() {}

  /**
   * Starts a relay to PostgreSQL on {@code pgPort}: over TCP when {@code socketDirectory} is null,
   * else through {@code socketDirectory/.s.PGSQL.<pgPort>}. Returns the port clients connect to.
   */
  static int blocking(int pgPort, String socketDirectory) throws IOException {
    ServerSocketChannel server =
        ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
    Thread acceptor =
        new Thread(
            () -> {
              while (true) {
                try {
                  SocketChannel client = server.accept();
                  client.socket().setTcpNoDelay(true);
                  SocketChannel pg;
                  if (socketDirectory != null) {
                    pg =
                        SocketChannel.open(
                            UnixDomainSocketAddress.of(
                                socketDirectory + "/.s.PGSQL." + pgPort));
                  } else {
                    pg = SocketChannel.open(new InetSocketAddress("127.0.0.1", pgPort));
                    pg.socket().setTcpNoDelay(true);
                  }
                  pump(client, pg);
                  pump(pg, client);
                } catch (IOException e) {
                  return;
                }
              }
            },
            "relay-accept");
    acceptor.setDaemon(true);
    acceptor.start();
    return server.socket().getLocalPort();
  }

  private static void pump(SocketChannel from, SocketChannel to) {
    Thread thread =
        new Thread(
            () -> {
              ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 16);
              try {
                while (from.read(buffer) >= 0) {
                  buffer.flip();
                  while (buffer.hasRemaining()) {
                    to.write(buffer);
                  }
                  buffer.clear();
                }
              } catch (IOException e) {
                // the other side closed: close both
              }
              try {
                from.close();
                to.close();
              } catch (IOException e) {
                // closing anyway
              }
            },
            "relay-pump");
    thread.setDaemon(true);
    thread.start();
  }
}
