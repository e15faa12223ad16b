package dev.threadbare.pgwire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.threadbare.db.Credentials;
import dev.threadbare.db.DbLayer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slow-loris on the wire port (issue 10): sockets that trickle a byte now and then must not lock
 * out a client that authenticates promptly; authentication has a total deadline; one address gets
 * "too many clients" before the global limit is reached. The attackers connect from other loopback
 * addresses (127.0.0.2…), the real client (pgjdbc, against the real db layer) from 127.0.0.1.
 */
class PgWireFloodTest {
  @TempDir Path dir;
  private DbLayer layer;
  private Credentials creds;
  private PgWireServer server;
  private final List<Socket> attackers = new ArrayList<>();
  private final AtomicBoolean trickling = new AtomicBoolean(true);
  private Thread trickler;

  @BeforeEach
  void start() {
    layer = DbLayer.duckDb(dir);
    creds = layer.addCredentials("shop", "v1");
  }

  private void serve(PgWireServer.Settings settings) {
    server =
        PgWireServer.start(
            layer, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), settings);
  }

  @AfterEach
  void stop() throws Exception {
    trickling.set(false);
    if (trickler != null) {
      trickler.join(5_000);
    }
    for (Socket s : attackers) {
      s.close();
    }
    if (server != null) {
      server.close();
    }
    layer.close();
  }

  private Connection connect(String localAddress) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", creds.user());
    p.setProperty("password", creds.password());
    p.setProperty("sslmode", "disable");
    p.setProperty("loginTimeout", "10");
    if (localAddress != null) {
      p.setProperty("localSocketAddress", localAddress);
    }
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + server.port() + "/shop", p);
  }

  /** Opens {@code count} sockets from 127.0.0.2… that send one byte of a startup packet. */
  private void flood(int count, int addresses) {
    for (int i = 0; i < count; i++) {
      try {
        Socket s = new Socket();
        s.bind(new InetSocketAddress("127.0.0." + (2 + i % addresses), 0));
        s.connect(new InetSocketAddress("127.0.0.1", server.port()), 2_000);
        s.getOutputStream().write(0);
        attackers.add(s);
      } catch (IOException e) {
        // refused or reset: the server is shedding them, which is the point
      }
    }
    trickler =
        Thread.ofPlatform()
            .daemon(true)
            .start(
                () -> {
                  while (trickling.get()) {
                    for (Socket s : attackers) {
                      try {
                        s.getOutputStream().write(0);
                      } catch (IOException e) {
                        // closed by the server
                      }
                    }
                    sleep(500);
                  }
                });
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void tricklingSocketsDoNotLockOutAPromptClient() throws Exception {
    serve(
        PgWireServer.Settings.defaults()
            .withAuthenticationTimeout(Duration.ofSeconds(60))
            .withMaxUnauthenticated(32)
            .withMaxUnauthenticatedPerAddress(8));
    flood(200, 10);
    // the sockets are held (at most 32, plus evicted ones still closing) or shed
    assertThat(server.connectionCount()).isLessThan(50);
    for (int round = 0; round < 3; round++) {
      long start = System.nanoTime();
      try (Connection c = connect(null);
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT 41 + 1 AS answer")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(42);
      }
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
      flood(40, 10); // more arrive meanwhile
    }
  }

  @Test
  void authenticationHasATotalDeadlineThatTricklingDoesNotExtend() throws Exception {
    serve(PgWireServer.Settings.defaults().withAuthenticationTimeout(Duration.ofSeconds(2)));
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(15_000);
      OutputStream out = s.getOutputStream();
      // a startup packet that announces 80 bytes, sent one byte each 300 ms
      byte[] packet = new byte[80];
      packet[3] = 80;
      packet[5] = 3;
      Thread slow =
          Thread.ofPlatform()
              .daemon(true)
              .start(
                  () -> {
                    for (byte b : packet) {
                      try {
                        out.write(b);
                        out.flush();
                      } catch (IOException e) {
                        return;
                      }
                      sleep(300);
                    }
                  });
      long start = System.nanoTime();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream received = new ByteArrayOutputStream();
      byte[] buffer = new byte[1024];
      try {
        for (int n; (n = in.read(buffer)) > 0; ) {
          received.write(buffer, 0, n);
        }
      } catch (IOException e) {
        // reset after the error: what was read is enough
      }
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      slow.interrupt();
      assertThat(received.toString(StandardCharsets.UTF_8))
          .contains("authentication did not complete within 2000 ms");
      assertThat(took).isBetween(Duration.ofMillis(1_500), Duration.ofSeconds(8));
    }
  }

  @Test
  void oneAddressIsToldTooManyBeforeTheGlobalLimit() throws Exception {
    serve(PgWireServer.Settings.defaults().withMaxConnections(10).withMaxConnectionsPerAddress(3));
    List<Connection> held = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        held.add(connect("127.0.0.3"));
      }
      assertThatThrownBy(() -> connect("127.0.0.3").close())
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("too many clients already from 127.0.0.3")
          .hasMessageContaining("maxConnectionsPerAddress")
          .extracting(e -> ((SQLException) e).getSQLState())
          .isEqualTo("53300");
      // another address still gets in
      try (Connection c = connect("127.0.0.4");
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT 1 AS one")) {
        assertThat(rs.next()).isTrue();
      }
    } finally {
      for (Connection c : held) {
        c.close();
      }
    }
  }
}
