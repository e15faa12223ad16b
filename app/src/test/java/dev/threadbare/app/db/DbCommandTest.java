package dev.threadbare.app.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadbare.app.cli.DbCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
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

  @Test
  void servedOverTheWireToTheJdbcDriver() throws Exception {
    Run creds =
        run("add-credentials", "--data", data.toString(), "--database", "prod", "--version", "v1");
    URI url = URI.create(creds.lines().get(1));
    String[] userInfo = url.getUserInfo().split(":");

    DbCommand.Serve serve = new DbCommand.Serve();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = cli(serve, out, err);
    CompletableFuture<Integer> running =
        CompletableFuture.supplyAsync(() -> cli.execute("--data", data.toString(), "--port", "0"));
    Pattern listening = Pattern.compile("postgresql on 127\\.0\\.0\\.1:(\\d+)");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    Matcher m = listening.matcher(out.toString());
    while (!m.find() && System.nanoTime() < deadline) {
      assertThat(running).as(err.toString()).isNotDone();
      Thread.sleep(50);
      m = listening.matcher(out.toString());
    }
    int port = Integer.parseInt(m.group(1));
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + port + "/prod", userInfo[0], userInfo[1]);
        Statement s = c.createStatement()) {
      s.execute("INSERT INTO visits (path, hits) VALUES ('/', 1)");
      try (ResultSet rs = s.executeQuery("SELECT path, hits FROM visits")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("/");
        assertThat(rs.getLong(2)).isEqualTo(1L);
      }
    } finally {
      serve.requestStop();
    }
    assertThat(running.get(30, TimeUnit.SECONDS)).isZero();
  }
}
