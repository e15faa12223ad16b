package dev.threadbare.pgwire;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real {@code psql} client against the wire server over a DuckDB pass-through service. */
class PgWirePsqlTest {
  private static DuckDbTestService service;
  private static PgWireServer server;

  @BeforeAll
  static void start() {
    service = new DuckDbTestService(Map.of("carol", "correct horse"));
    server =
        PgWireServer.start(
            service,
            new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0),
            PgWireServer.Settings.defaults());
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
    service.close();
  }

  /** What psql printed (stdout and stderr merged) and its exit code. */
  record PsqlRun(int exitCode, String output) {}

  static PsqlRun psql(int port, String password, String sslMode, String script, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add("/usr/bin/psql");
    command.addAll(
        List.of(
            "-X",
            "-q",
            "-A",
            "-F",
            "|",
            "-P",
            "footer=off",
            "-h",
            "127.0.0.1",
            "-p",
            Integer.toString(port),
            "-U",
            "carol",
            "-d",
            "app",
            "-v",
            "VERBOSITY=verbose"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("PGPASSWORD", password);
    builder.environment().put("PGSSLMODE", sslMode);
    builder.environment().put("PGCLIENTENCODING", "UTF8");
    builder.environment().put("PGCONNECT_TIMEOUT", "10");
    builder.environment().remove("PGSERVICE");
    Process process = builder.start();
    try (OutputStream stdin = process.getOutputStream()) {
      stdin.write(script.getBytes(StandardCharsets.UTF_8));
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("psql did not finish: " + output);
    }
    return new PsqlRun(process.exitValue(), output);
  }

  @Test
  void scriptedSessionPrintsWhatPostgresWouldPrint() throws Exception {
    String script =
        """
        CREATE TABLE notes (id INTEGER, body VARCHAR, done BOOLEAN, seen TIMESTAMP, raw BLOB);
        INSERT INTO notes VALUES (1, 'first', true, TIMESTAMP '2024-05-06 07:08:09.5', '\\x01\\xAB'::BLOB), (2, 'zweite Notiz ü', false, NULL, NULL);
        SELECT id, body, done, seen, raw FROM notes ORDER BY id;
        BEGIN;
        INSERT INTO notes VALUES (3, 'gone', true, NULL, NULL);
        ROLLBACK;
        SELECT count(*) AS n FROM notes;
        DROP TABLE notes;
        SELECT 'recovered' AS state; SELECT 1.5::DOUBLE AS x, 12345678901234567890::HUGEINT AS big;
        ;
        """;
    PsqlRun run = psql(server.port(), "correct horse", "prefer", script);
    assertThat(run.output())
        .isEqualTo(
            """
            id|body|done|seen|raw
            1|first|t|2024-05-06 07:08:09.5|\\x01ab
            2|zweite Notiz ü|f||
            n
            2
            ERROR:  42501: DROP is refused: names are permanent
            HINT:  write both, read either
            state
            recovered
            x|big
            1.5|12345678901234567890
            """);
    assertThat(run.exitCode()).isZero();
  }

  @Test
  void wrongPasswordFailsWith28P01() throws Exception {
    PsqlRun run = psql(server.port(), "wrong horse", "disable", "SELECT 1;\n");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.output()).contains("FATAL:  password authentication failed for user \"carol\"");
  }
}
