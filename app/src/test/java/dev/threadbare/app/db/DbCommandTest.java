package dev.threadbare.app.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.threadbare.app.cli.DbCommand;
import dev.threadbare.app.serve.DbTls;
import dev.threadbare.pgwire.TlsIdentity;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DbCommandTest {
  @TempDir Path data;

  private record Run(int exit, String out, String err) {
    List<String> lines() {
      return out.lines().toList();
    }
  }

  private static CommandLine cli(Object command, StringWriter out, StringWriter err) {
    CommandLine cli = new CommandLine(command);
    cli.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          commandLine.getErr().println("threadbare: " + ex.getMessage());
          return 1;
        });
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli;
  }

  private Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = cli(new DbCommand(), out, err).execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void addCredentialsPrintsTheTokenThenTheUrl() {
    Run r =
        run("add-credentials", "--data", data.toString(), "--database", "prod", "--version", "v1");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.lines()).hasSize(2);
    assertThat(r.lines().get(0)).matches("tbdb_[0-9a-f]{48}");
    assertThat(r.lines().get(1))
        .matches("postgresql://tb_[0-9a-f]{16}:[0-9a-f]{32}@127\\.0\\.0\\.1:5433/prod");
    Run bad =
        run(
            "add-credentials",
            "--data",
            data.toString(),
            "--database",
            "Bad Name!",
            "--version",
            "v1");
    assertThat(bad.exit()).isEqualTo(1);
    assertThat(bad.err()).contains("Bad Name!").contains("a-z");
  }

  @Test
  void describeAndGcReportPrintJson() {
    run("add-credentials", "--data", data.toString(), "--database", "prod", "--version", "v1");
    Run d = run("describe", "--data", data.toString(), "--database", "prod");
    assertThat(d.exit()).as(d.err()).isZero();
    assertThat(d.out()).contains("\"database\" : \"prod\"").contains("\"tables\" : [ ]");
    Run g = run("gc-report", "--data", data.toString(), "--database", "prod");
    assertThat(g.exit()).as(g.err()).isZero();
    assertThat(g.out()).contains("\"retentionDays\" : 30");
    Run missing = run("describe", "--data", data.toString(), "--database", "nosuch");
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.err()).contains("nosuch").contains("does not exist");
  }

  /** A running {@code db serve}: its output so far, its port, and how to stop it. */
  private record Serving(DbCommand.Serve serve, StringWriter out, CompletableFuture<Integer> exit) {
    Matcher await(Pattern pattern) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      Matcher m = pattern.matcher(out.toString());
      while (!m.find()) {
        assertThat(exit).as(out.toString()).isNotDone();
        assertThat(System.nanoTime()).as("waiting for " + pattern).isLessThan(deadline);
        Thread.sleep(50);
        m = pattern.matcher(out.toString());
      }
      return m;
    }

    int port() throws InterruptedException {
      return Integer.parseInt(
          await(Pattern.compile("listening on postgresql://127\\.0\\.0\\.1:(\\d+)")).group(1));
    }

    String tlsLine() throws InterruptedException {
      return await(Pattern.compile("threadbare db TLS: (.*)")).group(1);
    }

    void stop() throws Exception {
      serve.requestStop();
      assertThat(exit.get(30, TimeUnit.SECONDS)).isZero();
    }
  }

  private Serving serve(String... extra) {
    DbCommand.Serve serve = new DbCommand.Serve();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = cli(serve, out, err);
    List<String> args =
        new java.util.ArrayList<>(List.of("--data", data.toString(), "--port", "0"));
    args.addAll(List.of(extra));
    return new Serving(
        serve, out, CompletableFuture.supplyAsync(() -> cli.execute(args.toArray(new String[0]))));
  }

  private static Connection connect(int port, String[] userInfo, String... ssl)
      throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", userInfo[0]);
    properties.setProperty("password", userInfo[1]);
    for (int i = 0; i < ssl.length; i += 2) {
      properties.setProperty(ssl[i], ssl[i + 1]);
    }
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/prod", properties);
  }

  @Test
  void servedOverTheWireToTheJdbcDriverOverTlsWithAGeneratedCertificateKeptForRestarts()
      throws Exception {
    Run creds =
        run("add-credentials", "--data", data.toString(), "--database", "prod", "--version", "v1");
    URI url = URI.create(creds.lines().get(1));
    String[] userInfo = url.getUserInfo().split(":");

    Serving first = serve();
    int port = first.port();
    String tls = first.tlsLine();
    Path keyStore = data.resolve(DbTls.GENERATED_FILE);
    // the fingerprint printed is the one of the certificate kept in the data directory
    TlsIdentity kept = TlsIdentity.selfSigned(keyStore, "unused");
    assertThat(tls)
        .isEqualTo(
            "certificate "
                + keyStore
                + " (self-signed, generated now) SHA-256 "
                + kept.sha256Fingerprint());
    Path root = Files.writeString(data.resolve("root.crt"), kept.certificatePem());
    try (Connection c =
            connect(port, userInfo, "sslmode", "verify-ca", "sslrootcert", root.toString());
        Statement s = c.createStatement()) {
      s.execute("INSERT INTO visits (path, hits) VALUES ('/', 1)");
      try (ResultSet rs = s.executeQuery("SELECT path, hits FROM visits")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("/");
        assertThat(rs.getLong(2)).isEqualTo(1L);
      }
    } finally {
      first.stop();
    }

    Serving again = serve();
    try {
      int port2 = again.port();
      assertThat(again.tlsLine())
          .isEqualTo("certificate " + keyStore + " SHA-256 " + kept.sha256Fingerprint());
      try (Connection c =
          connect(port2, userInfo, "sslmode", "verify-ca", "sslrootcert", root.toString())) {
        assertThat(c.isValid(5)).isTrue();
      }
    } finally {
      again.stop();
    }

    Serving plain = serve("--db-tls", "off");
    try {
      int port3 = plain.port();
      assertThat(plain.tlsLine()).startsWith("off");
      try (Connection c = connect(port3, userInfo, "sslmode", "disable")) {
        assertThat(c.isValid(5)).isTrue();
      }
      // pgjdbc's message is localized (German under test): its SQLSTATE says "rejected"
      assertThatThrownBy(() -> connect(port3, userInfo, "sslmode", "require").close())
          .isInstanceOfSatisfying(
              SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("08004"));
    } finally {
      plain.stop();
    }
  }

  @Test
  void aCertificateWithoutItsKeyIsRefusedNamingBothOptions() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit =
        cli(new DbCommand.Serve(), out, err)
            .execute("--data", data.toString(), "--port", "0", "--db-tls-cert", "server.crt");
    assertThat(exit).isEqualTo(1);
    assertThat(err.toString())
        .contains("--db-tls-cert and --db-tls-key go together")
        .contains("server.crt");
  }
}
