package dev.threadbare.pgwire;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadbare.db.Credentials;
import dev.threadbare.db.DbLayer;
import dev.threadbare.db.DbOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The clients and ORMs applications use, each running a small typical app (compat/ in the
 * repository) against the layer on DuckDB and on PostgreSQL over the wire: every feature each app
 * reports must pass on both engines. Writes the client × feature matrix to {@code
 * target/compat-matrix.md} (db/README.md publishes it). Needs psql, Debian's python3-psycopg2 and
 * python3-sqlalchemy, node, and {@code npm ci} run in compat/ (.ci/run does all of it).
 */
class CompatibilitySuiteTest {
  private static final Pattern RESULT = Pattern.compile("^RESULT (\\S+) (PASS|FAIL) ?(.*)$");

  @TempDir static Path dataDir;
  private static EmbeddedPostgres postgres;
  private static final Map<String, DbLayer> layers = new LinkedHashMap<>();
  private static final Map<String, PgWireServer> servers = new LinkedHashMap<>();
  // client → feature → engine → "PASS" or "FAIL: detail"
  private static final Map<String, Map<String, Map<String, String>>> matrix = new TreeMap<>();

  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final Path COMPAT = ROOT.resolve("compat");

  @BeforeAll
  static void start() throws Exception {
    layers.put("duckdb", DbLayer.duckDb(dataDir.resolve("duck")));
    postgres = EmbeddedPostgres.builder().start();
    layers.put(
        "postgres",
        DbLayer.postgres(
            new DbLayer.PostgresServer(
                "localhost", postgres.getPort(), "postgres", "postgres", "postgres"),
            DbOptions.defaults()));
    for (var e : layers.entrySet()) {
      servers.put(
          e.getKey(),
          PgWireServer.start(
              e.getValue(),
              new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
              PgWireServer.Settings.defaults()));
    }
  }

  @AfterAll
  static void stop() throws Exception {
    writeMatrix();
    for (PgWireServer s : servers.values()) {
      s.close();
    }
    for (DbLayer l : layers.values()) {
      l.close();
    }
    postgres.close();
  }

  /** A fresh logical database for one client on one engine, and its URL. */
  static String databaseUrl(String engine, String client) {
    String database = "compat-" + client.replace('.', '-');
    Credentials c = layers.get(engine).addCredentials(database, "v1");
    return "postgresql://"
        + c.user()
        + ":"
        + c.password()
        + "@127.0.0.1:"
        + servers.get(engine).port()
        + "/"
        + database
        + "?sslmode=disable";
  }

  static String python() {
    return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
  }

  /** Runs one client's app on both engines and records what it reports. */
  static void runApp(String client, List<String> command, Path workDir) throws Exception {
    for (String engine : layers.keySet()) {
      String url = databaseUrl(engine, client);
      ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
      pb.environment().put("DATABASE_URL", url);
      pb.environment().put("PGSSLMODE", "disable");
      Path err = Files.createTempFile("compat-" + client, ".err");
      Path outFile = Files.createTempFile("compat-" + client, ".out");
      pb.redirectError(err.toFile());
      pb.redirectOutput(outFile.toFile());
      Process p = pb.start();
      boolean done = p.waitFor(120, TimeUnit.SECONDS);
      if (!done) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
      String out = Files.readString(outFile, StandardCharsets.UTF_8);
      String stderr = Files.readString(err, StandardCharsets.UTF_8);
      Files.deleteIfExists(err);
      Files.deleteIfExists(outFile);
      if (!done) {
        record(
            client, "finishes_in_time", engine, "FAIL: killed after 120 s: " + abbreviate(stderr));
      }
      int found = 0;
      for (String line : out.split("\n")) {
        Matcher m = RESULT.matcher(line.strip());
        if (m.matches()) {
          found++;
          record(
              client,
              m.group(1),
              engine,
              m.group(2).equals("PASS") ? "PASS" : "FAIL: " + m.group(3));
        }
      }
      if (found == 0) {
        record(
            client,
            "connect",
            engine,
            "FAIL: the app reported nothing (exit "
                + (done ? p.exitValue() : "timeout")
                + "): "
                + abbreviate(stderr + out));
      }
    }
  }

  static void record(String client, String feature, String engine, String result) {
    synchronized (matrix) {
      matrix
          .computeIfAbsent(client, k -> new LinkedHashMap<>())
          .computeIfAbsent(feature, k -> new TreeMap<>())
          .put(engine, result);
    }
  }

  static String abbreviate(String s) {
    String one = s.replaceAll("\\s+", " ").strip();
    return one.length() > 600 ? one.substring(one.length() - 600) : one;
  }

  static List<String> failures(String client) {
    List<String> out = new ArrayList<>();
    matrix
        .getOrDefault(client, Map.of())
        .forEach(
            (feature, engines) ->
                engines.forEach(
                    (engine, result) -> {
                      if (!result.equals("PASS")) {
                        out.add(client + " " + feature + " on " + engine + ": " + result);
                      }
                    }));
    return out;
  }

  /**
   * What does not work yet, each listed under "What still differs" in db/README.md: client feature
   * on engine. Everything else every app reports must pass.
   */
  static final java.util.Set<String> KNOWN_GAPS = java.util.Set.of();

  static void assertAllPass(String client) {
    assertThat(matrix.get(client)).as(client + " reported features").isNotEmpty();
    assertThat(failures(client))
        .as(client)
        .filteredOn(f -> !KNOWN_GAPS.contains(f.substring(0, f.indexOf(':'))))
        .isEmpty();
  }

  static void writeMatrix() throws IOException {
    StringBuilder md = new StringBuilder();
    md.append("| client | feature | DuckDB | PostgreSQL |\n| --- | --- | --- | --- |\n");
    int pass = 0;
    int total = 0;
    for (var client : matrix.entrySet()) {
      for (var feature : client.getValue().entrySet()) {
        md.append("| ").append(client.getKey()).append(" | ").append(feature.getKey());
        for (String engine : List.of("duckdb", "postgres")) {
          String r = feature.getValue().getOrDefault(engine, "—");
          total++;
          if (r.equals("PASS")) {
            pass++;
          }
          md.append(" | ")
              .append(r.equals("PASS") ? "pass" : r.startsWith("FAIL") ? "**fail**" : r);
        }
        md.append(" |\n");
      }
    }
    md.append("\n").append(pass).append(" of ").append(total).append(" pass.\n");
    Path target = Path.of("target");
    Files.createDirectories(target);
    Files.writeString(target.resolve("compat-matrix.md"), md.toString());
    StringBuilder details = new StringBuilder();
    for (String client : matrix.keySet()) {
      failures(client).forEach(f -> details.append(f).append('\n'));
    }
    Files.writeString(target.resolve("compat-failures.txt"), details.toString());
  }

  @Test
  void psycopg2() throws Exception {
    runApp("psycopg2", List.of(python(), "psycopg2_app.py"), COMPAT.resolve("python"));
    assertAllPass("psycopg2");
  }

  @Test
  void psql() throws Exception {
    runApp("psql", List.of(python(), "psql_app.py"), COMPAT.resolve("python"));
    assertAllPass("psql");
  }

  @Test
  void sqlalchemy() throws Exception {
    runApp("sqlalchemy", List.of(python(), "sqlalchemy_app.py"), COMPAT.resolve("python"));
    assertAllPass("sqlalchemy");
  }

  @Test
  void nodePg() throws Exception {
    runApp("node-pg", List.of("node", "node/pg_app.js"), COMPAT);
    assertAllPass("node-pg");
  }

  @Test
  void postgresJs() throws Exception {
    runApp("postgres.js", List.of("node", "node/postgres_app.js"), COMPAT);
    assertAllPass("postgres.js");
  }

  @Test
  void knex() throws Exception {
    runApp("knex", List.of("node", "node/knex_app.js"), COMPAT);
    assertAllPass("knex");
  }

  @Test
  void sequelize() throws Exception {
    runApp("sequelize", List.of("node", "node/sequelize_app.js"), COMPAT);
    assertAllPass("sequelize");
  }

  @Test
  void kysely() throws Exception {
    runApp("kysely", List.of("node", "node/kysely_app.js"), COMPAT);
    assertAllPass("kysely");
  }

  @Test
  void drizzle() throws Exception {
    runApp("drizzle", List.of("node", "node/drizzle_app.js"), COMPAT);
    assertAllPass("drizzle");
  }

  /** pgjdbc, in process: a typical app and DatabaseMetaData, as tools (IDEs, Flyway) use it. */
  @Test
  void pgjdbc() throws Exception {
    for (String engine : layers.keySet()) {
      java.net.URI url = java.net.URI.create(databaseUrl(engine, "pgjdbc"));
      String[] userInfo = url.getUserInfo().split(":", 2);
      String jdbc = "jdbc:postgresql://" + url.getHost() + ":" + url.getPort() + url.getPath();
      try (java.sql.Connection c =
          java.sql.DriverManager.getConnection(jdbc, userInfo[0], userInfo[1])) {
        jdbcFeature(engine, "connect", () -> c.getMetaData().getDatabaseProductVersion());
        jdbcFeature(
            engine,
            "schema",
            () -> {
              try (java.sql.Statement s = c.createStatement()) {
                s.execute("CREATE TABLE authors (id bigserial PRIMARY KEY, name text NOT NULL)");
                s.execute(
                    "CREATE TABLE books (id bigserial PRIMARY KEY, author_id bigint REFERENCES"
                        + " authors (id), title text, price numeric(10, 2))");
              }
              return "";
            });
        jdbcFeature(
            engine,
            "insert",
            () -> {
              try (java.sql.PreparedStatement p =
                  c.prepareStatement(
                      "INSERT INTO authors (name) VALUES (?)", new String[] {"id"})) {
                p.setString(1, "Ursula");
                p.executeUpdate();
                try (java.sql.ResultSet keys = p.getGeneratedKeys()) {
                  keys.next();
                  assertThat(keys.getLong("id")).isEqualTo(1L);
                }
              }
              try (java.sql.PreparedStatement p =
                  c.prepareStatement(
                      "INSERT INTO books (author_id, title, price) VALUES (?, ?, ?)")) {
                for (Object[] b :
                    new Object[][] {{1L, "Earthsea", "9.99"}, {1L, "Dispossessed", "12.50"}}) {
                  p.setLong(1, (Long) b[0]);
                  p.setString(2, (String) b[1]);
                  p.setBigDecimal(3, new java.math.BigDecimal((String) b[2]));
                  p.addBatch();
                }
                p.executeBatch();
              }
              return "";
            });
        jdbcFeature(
            engine,
            "query_by_field",
            () -> {
              try (java.sql.PreparedStatement p =
                  c.prepareStatement("SELECT id, price FROM books WHERE title = ?")) {
                p.setString(1, "Dispossessed");
                try (java.sql.ResultSet rs = p.executeQuery()) {
                  assertThat(rs.next()).isTrue();
                  assertThat(rs.getBigDecimal("price")).isEqualByComparingTo("12.50");
                }
              }
              return "";
            });
        jdbcFeature(
            engine,
            "transaction_savepoint",
            () -> {
              c.setAutoCommit(false);
              try (java.sql.Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO authors (name) VALUES ('Kept')");
                java.sql.Savepoint sp = c.setSavepoint("sp1");
                try {
                  s.executeUpdate("INSERT INTO authors (id, name) VALUES (1, 'duplicate')");
                  throw new AssertionError("duplicate key accepted");
                } catch (java.sql.SQLException e) {
                  c.rollback(sp);
                }
                c.commit();
              } finally {
                c.setAutoCommit(true);
              }
              try (java.sql.Statement s = c.createStatement();
                  java.sql.ResultSet rs =
                      s.executeQuery("SELECT count(*) FROM authors WHERE name = 'Kept'")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(1L);
              }
              return "";
            });
        jdbcFeature(
            engine,
            "metadata_get_tables",
            () -> {
              List<String> tables = new ArrayList<>();
              try (java.sql.ResultSet rs =
                  c.getMetaData().getTables(null, null, "%", new String[] {"TABLE"})) {
                while (rs.next()) {
                  tables.add(rs.getString("TABLE_NAME"));
                }
              }
              assertThat(tables).contains("authors", "books");
              return String.join(",", tables);
            });
        jdbcFeature(
            engine,
            "metadata_get_columns",
            () -> {
              List<String> columns = new ArrayList<>();
              try (java.sql.ResultSet rs = c.getMetaData().getColumns(null, null, "books", "%")) {
                while (rs.next()) {
                  columns.add(rs.getString("COLUMN_NAME") + ":" + rs.getString("TYPE_NAME"));
                }
              }
              // pgjdbc names a bigserial column so, on PostgreSQL itself too
              assertThat(columns)
                  .containsExactly("id:bigserial", "author_id:int8", "title:text", "price:numeric");
              return String.join(",", columns);
            });
        jdbcFeature(
            engine,
            "generated_keys_star_refused",
            () -> {
              // RETURN_GENERATED_KEYS makes pgjdbc send RETURNING *: the error names the fix
              try (java.sql.PreparedStatement p =
                  c.prepareStatement(
                      "INSERT INTO authors (name) VALUES (?)",
                      java.sql.Statement.RETURN_GENERATED_KEYS)) {
                p.setString(1, "Star");
                p.executeUpdate();
                throw new AssertionError("RETURNING * accepted");
              } catch (java.sql.SQLException e) {
                assertThat(e.getMessage()).contains("RETURNING *").contains("name the columns");
              }
              return "";
            });
        jdbcFeature(
            engine,
            "select_star_refused",
            () -> {
              try (java.sql.Statement s = c.createStatement()) {
                s.executeQuery("SELECT * FROM books");
                throw new AssertionError("SELECT * accepted");
              } catch (java.sql.SQLException e) {
                assertThat(e.getMessage()).contains("no-select-star").contains("SELECT id, name");
              }
              return "";
            });
      }
    }
    assertAllPass("pgjdbc");
  }

  interface JdbcStep {
    String run() throws Exception;
  }

  static void jdbcFeature(String engine, String feature, JdbcStep step) {
    try {
      step.run();
      record("pgjdbc", feature, engine, "PASS");
    } catch (Throwable e) {
      record("pgjdbc", feature, engine, "FAIL: " + abbreviate(String.valueOf(e)));
    }
  }
}
