package dev.threadbare.pgwire;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadbare.db.Credentials;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real {@code psql} client against the wire server over the db layer on DuckDB, in process. */
class PgWirePsqlTest {
  private static InProcessLayer layer;
  private static Credentials carol;
  private static PgWireServer server;

  @BeforeAll
  static void start() {
    layer = new InProcessLayer();
    carol = layer.app();
    server =
        PgWireServer.start(
            layer.service(),
            new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0),
            PgWireServer.Settings.defaults());
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
    layer.close();
  }

  /** What psql printed (stdout and stderr merged) and its exit code. */
  record PsqlRun(int exitCode, String output) {}

  static PsqlRun psql(
      int port, String user, String password, String sslMode, String script, String... args)
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
            user,
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
        CREATE TABLE notes (id integer, body text, done boolean, seen timestamp, raw bytea);
        INSERT INTO notes (id, body, done, seen, raw) VALUES (1, 'first', true, TIMESTAMP '2024-05-06 07:08:09.5', '\\x01ab'::bytea), (2, 'zweite Notiz ü', false, NULL, NULL);
        SELECT id, body, done, seen, raw FROM notes ORDER BY id;
        BEGIN;
        INSERT INTO notes (id, body) VALUES (3, 'gone');
        ROLLBACK;
        SELECT count(*) AS n FROM notes;
        DROP TABLE notes;
        SELECT 'recovered' AS state; SELECT 1.5::double precision AS x, 12345678901234567890::numeric AS big;
        ;
        """;
    PsqlRun run = psql(server.port(), carol.user(), carol.password(), "prefer", script);
    assertThat(run.output())
        .isEqualTo(
            """
            id|body|done|seen|raw
            1|first|t|2024-05-06 07:08:09.5|\\x01ab
            2|zweite Notiz ü|f||
            n
            2
            ERROR:  0A000: DROP TABLE notes is refused by the house rule names-are-permanent: nothing is dropped or renamed (write both, read either), in: DROP TABLE notes
            HINT:  to rename, write the new name alongside the old and read either; unused columns are reported by the GC report
            state
            recovered
            x|big
            1.5|12345678901234567890
            """);
    assertThat(run.exitCode()).isZero();
  }

  @Test
  void wrongPasswordFailsWith28P01() throws Exception {
    PsqlRun run = psql(server.port(), carol.user(), "wrong horse", "disable", "SELECT 1;\n");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.output())
        .contains("FATAL:  password authentication failed for user \"" + carol.user() + "\"");
  }
}
