package dev.threadbare.app.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadbare.app.Main;
import dev.threadbare.app.PostgresUrl;
import dev.threadbare.app.cli.DbCommand;
import dev.threadbare.testing.TestDatabase;
import dev.threadbare.testing.TestPostgres;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code --db-postgres}: the db subcommands and {@code serve} with the layer on a real PostgreSQL
 * (the one embedded server of this test JVM), reached by the JDBC driver through our wire server.
 */
class DbOnPostgresCommandTest {

  /** The admin database of this class: the layer's catalog lives in it. */
  static TestDatabase admin;

  static String url;

  @TempDir Path data;

  @BeforeAll
  static void server() {
    admin = TestPostgres.newDatabase();
    url = "postgresql://" + admin.user() + "@127.0.0.1:" + TestPostgres.port() + "/" + admin.name();
  }

  private record Run(int exit, String out, String err) {
    List<String> lines() {
      return out.lines().toList();
    }
  }

  private static CommandLine cli(Object command, StringWriter out, StringWriter err) {
    CommandLine cli = new CommandLine(command);
    cli.setExecutionExceptionHandler(Main.commandLine().getExecutionExceptionHandler());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli;
  }

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = cli(new DbCommand(), out, err).execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  /** A connection to a database of the embedded server itself, bypassing threadbare. */
  private static Connection direct(String database) throws SQLException {
    return DriverManager.getConnection(
        "jdbc:postgresql://127.0.0.1:" + TestPostgres.port() + "/" + database,
        admin.user(),
        admin.password());
  }

  private static boolean serverDatabaseExists(String name) throws SQLException {
    try (Connection c = direct(admin.name());
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT count(*) FROM pg_database WHERE datname = '" + name + "'")) {
      rs.next();
      return rs.getInt(1) == 1;
    }
  }

  private static void insertAndSelect(int port, URI credentials, String database)
      throws SQLException {
    String[] userInfo = credentials.getUserInfo().split(":");
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + port + "/" + database, userInfo[0], userInfo[1]);
        Statement s = c.createStatement()) {
      s.execute("INSERT INTO visits (path, hits) VALUES ('/pg', 7)");
      try (ResultSet rs = s.executeQuery("SELECT path, hits FROM visits")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("/pg");
        assertThat(rs.getLong(2)).isEqualTo(7L);
        assertThat(rs.next()).isFalse();
      }
    }
  }

  /** The engine's {@code inet_client_addr()}: how the layer's connection reached PostgreSQL. */
  private static String clientAddressSeenByPostgres(int port, URI credentials, String database)
      throws SQLException {
    String[] userInfo = credentials.getUserInfo().split(":");
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + port + "/" + database, userInfo[0], userInfo[1]);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT host(inet_client_addr()) AS addr")) {
      assertThat(rs.next()).isTrue();
      return rs.getString(1);
    }
  }

  /** The row the wire server wrote, read straight from the server database tb_{@code name}. */
  private static void assertRowIsOnPostgres(String database) throws SQLException {
    assertThat(serverDatabaseExists("tb_" + database)).isTrue();
    try (Connection c = direct("tb_" + database);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT path, hits FROM visits")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("/pg");
      assertThat(rs.getLong(2)).isEqualTo(7L);
    }
  }

  @Test
  void credentialsFromAddCredentialsWorkOnDbServeAndTheDataIsOnPostgres() throws Exception {
    String database = "cli_wire";
    assertThat(serverDatabaseExists("tb_" + database)).isFalse();
    Run creds =
        run(
            "add-credentials",
            "--data",
            data.toString(),
            "--db-postgres",
            url,
            "--database",
            database,
            "--version",
            "v1");
    assertThat(creds.exit()).as(creds.err()).isZero();
    assertThat(creds.lines()).hasSize(2);
    assertThat(creds.lines().get(1))
        .matches("postgresql://tb_[0-9a-f]{16}:[0-9a-f]{32}@127\\.0\\.0\\.1:5433/" + database);
    assertThat(serverDatabaseExists("tb_" + database)).isTrue();

    DbCommand.Serve serve = new DbCommand.Serve();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = cli(serve, out, err);
    CompletableFuture<Integer> running =
        CompletableFuture.supplyAsync(
            () -> cli.execute("--data", data.toString(), "--db-postgres", url, "--port", "0"));
    try {
      int port = awaitPort(out, err, running);
      assertThat(out.toString())
          .contains(
              "threadbare db layer on PostgreSQL at postgresql://postgres@127.0.0.1:"
                  + TestPostgres.port()
                  + "/"
                  + admin.name());
      insertAndSelect(port, URI.create(creds.lines().get(1)), database);
      assertThat(clientAddressSeenByPostgres(port, URI.create(creds.lines().get(1)), database))
          .isEqualTo("127.0.0.1");
    } finally {
      serve.requestStop();
    }
    assertThat(running.get(30, TimeUnit.SECONDS)).isZero();
    assertRowIsOnPostgres(database);
    // Nothing went to DuckDB or its catalog in the data directory.
    assertThat(data.resolve("db")).doesNotExist();
    assertThat(data.resolve("catalog.sqlite")).doesNotExist();

    Run describe =
        run("describe", "--data", data.toString(), "--db-postgres", url, "--database", database);
    assertThat(describe.exit()).as(describe.err()).isZero();
    assertThat(describe.out()).contains("\"database\" : \"" + database + "\"").contains("visits");
    Run gc =
        run("gc-report", "--data", data.toString(), "--db-postgres", url, "--database", database);
    assertThat(gc.exit()).as(gc.err()).isZero();
    assertThat(gc.out()).contains("visits").contains("path").contains("hits");
    // Without the option the same data directory is DuckDB's, which has no such database.
    Run duck = run("describe", "--data", data.toString(), "--database", database);
    assertThat(duck.exit()).isEqualTo(1);
    assertThat(duck.err()).contains(database).contains("does not exist");
  }

  @Test
  void serveWithTheVariableAcceptsCredentialsThatTheDbCommandIssued() throws Exception {
    String database = "cli_serve";
    Run creds =
        run("add-credentials", "--db-postgres", url, "--database", database, "--version", "v1");
    assertThat(creds.exit()).as(creds.err()).isZero();
    // The embedded server trusts local connections: the password is only there to stay hidden.
    String withPassword = url.replace(admin.user() + "@", admin.user() + ":hunter22@");
    List<String> command = new ArrayList<>(javaMain());
    command.addAll(
        List.of(
            "serve", "--data", data.resolve("serve").toString(), "--port", "0", "--db-port", "0"));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    for (String name :
        List.of(
            "SLACK_APP_TOKEN",
            "SLACK_BOT_TOKEN",
            "SLACK_SIGNING_SECRET",
            "SLACK_API_URL",
            "THREADBARE_JOURNAL_URL",
            "THREADBARE_OPS_CHANNEL")) {
      builder.environment().remove(name);
    }
    builder.environment().put(PostgresUrl.ENV, withPassword);
    Process serve = builder.start();
    StringBuilder output = new StringBuilder();
    CompletableFuture<Void> started = new CompletableFuture<>();
    Thread pump =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  synchronized (output) {
                    output.append(line).append('\n');
                  }
                  if (line.startsWith("threadbare db layer on ")) {
                    started.complete(null);
                  }
                }
              } catch (IOException e) {
                started.completeExceptionally(e);
              }
              started.completeExceptionally(new IllegalStateException("serve exited"));
            },
            "serve-output");
    pump.setDaemon(true);
    pump.start();
    try {
      try {
        started.get(90, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        synchronized (output) {
          throw new AssertionError("serve did not start:\n" + output, e);
        }
      }
      String printed;
      synchronized (output) {
        printed = output.toString();
      }
      Matcher listening =
          Pattern.compile("(?m)^threadbare db listening on postgresql://127\\.0\\.0\\.1:(\\d+)$")
              .matcher(printed);
      assertThat(listening.find()).as(printed).isTrue();
      assertThat(printed)
          .contains(
              "threadbare db layer on PostgreSQL at postgresql://postgres:***@127.0.0.1:"
                  + TestPostgres.port()
                  + "/"
                  + admin.name())
          .doesNotContain("hunter22");
      int port = Integer.parseInt(listening.group(1));
      insertAndSelect(port, URI.create(creds.lines().get(1)), database);
    } finally {
      serve.destroy();
      if (!serve.waitFor(30, TimeUnit.SECONDS)) {
        serve.destroyForcibly();
      }
    }
    pump.join(10_000);
    synchronized (output) {
      // Nor in the log, from start to shutdown.
      assertThat(output.toString()).contains("db layer on PostgreSQL").doesNotContain("hunter22");
    }
    assertRowIsOnPostgres(database);
    assertThat(data.resolve("serve").resolve("db")).doesNotExist();
    assertThat(data.resolve("serve").resolve("catalog.sqlite")).doesNotExist();
  }

  @Test
  void theUnixSocketFormReachesTheServerThroughItsSocket() throws Exception {
    String socketDirectory;
    try (Connection c = direct(admin.name());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW unix_socket_directories")) {
      rs.next();
      socketDirectory = rs.getString(1).split(",")[0].strip();
    }
    assertThat(socketDirectory).startsWith("/");
    String socketUrl =
        "postgresql://"
            + admin.user()
            + "@:"
            + TestPostgres.port()
            + "/"
            + admin.name()
            + "?host="
            + socketDirectory;
    String database = "cli_socket";
    Run creds =
        run(
            "add-credentials",
            "--db-postgres",
            socketUrl,
            "--database",
            database,
            "--version",
            "v1");
    assertThat(creds.exit()).as(creds.err()).isZero();

    DbCommand.Serve serve = new DbCommand.Serve();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = cli(serve, out, err);
    CompletableFuture<Integer> running =
        CompletableFuture.supplyAsync(
            () ->
                cli.execute("--data", data.toString(), "--db-postgres", socketUrl, "--port", "0"));
    try {
      int port = awaitPort(out, err, running);
      assertThat(out.toString()).contains("threadbare db layer on PostgreSQL at " + socketUrl);
      URI credentials = URI.create(creds.lines().get(1));
      insertAndSelect(port, credentials, database);
      // PostgreSQL sees no client address on a Unix-socket connection (over TCP: 127.0.0.1).
      assertThat(clientAddressSeenByPostgres(port, credentials, database)).isNull();
    } finally {
      serve.requestStop();
    }
    assertThat(running.get(30, TimeUnit.SECONDS)).isZero();
    assertRowIsOnPostgres(database);
  }

  @Test
  void aMalformedUrlIsAUsageErrorNamingTheInputWithoutItsPassword() {
    for (List<String> args :
        List.of(
            List.of("add-credentials", "--database", "prod", "--version", "v1"),
            List.of("describe", "--database", "prod"),
            List.of("gc-report", "--database", "prod"),
            List.of("serve", "--port", "0"))) {
      String subcommand = args.get(0);
      List<String> all = new ArrayList<>(args);
      all.addAll(1, List.of("--db-postgres", "mysql://ada:hunter22@db:bad/admin"));
      Run r = run(all.toArray(String[]::new));
      assertThat(r.exit()).as(subcommand).isEqualTo(CommandLine.ExitCode.USAGE).isEqualTo(2);
      assertThat(r.err())
          .contains("--db-postgres")
          .contains("'mysql://ada:***@db:bad/admin'")
          .contains("does not start with postgresql://")
          .contains(PostgresUrl.EXPECTED)
          .doesNotContain("hunter22");
    }
    Run port = run("describe", "--db-postgres", "postgresql://ada@db:99999", "--database", "x");
    assertThat(port.exit()).isEqualTo(2);
    assertThat(port.err()).contains("port 99999, which is not from 1 to 65535");
  }

  @Test
  void anUnreachableServerIsOneClearLineNotAStackTrace() throws IOException {
    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    String unreachable = "postgresql://ada:hunter22@127.0.0.1:" + closed + "/admin";
    Run r =
        run(
            "add-credentials",
            "--data",
            data.toString(),
            "--db-postgres",
            unreachable,
            "--database",
            "prod",
            "--version",
            "v1");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().lines().toList()).hasSize(1);
    assertThat(r.err())
        .startsWith(
            "threadbare: cannot open the db layer on PostgreSQL at postgresql://ada:***@127.0.0.1:"
                + closed
                + "/admin (set by --db-postgres or THREADBARE_DB_POSTGRES): ")
        .containsIgnoringCase("refused")
        .doesNotContain("hunter22")
        .doesNotContain("\tat ");
  }

  @Test
  void theEnvironmentVariableChoosesPostgresAndTheOptionWinsOverIt() throws Exception {
    String database = "cli_env";
    Run creds =
        run("add-credentials", "--db-postgres", url, "--database", database, "--version", "v1");
    assertThat(creds.exit()).as(creds.err()).isZero();

    Run fromEnv = process(Map.of(PostgresUrl.ENV, url), "db", "describe", "--database", database);
    assertThat(fromEnv.exit()).as(fromEnv.err()).isZero();
    assertThat(fromEnv.out()).contains("\"database\" : \"" + database + "\"");

    Run optionWins =
        process(
            Map.of(PostgresUrl.ENV, "postgresql://nobody@127.0.0.1:1/nowhere"),
            "db",
            "describe",
            "--db-postgres",
            url,
            "--database",
            database);
    assertThat(optionWins.exit()).as(optionWins.err()).isZero();
    assertThat(optionWins.out()).contains("\"database\" : \"" + database + "\"");

    Run malformedEnv =
        process(Map.of(PostgresUrl.ENV, "pg://x"), "db", "describe", "--database", database);
    assertThat(malformedEnv.exit()).isEqualTo(2);
    assertThat(malformedEnv.err()).contains("'pg://x'").contains(PostgresUrl.ENV);
  }

  /** Runs {@code threadbare args} as its own process, in {@link #data}, with {@code env} added. */
  private Run process(Map<String, String> env, String... args) throws Exception {
    List<String> command = new ArrayList<>(javaMain());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(data.toFile());
    builder.environment().remove(PostgresUrl.ENV);
    builder.environment().putAll(env);
    Process process = builder.start();
    CompletableFuture<String> err =
        CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
    String out = read(process.getInputStream());
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Run(process.exitValue(), out, err.get(10, TimeUnit.SECONDS));
  }

  /** {@code java … dev.threadbare.app.Main}: this JVM's java and test class path. */
  private static List<String> javaMain() {
    String classPath = System.getProperty("surefire.test.class.path");
    if (classPath == null || classPath.isBlank()) {
      classPath = System.getProperty("java.class.path");
    }
    return List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m",
        "-XX:TieredStopAtLevel=1",
        "-cp",
        classPath,
        "dev.threadbare.app.Main");
  }

  private static String read(java.io.InputStream stream) {
    try (stream) {
      return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static int awaitPort(
      StringWriter out, StringWriter err, CompletableFuture<Integer> running)
      throws InterruptedException {
    Pattern listening = Pattern.compile("listening on postgresql://127\\.0\\.0\\.1:(\\d+)");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    Matcher m = listening.matcher(out.toString());
    while (!m.find()) {
      assertThat(running).as(err.toString()).isNotDone();
      assertThat(System.nanoTime()).as("db serve did not listen in 30 s").isLessThan(deadline);
      Thread.sleep(50);
      m = listening.matcher(out.toString());
    }
    return Integer.parseInt(m.group(1));
  }
}
