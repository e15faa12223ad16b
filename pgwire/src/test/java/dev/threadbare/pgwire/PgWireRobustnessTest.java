package dev.threadbare.pgwire;

import static dev.threadbare.pgwire.RawPgClient.cstring;
import static dev.threadbare.pgwire.RawPgClient.int16;
import static dev.threadbare.pgwire.RawPgClient.int32;
import static org.assertj.core.api.Assertions.assertThat;

import dev.threadbare.db.Credentials;
import dev.threadbare.pgwire.RawPgClient.Message;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Malformed, truncated, oversized and hostile input from raw sockets: each offending connection
 * gets an ErrorResponse and is closed, while a JDBC client on the same server keeps working and no
 * session is left behind.
 */
class PgWireRobustnessTest {
  private static InProcessLayer layer;
  private static Credentials dave;
  private static PgWireServer server;
  private static Connection bystander;

  @BeforeAll
  static void start() throws Exception {
    layer = new InProcessLayer();
    dave = layer.app();
    server =
        PgWireServer.start(
            layer.service(),
            new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0),
            PgWireServer.Settings.defaults()
                .withCleartextPassword(true)
                .withAuthenticationTimeout(Duration.ofSeconds(2)));
    bystander =
        DriverManager.getConnection(
            "jdbc:postgresql://127.0.0.1:" + server.port() + "/app", dave.user(), dave.password());
    try (Statement statement = bystander.createStatement()) {
      statement.execute("CREATE TABLE counter (n INTEGER)");
    }
  }

  @AfterAll
  static void stop() throws Exception {
    bystander.close();
    server.close();
    assertThat(server.connectionCount()).isZero();
    layer.close();
  }

  @BeforeEach
  @AfterEach
  void bystanderKeepsWorking() throws Exception {
    try (Statement statement = bystander.createStatement()) {
      statement.execute("INSERT INTO counter VALUES (1)");
      assertThat(PgWireJdbcTest.rows(statement.executeQuery("SELECT 'ok' AS s")))
          .containsExactly("ok");
    }
  }

  @AfterEach
  void noSessionLeftBehind() throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (server.connectionCount() > 1 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(server.connectionCount()).as("only the bystander is connected").isEqualTo(1);
  }

  private static Map<Character, String> fatalThenClosed(RawPgClient client) throws IOException {
    Message error = client.read();
    assertThat(error.type()).isEqualTo('E');
    assertThat(error.fields()).containsEntry('S', "FATAL");
    assertThat(client.closedByServer()).isTrue();
    return error.fields();
  }

  @Test
  void httpRequestInsteadOfStartupPacket() throws Exception {
    try (RawPgClient client = new RawPgClient(server.port())) {
      client.sendRaw("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      Map<Character, String> error = fatalThenClosed(client);
      assertThat(error).containsEntry('C', "08P01");
      assertThat(error.get('M')).contains("startup packet announces").contains("8 to 10000 bytes");
    }
  }

  @Test
  void truncatedStartupPacketJustEnds() throws Exception {
    try (RawPgClient client = new RawPgClient(server.port())) {
      client.sendRaw(new byte[] {0, 0, 0, 40, 0, 3, 0, 0, 'u', 's'});
      client.socket.shutdownOutput();
      assertThat(client.closedByServer()).isTrue();
    }
  }

  @Test
  void silentClientIsDisconnectedAfterTheAuthenticationTimeout() throws Exception {
    try (RawPgClient client = new RawPgClient(server.port())) {
      Map<Character, String> error = fatalThenClosed(client);
      assertThat(error.get('M')).contains("authentication did not complete within 2000 ms");
    }
  }

  @Test
  void hundredMegabyteQueryIsRefusedWith54000() throws Exception {
    try (RawPgClient client =
        RawPgClient.authenticated(server.port(), dave.user(), dave.password())) {
      client.sendRaw(new byte[] {'Q'});
      client.sendRaw(int32(100 * 1024 * 1024));
      client.sendRaw("SELECT '".repeat(1000).getBytes(StandardCharsets.US_ASCII));
      Map<Character, String> error = fatalThenClosed(client);
      assertThat(error).containsEntry('C', "54000");
      assertThat(error.get('M'))
          .isEqualTo(
              "message Q of 104857596 bytes exceeds the limit of 16777216 bytes; send smaller"
                  + " statements or bind large values as parameters in pieces");
    }
  }

  @Test
  void unknownMessageTypeAndNegativeLength() throws Exception {
    try (RawPgClient client =
        RawPgClient.authenticated(server.port(), dave.user(), dave.password())) {
      client.send('!', new byte[3]);
      Map<Character, String> error = fatalThenClosed(client);
      assertThat(error).containsEntry('C', "08P01");
      assertThat(error.get('M')).startsWith("invalid frontend message type '!' (0x21)");
    }
    try (RawPgClient client =
        RawPgClient.authenticated(server.port(), dave.user(), dave.password())) {
      client.sendRaw(new byte[] {'Q', (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xf0});
      assertThat(fatalThenClosed(client).get('M')).contains("announces length -16");
    }
  }

  @Test
  void malformedBindAndQueryWithoutTerminator() throws Exception {
    try (RawPgClient client =
        RawPgClient.authenticated(server.port(), dave.user(), dave.password())) {
      // portal "", statement "", no formats, 5 parameters announced, then nothing
      client.send('B', cstring(""), cstring(""), int16(0), int16(5), int32(4));
      Map<Character, String> error = fatalThenClosed(client);
      assertThat(error).containsEntry('C', "08P01");
      assertThat(error.get('M'))
          .isEqualTo(
              "BIND message is malformed: field `parameter 1` needs 4 bytes but only 0 remain;"
                  + " the message length must cover every field");
    }
    try (RawPgClient client =
        RawPgClient.authenticated(server.port(), dave.user(), dave.password())) {
      client.send('Q', "SELECT 1".getBytes(StandardCharsets.US_ASCII));
      assertThat(fatalThenClosed(client).get('M'))
          .contains("string field `query` has no terminating NUL byte");
    }
  }

  @Test
  void clientThatDoesNotAnswerTheAuthenticationRequest() throws Exception {
    try (RawPgClient client = new RawPgClient(server.port())) {
      client.startup(dave.user(), "app");
      assertThat(client.read().type()).isEqualTo('R');
      client.send('Q', cstring("SELECT 1"));
      Map<Character, String> error = fatalThenClosed(client);
      assertThat(error.get('M')).startsWith("expected password ('p') during authentication");
    }
  }

  @Test
  void unsupportedProtocolVersion() throws Exception {
    try (RawPgClient client = new RawPgClient(server.port())) {
      client.sendRaw(int32(8));
      client.sendRaw(int32(2 << 16));
      Map<Character, String> error = fatalThenClosed(client);
      assertThat(error).containsEntry('C', "0A000");
      assertThat(error.get('M')).contains("unsupported frontend protocol 2.0");
    }
  }

  @Test
  void statementsBeforeSyncAreOneTransactionEvenWhenTheSyncComesLaterOrAWireErrorEndsThem()
      throws Exception {
    try (Statement statement = bystander.createStatement()) {
      statement.execute("CREATE TABLE pipelined (n INTEGER)");
    }
    try (RawPgClient client =
        RawPgClient.authenticated(server.port(), dave.user(), dave.password())) {
      // an INSERT, flushed and answered before any Sync: not visible to others until the Sync
      client.send(
          'P', cstring("ins"), cstring("INSERT INTO pipelined VALUES ($1)"), int16(1), int32(23));
      insert(client, 1);
      client.send('H');
      assertThat(client.readUntil('C')).extracting(Message::type).containsExactly('1', '2', 'C');
      assertThat(pipelinedCount()).isEqualTo("0");
      // a wire error (two values for one parameter) rolls it back; the rest waits for Sync
      client.send(
          'B',
          cstring(""),
          cstring("ins"),
          int16(0),
          int16(2),
          int32(1),
          new byte[] {'2'},
          int32(1),
          new byte[] {'3'},
          int16(0));
      client.send('E', cstring(""), int32(0));
      client.send('S');
      List<Message> answer = client.readUntil('Z');
      assertThat(answer).extracting(Message::type).containsExactly('E', 'Z');
      assertThat(answer.get(1).text()).isEqualTo("I");
      assertThat(pipelinedCount()).isEqualTo("0");

      // two INSERTs with a Flush between: committed together at the Sync
      insert(client, 7);
      client.send('H');
      assertThat(client.readUntil('C')).extracting(Message::type).containsExactly('2', 'C');
      assertThat(pipelinedCount()).isEqualTo("0");
      insert(client, 8);
      client.send('S');
      answer = client.readUntil('Z');
      assertThat(answer).extracting(Message::type).containsExactly('2', 'C', 'Z');
      assertThat(answer.get(2).text()).isEqualTo("I");
      assertThat(pipelinedCount()).isEqualTo("2");
    }
  }

  private static void insert(RawPgClient client, int n) throws IOException {
    byte[] text = String.valueOf(n).getBytes(StandardCharsets.UTF_8);
    client.send(
        'B', cstring(""), cstring("ins"), int16(0), int16(1), int32(text.length), text, int16(0));
    client.send('E', cstring(""), int32(0));
  }

  private static String pipelinedCount() throws Exception {
    try (Statement statement = bystander.createStatement();
        java.sql.ResultSet rs = statement.executeQuery("SELECT count(*) FROM pipelined")) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Test
  void extendedProtocolErrorsDiscardUntilSyncAndThePortalSuspends() throws Exception {
    try (RawPgClient client =
        RawPgClient.authenticated(server.port(), dave.user(), dave.password())) {
      // Bind to a statement that does not exist: error, then everything up to Sync is skipped.
      client.send('B', cstring(""), cstring("nope"), int16(0), int16(0), int16(0));
      client.send('E', cstring(""), int32(0));
      client.send('S');
      List<Message> answer = client.readUntil('Z');
      assertThat(answer).extracting(Message::type).containsExactly('E', 'Z');
      assertThat(answer.get(0).fields())
          .containsEntry('S', "ERROR")
          .containsEntry('C', "26000")
          .containsEntry(
              'M',
              "prepared statement \"nope\" does not exist: Parse it first (statements belong to"
                  + " one connection)");
      assertThat(answer.get(1).text()).isEqualTo("I");

      // Named statement, int8 parameter in binary, results in binary, two rows at a time.
      client.send(
          'P', cstring("s1"), cstring("SELECT range AS n FROM range($1)"), int16(1), int32(20));
      client.send(
          'B',
          cstring("p1"),
          cstring("s1"),
          int16(1),
          int16(1),
          int16(1),
          int32(8),
          ByteBuffer.allocate(8).putLong(5).array(),
          int16(1),
          int16(1));
      client.send('D', new byte[] {'P'}, cstring("p1"));
      client.send('E', cstring("p1"), int32(2));
      client.send('E', cstring("p1"), int32(2));
      client.send('E', cstring("p1"), int32(2));
      client.send('S');
      List<Message> messages = client.readUntil('Z');
      assertThat(messages)
          .extracting(Message::type)
          .containsExactly('1', '2', 'T', 'D', 'D', 's', 'D', 'D', 's', 'D', 'C', 'Z');
      Message firstRow = messages.get(3);
      ByteBuffer row = ByteBuffer.wrap(firstRow.body());
      assertThat(row.getShort()).isEqualTo((short) 1);
      assertThat(row.getInt()).isEqualTo(8);
      assertThat(row.getLong()).isZero();
      assertThat(messages.get(10).text()).isEqualTo("SELECT 1\0");

      // A bad binary parameter is an ERROR, not the end of the connection.
      client.send(
          'B',
          cstring(""),
          cstring("s1"),
          int16(1),
          int16(1),
          int16(1),
          int32(3),
          new byte[3],
          int16(0));
      client.send('S');
      answer = client.readUntil('Z');
      assertThat(answer.get(0).fields())
          .containsEntry('C', "22P03")
          .containsEntry(
              'M',
              "parameter $1 (3 bytes) is not a valid binary int8 value: expected 8 bytes but got 3");

      client.send('Q', cstring(" ; "));
      assertThat(client.readUntil('Z')).extracting(Message::type).containsExactly('I', 'Z');
      client.send('X');
      assertThat(client.closedByServer()).isTrue();
    }
  }

  @Test
  void encryptionRequestsAreDeclinedAndNewerMinorVersionsNegotiatedDown() throws Exception {
    try (RawPgClient client = new RawPgClient(server.port())) {
      client.sendRaw(int32(8));
      client.sendRaw(int32(PgCodec.GSSENC_REQUEST_CODE));
      assertThat(client.in.readUnsignedByte()).isEqualTo('N');
      client.sendRaw(int32(8));
      client.sendRaw(int32(PgCodec.SSL_REQUEST_CODE));
      assertThat(client.in.readUnsignedByte()).isEqualTo('N');
      // protocol 3.2 with an unknown protocol option: we answer NegotiateProtocolVersion(3.0)
      byte[] body =
          concat(
              int32((3 << 16) | 2),
              cstring("user"),
              cstring(dave.user()),
              cstring("database"),
              cstring("app"),
              cstring("_pq_.frobnicate"),
              cstring("on"),
              new byte[] {0});
      client.sendRaw(int32(body.length + 4));
      client.sendRaw(body);
      Message negotiate = client.read();
      assertThat(negotiate.type()).isEqualTo('v');
      assertThat(negotiate.body())
          .isEqualTo(concat(int32(0), int32(1), cstring("_pq_.frobnicate")));
      assertThat(client.read().type()).isEqualTo('R');
      client.send('p', cstring(dave.password()));
      List<Message> startup = client.readUntil('Z');
      assertThat(startup.get(0).body()).isEqualTo(int32(0)); // AuthenticationOk
      assertThat(startup)
          .filteredOn(m -> m.type() == 'S')
          .extracting(Message::text)
          .contains("server_version\u000016.0 (threadbare)\0", "client_encoding\0UTF8\0");
      assertThat(startup).extracting(Message::type).contains('K');
    }
  }

  private static byte[] concat(byte[]... parts) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  @Test
  void tooManyConnectionsAreRefusedWith53300() throws Exception {
    try (PgWireServer small =
            PgWireServer.start(
                layer.service(),
                new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0),
                PgWireServer.Settings.defaults()
                    .withCleartextPassword(true)
                    .withMaxConnections(1));
        RawPgClient first = RawPgClient.authenticated(small.port(), dave.user(), dave.password());
        RawPgClient second = new RawPgClient(small.port())) {
      second.startup(dave.user(), "app");
      assertThat(fatalThenClosed(second)).containsEntry('C', "53300");
      first.send('Q', cstring("SELECT 1 AS one"));
      assertThat(first.readUntil('Z'))
          .extracting(Message::type)
          .containsExactly('T', 'D', 'C', 'Z');
    }
  }
}
