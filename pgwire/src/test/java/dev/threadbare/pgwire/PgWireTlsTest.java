package dev.threadbare.pgwire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.threadbare.db.Credentials;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS (SSLRequest answered 'S') with psql, pgjdbc and a raw socket, and the certificates. */
class PgWireTlsTest {
  @TempDir static Path directory;
  private static InProcessLayer layer;
  private static Credentials carol;
  private static TlsIdentity identity;
  private static Path rootCertificate;
  private static PgWireServer tls;
  private static PgWireServer plain;

  @BeforeAll
  static void start() throws Exception {
    layer = new InProcessLayer();
    carol = layer.app();
    identity = TlsIdentity.selfSigned(directory.resolve("db-tls.p12"), "localhost");
    rootCertificate = Files.writeString(directory.resolve("root.crt"), identity.certificatePem());
    tls = start(PgWireServer.Settings.defaults().withTls(identity.sslContext()));
    plain = start(PgWireServer.Settings.defaults());
  }

  private static PgWireServer start(PgWireServer.Settings settings) {
    return PgWireServer.start(
        layer.service(), new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), settings);
  }

  @AfterAll
  static void stop() throws Exception {
    tls.close();
    plain.close();
    layer.close();
  }

  @Test
  void generatedCertificateIsMadeOnceOwnerOnlyAndReused() throws Exception {
    Path file = directory.resolve("again/db-tls.p12");
    TlsIdentity first = TlsIdentity.selfSigned(file, "db.example.org");
    TlsIdentity second = TlsIdentity.selfSigned(file, "other.example.org");
    assertThat(first.created()).isTrue();
    assertThat(second.created()).isFalse();
    assertThat(second.sha256Fingerprint())
        .isEqualTo(first.sha256Fingerprint())
        .matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
    assertThat(second.certificate().getSubjectX500Principal().getName())
        .isEqualTo("CN=db.example.org");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(second.certificate().getNotAfter().toInstant())
        .isAfter(java.time.Instant.now().plus(java.time.Duration.ofDays(3650)));
  }

  @Test
  void psqlRequireAndVerifyCaRunOverTls() throws Exception {
    String script = "SELECT 41 + 1 AS answer;\n\\conninfo\n";
    PgWirePsqlTest.PsqlRun require =
        PgWirePsqlTest.psql(tls.port(), carol.user(), carol.password(), "require", script);
    assertThat(require.output())
        .startsWith("answer\n42\n")
        .contains("SSL connection (protocol: TLS");
    assertThat(require.exitCode()).isZero();

    PgWirePsqlTest.PsqlRun verify =
        PgWirePsqlTest.psql(
            tls.port(),
            carol.user(),
            carol.password(),
            "verify-ca",
            script,
            "-d",
            "dbname=app sslrootcert=" + rootCertificate);
    assertThat(verify.output())
        .startsWith("answer\n42\n")
        .contains("SSL connection (protocol: TLS");
    assertThat(verify.exitCode()).isZero();
  }

  @Test
  void fatalErrorsReachTheClientOverTls() throws Exception {
    PgWirePsqlTest.PsqlRun run =
        PgWirePsqlTest.psql(tls.port(), carol.user(), "wrong horse", "require", "SELECT 1;\n");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.output())
        .contains("FATAL:  password authentication failed for user \"" + carol.user() + "\"");
  }

  @Test
  void psqlRequireFailsClearlyWithoutTls() throws Exception {
    PgWirePsqlTest.PsqlRun run =
        PgWirePsqlTest.psql(plain.port(), carol.user(), carol.password(), "require", "SELECT 1;\n");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.output()).contains("server does not support SSL, but SSL was required");
  }

  @Test
  void pgjdbcRequireVerifyCaAndDisableWork() throws Exception {
    assertThat(answer(tls, Map.of("sslmode", "require"))).isEqualTo(42);
    assertThat(
            answer(tls, Map.of("sslmode", "verify-ca", "sslrootcert", rootCertificate.toString())))
        .isEqualTo(42);
    assertThat(answer(tls, Map.of("sslmode", "disable"))).isEqualTo(42);
    // pgjdbc's message is localized (the tests run in German): check its SQLSTATE instead
    assertThatThrownBy(() -> answer(plain, Map.of("sslmode", "require")))
        .isInstanceOfSatisfying(
            SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("08004"));
  }

  @Test
  void pgjdbcVerifyCaRejectsAnotherCertificate() throws Exception {
    TlsIdentity stranger = TlsIdentity.selfSigned(directory.resolve("stranger.p12"), "localhost");
    Path wrongRoot = Files.writeString(directory.resolve("wrong.crt"), stranger.certificatePem());
    assertThatThrownBy(
            () -> answer(tls, Map.of("sslmode", "verify-ca", "sslrootcert", wrongRoot.toString())))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("SSL");
  }

  @Test
  void pemCertificateFromOpensslServesVerifyFull() throws Exception {
    Path cert = directory.resolve("server.crt");
    Path key = directory.resolve("server.key");
    Process openssl =
        new ProcessBuilder(
                "openssl",
                "req",
                "-new",
                "-x509",
                "-days",
                "2",
                "-nodes",
                "-newkey",
                "rsa:2048",
                "-subj",
                "/CN=localhost",
                "-addext",
                "subjectAltName=IP:127.0.0.1",
                "-keyout",
                key.toString(),
                "-out",
                cert.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(openssl.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(openssl.exitValue()).as(output).isZero();

    TlsIdentity pem = TlsIdentity.fromPem(cert, key);
    try (PgWireServer server = start(PgWireServer.Settings.defaults().withTls(pem.sslContext()))) {
      assertThat(answer(server, Map.of("sslmode", "verify-full", "sslrootcert", cert.toString())))
          .isEqualTo(42);
    }
    Path otherKey = directory.resolve("other.key");
    Files.writeString(
        otherKey,
        "-----BEGIN PRIVATE KEY-----\n"
            + java.util.Base64.getMimeEncoder()
                .encodeToString(
                    java.security.KeyPairGenerator.getInstance("RSA")
                        .generateKeyPair()
                        .getPrivate()
                        .getEncoded())
            + "\n-----END PRIVATE KEY-----\n");
    assertThatThrownBy(() -> TlsIdentity.fromPem(cert, otherKey))
        .isInstanceOf(PgWireException.class)
        .hasMessageContaining("other.key does not belong to the certificate");
  }

  @Test
  void bytesAfterSslRequestBeforeTheAnswerAreRefused() throws Exception {
    try (RawPgClient client = new RawPgClient(tls.port())) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      bytes.writeBytes(RawPgClient.int32(8));
      bytes.writeBytes(RawPgClient.int32(PgCodec.SSL_REQUEST_CODE));
      // what a man in the middle would inject: a plaintext startup before the TLS handshake
      byte[] user =
          ("user\0" + carol.user() + "\0database\0app\0\0").getBytes(StandardCharsets.UTF_8);
      bytes.writeBytes(RawPgClient.int32(8 + user.length));
      bytes.writeBytes(RawPgClient.int32(3 << 16));
      bytes.writeBytes(user);
      client.sendRaw(bytes.toByteArray());
      RawPgClient.Message answer = client.read();
      assertThat(answer.type()).isEqualTo('E');
      assertThat(answer.fields())
          .containsEntry('S', "FATAL")
          .containsEntry('C', "08P01")
          .hasEntrySatisfying(
              'M', message -> assertThat(message).contains("unencrypted data after SSL request"));
      assertThat(client.closedByServer()).isTrue();
    }
  }

  private static int answer(PgWireServer server, Map<String, String> ssl) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", carol.user());
    properties.setProperty("password", carol.password());
    properties.putAll(ssl);
    try (Connection connection =
            DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + server.port() + "/app", properties);
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT 41 + 1")) {
      rows.next();
      return rows.getInt(1);
    }
  }
}
