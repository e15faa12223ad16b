package dev.threadbare.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadbare.testing.TestDatabase;
import dev.threadbare.testing.TestPostgres;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped {@code threadbare.jar}, run as a process the way a user runs it (after {@code
 * package}; surefire's {@code packaged-jar} execution): the PostgreSQL driver is inside it, so the
 * journal ({@code --journal-url}) and the db layer ({@code --db-postgres}) work against a real
 * PostgreSQL; and {@code db add-credentials} works while {@code db serve} holds the databases.
 */
class PackagedJarIT {
  private static final Path JAR = Path.of("target", "threadbare.jar");
  private static final Pattern LISTENING =
      Pattern.compile("threadbare db listening on postgresql://127\\.0\\.0\\.1:(\\d+)");

  @TempDir Path dir;
  private final List<Process> processes = new ArrayList<>();

  @org.junit.jupiter.api.BeforeEach
  void jarIsBuilt() {
    // surefire's packaged-jar execution runs after package; a -Dtest run in the test phase has
    // no jar yet
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Files.exists(JAR), "target/threadbare.jar is built in the package phase");
  }

  @AfterEach
  void stop() throws InterruptedException {
    for (Process p : processes) {
      p.destroy();
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  private ProcessBuilder threadbare(String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("--enable-native-access=ALL-UNNAMED");
    command.add("-jar");
    command.add(JAR.toAbsolutePath().toString());
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true);
  }

  /** Runs a command to its end; returns its output lines after asserting it succeeded. */
  private List<String> run(String... args) throws Exception {
    Process p = threadbare(args).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", args) + "\n" + output).isZero();
    return output.lines().filter(l -> !l.startsWith("WARNING")).toList();
  }

  /** Starts {@code db serve} and returns its wire port once it listens. */
  private int serve(String... args) throws Exception {
    Process p = threadbare(args).start();
    processes.add(p);
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    StringBuilder seen = new StringBuilder();
    for (String line; (line = out.readLine()) != null; ) {
      seen.append(line).append('\n');
      Matcher m = LISTENING.matcher(line);
      if (m.find()) {
        Thread.ofPlatform().daemon(true).start(() -> out.lines().forEach(l -> {}));
        return Integer.parseInt(m.group(1));
      }
    }
    throw new AssertionError("db serve ended without listening:\n" + seen);
  }

  private static Connection connect(int port, String databaseUrl) throws SQLException {
    URI url = URI.create(databaseUrl);
    String[] userInfo = url.getUserInfo().split(":");
    Properties p = new Properties();
    p.setProperty("user", userInfo[0]);
    p.setProperty("password", userInfo[1]);
    p.setProperty("sslmode", "disable");
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + url.getPath(), p);
  }

  private static long count(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void theJournalRunsOnPostgresFromTheJar() throws Exception {
    TestDatabase journal = TestPostgres.newDatabase();
    Path events = dir.resolve("events.jsonl");
    Files.writeString(events, "");
    run(
        "ingest",
        "--data",
        dir.resolve("data").toString(),
        "--journal-url",
        journal.jdbcUrl() + "?user=" + journal.user(),
        events.toString());
    try (Connection c = DriverManager.getConnection(journal.jdbcUrl(), journal.user(), "")) {
      // the jar's driver made the journal's tables on the server
      assertThat(
              count(
                  c,
                  "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"))
          .isPositive();
    }
  }

  @Test
  void theDbLayerRunsOnPostgresFromTheJarAndTakesCredentialsWhileServing() throws Exception {
    TestDatabase admin = TestPostgres.newDatabase();
    String postgres = "postgresql://postgres@127.0.0.1:" + TestPostgres.port() + "/" + admin.name();
    String data = dir.resolve("pg").toString();
    List<String> v1 =
        run(
            "db",
            "add-credentials",
            "--data",
            data,
            "--db-postgres",
            postgres,
            "--database",
            "jarpg",
            "--version",
            "v1");
    int port =
        serve(
            "db",
            "serve",
            "--data",
            data,
            "--db-postgres",
            postgres,
            "--port",
            "0",
            "--db-tls",
            "off");
    try (Connection c = connect(port, v1.get(v1.size() - 1));
        Statement s = c.createStatement()) {
      s.execute("INSERT INTO visits (path, hits) VALUES ('/jar', 1)");
      assertThat(count(c, "SELECT count(*) AS n FROM visits")).isEqualTo(1);
    }
    List<String> v2 =
        run(
            "db",
            "add-credentials",
            "--data",
            data,
            "--db-postgres",
            postgres,
            "--database",
            "jarpg",
            "--version",
            "v2");
    try (Connection c = connect(port, v2.get(v2.size() - 1))) {
      assertThat(count(c, "SELECT count(*) AS n FROM visits")).isEqualTo(1);
    }
  }

  /**
   * On DuckDB: a new version gets credentials while the server holds the database file, and the
   * catalog incident of issue 10 (read_blob of catalog.sqlite over the wire, then a CLI command,
   * left deleted WAL files open and lost later credentials) cannot happen.
   */
  @Test
  void addCredentialsWorksWhileDbServeHoldsTheDuckDbFile() throws Exception {
    String data = dir.resolve("duck").toString();
    List<String> v1 =
        run("db", "add-credentials", "--data", data, "--database", "prod", "--version", "v1");
    int port = serve("db", "serve", "--data", data, "--port", "0", "--db-tls", "off");
    try (Connection c = connect(port, v1.get(v1.size() - 1));
        Statement s = c.createStatement()) {
      s.execute("INSERT INTO visits (path, hits) VALUES ('/duck', 1)");
      try {
        s.executeQuery("SELECT content FROM read_blob('" + Path.of(data, "catalog.sqlite") + "')");
        throw new AssertionError("read_blob of the catalog was not refused");
      } catch (SQLException e) {
        assertThat(e.getMessage()).contains("no-host-files");
      }
    }
    List<String> v2 =
        run("db", "add-credentials", "--data", data, "--database", "prod", "--version", "v2");
    try (Connection c = connect(port, v2.get(v2.size() - 1))) {
      assertThat(count(c, "SELECT count(*) AS n FROM visits")).isEqualTo(1);
    }
    // restarted, the server still knows v2 and the row: nothing written meanwhile was lost
    Process first = processes.remove(0);
    first.destroy();
    assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
    int again = serve("db", "serve", "--data", data, "--port", "0", "--db-tls", "off");
    try (Connection c = connect(again, v2.get(v2.size() - 1))) {
      assertThat(count(c, "SELECT count(*) AS n FROM visits")).isEqualTo(1);
    }
  }
}
