package dev.threadbare.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadbare.db.internal.Secrets;
import java.math.BigDecimal;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The db layer's behaviour, run once per engine by {@link DuckDbLayerTest} and {@link
 * PostgresLayerTest}: the same statements, the same rules, the same results.
 */
abstract class LayerContract {
  MutableClock clock;
  List<OpsEvent> events;
  DbLayer layer;
  Credentials creds;
  SqlSession session;

  abstract DbLayer newLayer(DbOptions options);

  /** A raw connection to a scratch database the layer does not manage. */
  abstract Connection scratchConnection() throws Exception;

  /** A statement that runs for many seconds. */
  abstract String slowQuery();

  /** Whether the engine is DuckDB (for the few documented differences). */
  abstract boolean duckDb();

  DbOptions options() {
    return DbOptions.defaults().withClock(clock).withOpsListener(events::add);
  }

  @BeforeEach
  void start() {
    clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    events = new CopyOnWriteArrayList<>();
    layer = newLayer(options());
    creds = layer.addCredentials("prod", "v1");
    session = layer.open(creds.user(), "prod");
  }

  @AfterEach
  void stop() {
    if (session != null) {
      session.close();
    }
    if (layer != null) {
      layer.close();
    }
  }

  StatementResult run(String sql, Object... params) {
    List<StatementResult> results = session.execute(sql, Arrays.asList(params));
    return results.get(results.size() - 1);
  }

  List<List<Object>> rows(String sql, Object... params) {
    List<List<Object>> out = new ArrayList<>();
    for (Object[] row : run(sql, params).rows()) {
      out.add(Arrays.asList(row));
    }
    return out;
  }

  static DbException failure(ThrowingCallable call) {
    try {
      call.call();
    } catch (DbException e) {
      return e;
    } catch (Throwable t) {
      throw new AssertionError("expected a DbException, got " + t, t);
    }
    throw new AssertionError("expected a DbException, nothing was thrown");
  }

  // ---- identities

  @Test
  void credentialsCarryAScramVerifierOfThePassword() {
    ScramCredential stored = layer.scramCredential(creds.user()).orElseThrow();
    ScramCredential recomputed =
        Secrets.scram(creds.user(), creds.password(), stored.salt(), stored.iterations());
    assertThat(stored.iterations()).isEqualTo(4096);
    assertThat(stored.storedKey()).isEqualTo(recomputed.storedKey());
    assertThat(stored.serverKey()).isEqualTo(recomputed.serverKey());
    assertThat(layer.scramCredential("nobody")).isEmpty();
    assertThat(layer.identityOfToken(creds.bearerToken()).orElseThrow().version()).isEqualTo("v1");
    assertThat(creds.connectionUrl("127.0.0.1", 5433))
        .isEqualTo(
            "postgresql://" + creds.user() + ":" + creds.password() + "@127.0.0.1:5433/prod");
  }

  @Test
  void anIdentityReachesOnlyItsOwnDatabase() {
    Credentials preview = layer.addCredentials("preview-1", "v2");
    assertThat(failure(() -> layer.open(preview.user(), "prod")).sqlState()).isEqualTo("28000");
    assertThat(failure(() -> layer.open(preview.user(), "prod")).getMessage())
        .contains("only its own database");
    assertThat(failure(() -> layer.open(creds.user(), "nosuch")).sqlState()).isEqualTo("3D000");
    assertThat(failure(() -> layer.open("stranger", "prod")).sqlState()).isEqualTo("28000");
    try (SqlSession other = layer.open(preview.user(), "preview-1")) {
      other.execute("INSERT INTO notes (body) VALUES ('preview')", List.of());
    }
    // prod does not see the preview's table
    assertThat(rows("SELECT body FROM notes")).isEmpty();
  }

  // ---- implicit schema

  @Test
  void insertCreatesTheTableWithTheTypesOfTheLiterals() {
    StatementResult insert =
        run("INSERT INTO people (name, age, score, active) VALUES ('Ada', 36, 1.5, true)");
    assertThat(insert.commandTag()).isEqualTo("INSERT 0 1");
    assertThat(insert.notices()).anyMatch(n -> n.contains("people"));
    StatementResult select = run("SELECT name, age, score, active FROM people");
    assertThat(select.columns())
        .containsExactly(
            new ResultColumn("name", 25),
            new ResultColumn("age", 20),
            new ResultColumn("score", 1700),
            new ResultColumn("active", 16));
    assertThat(select.rows().get(0))
        .containsExactly(
            "Ada",
            36L,
            new BigDecimal("1.500000000").stripTrailingZeros().scale() < 0
                ? null
                : select.rows().get(0)[2],
            true);
    assertThat(((BigDecimal) select.rows().get(0)[2]).compareTo(new BigDecimal("1.5"))).isZero();
    assertThat(select.commandTag()).isEqualTo("SELECT 1");
  }

  @Test
  void parametersGiveNewColumnsTheirJavaTypes() {
    LocalDate day = LocalDate.of(2024, 2, 29);
    LocalDateTime at = LocalDateTime.of(2024, 2, 29, 13, 45, 7);
    OffsetDateTime when = OffsetDateTime.of(2024, 2, 29, 13, 45, 7, 0, ZoneOffset.UTC);
    run(
        "INSERT INTO things (i, l, d, n, s, b, day, stamp, ts, bytes) VALUES ($1, $2, $3, $4, $5, $6,"
            + " $7, $8, $9, $10)",
        7,
        8L,
        2.5d,
        new BigDecimal("12.25"),
        "text",
        false,
        day,
        at,
        when,
        new byte[] {1, 2, 3});
    StatementResult r = run("SELECT i, l, d, n, s, b, day, stamp, ts, bytes FROM things");
    assertThat(r.columns().stream().map(ResultColumn::typeOid).toList())
        .containsExactly(23, 20, 701, 1700, 25, 16, 1082, 1114, 1184, 17);
    Object[] row = r.rows().get(0);
    assertThat(row[0]).isEqualTo(7);
    assertThat(row[1]).isEqualTo(8L);
    assertThat(row[2]).isEqualTo(2.5d);
    assertThat(((BigDecimal) row[3]).compareTo(new BigDecimal("12.25"))).isZero();
    assertThat(row[4]).isEqualTo("text");
    assertThat(row[5]).isEqualTo(false);
    assertThat(row[6]).isEqualTo(day);
    assertThat(row[7]).isEqualTo(at);
    assertThat(((OffsetDateTime) row[8]).toInstant()).isEqualTo(when.toInstant());
    assertThat((byte[]) row[9]).containsExactly(1, 2, 3);
  }

  @Test
  void updateCreatesMissingColumnsAndAnIncompatibleValueIsRefusedNamingIt() {
    run("INSERT INTO people (name, age) VALUES ('Ada', 36)");
    run("UPDATE people SET nickname = 'countess' WHERE name = 'Ada'");
    assertThat(rows("SELECT nickname FROM people")).containsExactly(List.of("countess"));
    DbException e = failure(() -> run("INSERT INTO people (name, age) VALUES ('Bob', 'old')"));
    assertThat(e.sqlState()).isEqualTo("42804");
    assertThat(e.getMessage()).contains("people.age").contains("bigint").contains("'old'");
    DbException p = failure(() -> run("UPDATE people SET age = $1", "forty"));
    assertThat(p.sqlState()).isEqualTo("42804");
    assertThat(p.getMessage()).contains("people.age").contains("'forty'");
    // a string that is a number fits, as in PostgreSQL
    run("INSERT INTO people (name, age) VALUES ($1, $2)", "Cy", "41");
    assertThat(rows("SELECT age FROM people WHERE name = 'Cy'")).containsExactly(List.of(41L));
    assertThat(rows("SELECT count(name) FROM people")).containsExactly(List.of(2L));
  }

  @Test
  void selectOfAnUnknownColumnAnswersNullsAndIsRecorded() {
    run("INSERT INTO people (name) VALUES ('Ada')");
    StatementResult r = run("SELECT name, email FROM people WHERE email IS NULL ORDER BY name");
    assertThat(r.columns())
        .containsExactly(new ResultColumn("name", 25), new ResultColumn("email", 25));
    assertThat(r.rows()).hasSize(1);
    assertThat(r.rows().get(0)).containsExactly("Ada", null);
    CatalogDescription d = layer.describe("prod");
    CatalogDescription.Column email =
        d.tables().get(0).columns().stream()
            .filter(c -> c.name().equals("email"))
            .findFirst()
            .orElseThrow();
    assertThat(email.type()).isNull();
    assertThat(email.requestedBy()).containsExactly("v1");
    // once a version writes it, it is a real column with the written type
    run("UPDATE people SET email = 'ada@example.org'");
    assertThat(rows("SELECT email FROM people")).containsExactly(List.of("ada@example.org"));
  }

  @Test
  void insertFromASelectFillsAnExistingTable() {
    run("INSERT INTO src (id, name) VALUES (1, 'a'), (2, 'b')");
    run("INSERT INTO dst (id, name) VALUES (0, 'z')");
    assertThat(run("INSERT INTO dst (id, name) SELECT id, name FROM src WHERE id > 1").commandTag())
        .isEqualTo("INSERT 0 1");
    assertThat(rows("SELECT id, name FROM dst ORDER BY id"))
        .containsExactly(List.of(0L, "z"), List.of(2L, "b"));
  }

  @Test
  void anUnknownUnqualifiedColumnOverSeveralTablesIsRefusedNamingTheTablesAndTheFix() {
    run("INSERT INTO authors (id, name) VALUES (1, 'Ada')");
    run("INSERT INTO books (id, author_id, title) VALUES (10, 1, 'Notes')");
    String join = " FROM authors a JOIN books b ON a.id = b.author_id";
    for (String sql :
        List.of(
            "SELECT a.name, nosuch" + join,
            "SELECT a.name" + join + " WHERE nosuch = 1",
            "SELECT a.name" + join + " ORDER BY nosuch",
            "SELECT a.name" + join + " JOIN missing m ON m.id = a.id WHERE nosuch IS NULL")) {
      DbException e = failure(() -> run(sql));
      assertThat(e).as(sql).isInstanceOf(HouseRuleException.class);
      assertThat(((HouseRuleException) e).rule()).isEqualTo("qualify-unknown-columns");
      assertThat(e.sqlState()).isEqualTo("42703");
      assertThat(e.getMessage()).contains("column nosuch").contains("a, b").contains(sql);
      assertThat(e.hint()).contains("qualify it: a.nosuch or b.nosuch");
    }
    // nothing was recorded for the refused column
    assertThat(layer.describe("prod").tables())
        .flatExtracting(CatalogDescription.Table::columns)
        .extracting(CatalogDescription.Column::name)
        .doesNotContain("nosuch");

    // qualified, it answers NULLs (select list, filter, sort) and is recorded on that table
    StatementResult r =
        run("SELECT a.name, b.nosuch" + join + " WHERE b.nosuch IS NULL ORDER BY b.nosuch");
    assertThat(r.columns())
        .containsExactly(new ResultColumn("name", 25), new ResultColumn("nosuch", 25));
    assertThat(r.rows()).hasSize(1);
    assertThat(r.rows().get(0)).containsExactly("Ada", null);
    CatalogDescription d = layer.describe("prod");
    assertThat(d.tables())
        .filteredOn(t -> t.name().equals("books"))
        .flatExtracting(CatalogDescription.Table::columns)
        .filteredOn(c -> c.name().equals("nosuch"))
        .singleElement()
        .satisfies(c -> assertThat(c.requestedBy()).containsExactly("v1"));
    assertThat(d.tables())
        .filteredOn(t -> t.name().equals("authors"))
        .flatExtracting(CatalogDescription.Table::columns)
        .extracting(CatalogDescription.Column::name)
        .doesNotContain("nosuch");

    // known unqualified columns, select-list aliases and SQL's keyword functions are not refused
    assertThat(rows("SELECT name AS who, title" + join + " WHERE title = 'Notes' ORDER BY who"))
        .containsExactly(List.of("Ada", "Notes"));
    assertThat(rows("SELECT b.title, current_user IS NOT NULL AS known" + join))
        .containsExactly(List.of("Notes", true));
    // several scopes (subqueries, CTEs, UNION): the engine decides, as without the layer
    for (String sql :
        List.of(
            "SELECT name FROM authors WHERE id IN (SELECT author_id FROM books WHERE nosuch = 1)",
            "WITH x AS (SELECT id FROM authors) SELECT x.id, nosuch FROM x JOIN books b"
                + " ON b.author_id = x.id",
            "SELECT name FROM authors UNION SELECT nosuch FROM books b JOIN authors a"
                + " ON a.id = b.author_id")) {
      DbException e = failure(() -> run(sql));
      assertThat(e).as(sql).isNotInstanceOf(HouseRuleException.class);
      assertThat(e.sqlState()).as(sql).isEqualTo("42703");
      assertThat(e.getMessage()).as(sql).contains("nosuch");
    }
    assertThat(
            rows(
                "SELECT name FROM authors WHERE id IN (SELECT author_id FROM books"
                    + " WHERE title = 'Notes')"))
        .containsExactly(List.of("Ada"));
  }

  @Test
  void selectFromAnUnknownTableAnswersNoRows() {
    StatementResult r = run("SELECT title, year FROM books WHERE year > 2000");
    assertThat(r.rows()).isEmpty();
    assertThat(r.columns()).extracting(ResultColumn::name).containsExactly("title", "year");
    assertThat(rows("SELECT count(*) FROM books")).containsExactly(List.of(0L));
    assertThat(run("DELETE FROM books WHERE year = 1").commandTag()).isEqualTo("DELETE 0");
  }

  // ---- refusals

  @Test
  void selectStarIsRefusedNamingTheRule() {
    run("INSERT INTO people (name) VALUES ('Ada')");
    for (String sql :
        List.of(
            "SELECT * FROM people",
            "SELECT p.* FROM people p",
            "UPDATE people SET name = 'x' RETURNING *",
            "SELECT name FROM people WHERE name IN (SELECT * FROM people)")) {
      DbException e = failure(() -> run(sql));
      assertThat(e).as(sql).isInstanceOf(HouseRuleException.class);
      assertThat(e.sqlState()).isEqualTo("0A000");
      assertThat(e.getMessage()).contains("no-select-star");
    }
    assertThat(rows("SELECT count(*) FROM people")).containsExactly(List.of(1L));
  }

  @Test
  void namesArePermanent() {
    run("INSERT INTO people (name, age) VALUES ('Ada', 1)");
    for (String sql :
        List.of(
            "DROP TABLE people",
            "DROP TABLE IF EXISTS people",
            "ALTER TABLE people DROP COLUMN age",
            "ALTER TABLE people DROP age",
            "ALTER TABLE people RENAME COLUMN age TO years",
            "ALTER TABLE people RENAME TO humans")) {
      DbException e = failure(() -> run(sql));
      assertThat(e.getMessage())
          .as(sql)
          .contains("names-are-permanent")
          .contains("write both, read either");
    }
    assertThat(rows("SELECT name, age FROM people")).containsExactly(List.of("Ada", 1L));
  }

  @Test
  void narrowingATypeIsRefusedAndWideningAccepted() {
    run("INSERT INTO m (small, big, label) VALUES ($1, 5, 'x')", 3);
    DbException e = failure(() -> run("ALTER TABLE m ALTER COLUMN big TYPE integer"));
    assertThat(e.getMessage()).contains("no-narrowing").contains("m.big").contains("bigint");
    assertThat(failure(() -> run("ALTER TABLE m ALTER COLUMN label TYPE integer")).getMessage())
        .contains("no-narrowing");
    run("ALTER TABLE m ALTER COLUMN small TYPE bigint");
    assertThat(run("SELECT small FROM m").columns().get(0).typeOid()).isEqualTo(20);

    // a column with an automatic index widens too (DuckDB: the layer rebuilds the index around
    // it, which it can do only outside a transaction)
    run("SELECT label FROM m WHERE big = 5");
    layer.awaitBackgroundWork();
    assertThat(layer.describe("prod").indexes()).hasSize(1);
    String widenInScript = "SELECT 1 AS one; ALTER TABLE m ALTER COLUMN big TYPE numeric";
    if (duckDb()) {
      DbException refused = failure(() -> session.execute(widenInScript, List.of()));
      assertThat(refused.sqlState()).isEqualTo("0A000");
      assertThat(refused.hint()).contains("query of its own");
      run("ALTER TABLE m ALTER COLUMN big TYPE numeric");
    } else {
      session.execute(widenInScript, List.of());
    }
    assertThat(run("SELECT big FROM m WHERE big = 5").columns().get(0).typeOid()).isEqualTo(1700);
  }

  @Test
  void userIndexesAreNoOpsWithANotice() {
    run("INSERT INTO people (name) VALUES ('Ada')");
    StatementResult create = run("CREATE INDEX my_idx ON people (name)");
    assertThat(create.commandTag()).isEqualTo("CREATE INDEX");
    assertThat(create.notices()).anyMatch(n -> n.contains("no-op"));
    StatementResult drop = run("DROP INDEX my_idx");
    assertThat(drop.commandTag()).isEqualTo("DROP INDEX");
    assertThat(drop.notices()).anyMatch(n -> n.contains("no-op"));
  }

  // ---- indexes

  @Test
  void theFirstFilterBuildsAnIndexInTheBackgroundAndDisuseDropsIt() {
    run("INSERT INTO orders (customer, total) VALUES ('a', 1), ('b', 2)");
    assertThat(rows("SELECT total FROM orders WHERE customer = $1", "b"))
        .containsExactly(List.of(2L));
    layer.awaitBackgroundWork();
    CatalogDescription.Index index = layer.describe("prod").indexes().get(0);
    assertThat(index.table()).isEqualTo("orders");
    assertThat(index.column()).isEqualTo("customer");
    assertThat(index.reason()).contains("filter");
    assertThat(index.droppedAt()).isNull();
    assertThat(events)
        .anyMatch(e -> e.kind().equals("index-created") && e.message().contains("orders.customer"));
    assertThat(indexExists(index.name())).isTrue();

    clock.advance(Duration.ofDays(20));
    rows("SELECT total FROM orders WHERE customer = 'a'"); // a use keeps it
    clock.advance(Duration.ofDays(20));
    layer.runMaintenance();
    assertThat(layer.describe("prod").indexes().get(0).droppedAt()).isNull();

    clock.advance(Duration.ofDays(31));
    layer.runMaintenance();
    CatalogDescription.Index dropped = layer.describe("prod").indexes().get(0);
    assertThat(dropped.droppedAt()).isEqualTo(clock.instant());
    assertThat(dropped.dropReason()).contains("unused for 30 days");
    assertThat(events).anyMatch(e -> e.kind().equals("index-dropped"));
    assertThat(indexExists(index.name())).isFalse();
    assertThat(rows("SELECT total FROM orders WHERE customer = 'a'")).containsExactly(List.of(1L));
  }

  @Test
  void joinsAndSortsAskForIndexesToo() {
    run("INSERT INTO a (id, name) VALUES (1, 'x')");
    run("INSERT INTO b (a_id, v) VALUES (1, 'y')");
    rows("SELECT a.name, b.v FROM a JOIN b ON b.a_id = a.id ORDER BY a.name");
    layer.awaitBackgroundWork();
    assertThat(layer.describe("prod").indexes())
        .extracting(i -> i.table() + "." + i.column() + ":" + i.reason())
        .contains(
            "b.a_id:first join on the column",
            "a.id:first join on the column",
            "a.name:first sort on the column");
  }

  @Test
  void referencesIndexBothSidesAtOnce() {
    run("CREATE TABLE authors (id bigint PRIMARY KEY, name text)");
    run("CREATE TABLE posts (id bigint, author_id bigint REFERENCES authors(id), title text)");
    List<CatalogDescription.Index> indexes = layer.describe("prod").indexes();
    assertThat(indexes)
        .extracting(i -> i.table() + "." + i.column())
        .contains("posts.author_id", "authors.id");
    assertThat(indexes).allMatch(i -> indexExists(i.name()));
    run("INSERT INTO comments (body) VALUES ('hi')");
    run("ALTER TABLE comments ADD COLUMN author_id bigint REFERENCES authors(id)");
    assertThat(layer.describe("prod").indexes())
        .filteredOn(i -> i.table().equals("comments"))
        .extracting(CatalogDescription.Index::column, CatalogDescription.Index::reason)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("author_id", "foreign key comments.author_id"));
    CatalogDescription.Table posts =
        layer.describe("prod").tables().stream()
            .filter(t -> t.name().equals("posts"))
            .findFirst()
            .orElseThrow();
    assertThat(posts.columns()).allMatch(c -> "v1".equals(c.createdBy()));
  }

  boolean indexExists(String name) {
    String sql =
        layer.isDuckDb()
            ? "SELECT count(index_name) FROM duckdb_indexes() WHERE index_name = $1"
            : "SELECT count(indexname) FROM pg_indexes WHERE indexname = $1";
    return ((Number) run(sql, name).rows().get(0)[0]).longValue() == 1;
  }

  // ---- SET NOT NULL

  @Test
  void setNotNullNeedsNoNullsAndEveryWriterSupplyingTheColumn() {
    run("INSERT INTO t (a, b) VALUES (1, 'x')");
    run("INSERT INTO t (a) VALUES (2)");
    DbException nulls = failure(() -> run("ALTER TABLE t ALTER COLUMN b SET NOT NULL"));
    assertThat(nulls.sqlState()).isEqualTo("23502");
    assertThat(nulls.getMessage()).contains("t.b").contains("1 row(s)");
    run("UPDATE t SET b = 'y' WHERE b IS NULL");
    DbException versions = failure(() -> run("ALTER TABLE t ALTER COLUMN b SET NOT NULL"));
    // v1 inserted rows without b within the retention period
    assertThat(versions.sqlState()).as(versions.getMessage()).isEqualTo("55000");
    assertThat(versions.getMessage()).contains("v1").contains("t.b");

    Credentials v2 = layer.addCredentials("prod", "v2");
    try (SqlSession s2 = layer.open(v2.user(), "prod")) {
      s2.execute("INSERT INTO t (a, b) VALUES (3, 'z')", List.of());
      clock.advance(Duration.ofDays(31));
      s2.execute("INSERT INTO t (a, b) VALUES (4, 'w')", List.of());
      s2.execute("ALTER TABLE t ALTER COLUMN b SET NOT NULL", List.of());
      DbException e = failure(() -> s2.execute("INSERT INTO t (a) VALUES (5)", List.of()));
      assertThat(e.sqlState()).isEqualTo("23502");
    }
  }

  // ---- preview cap

  @Test
  void aPreviewWriteThatWouldPassTheCapFailsAndLosesNothing() {
    layer.close();
    layer = newLayer(options().withPreviewLimitBytes(3L * 1024 * 1024));
    Credentials preview = layer.addCredentials("preview-cap", "v9");
    // random text: PostgreSQL compresses repetitive values to almost nothing
    java.util.Random random = new java.util.Random(42);
    StringBuilder text = new StringBuilder();
    while (text.length() < 20_000) {
      text.append(Long.toString(random.nextLong(), 36));
    }
    String blob = text.toString();
    int stored = 0;
    DbException full = null;
    try (SqlSession s = layer.open(preview.user(), "preview-cap")) {
      for (int i = 0; i < 2_000 && full == null; i++) {
        try {
          s.execute("INSERT INTO blobs (n, body) VALUES ($1, $2)", List.of(i, blob + i));
          stored++;
        } catch (DbException e) {
          full = e;
        }
      }
      assertThat(full).isNotNull();
      assertThat(full.sqlState()).isEqualTo("53100");
      assertThat(full.getMessage()).contains("preview-cap").contains("nothing stored was lost");
      Object count = s.execute("SELECT count(n) FROM blobs", List.of()).get(0).rows().get(0)[0];
      assertThat(((Number) count).longValue()).isEqualTo(stored);
      // reads still work, and so does a session on prod, which has no cap
      assertThat(stored).isGreaterThan(10);
    }
    session = layer.open(layer.addCredentials("prod", "v1b").user(), "prod");
    run("INSERT INTO blobs (n, body) VALUES ($1, $2)", 1, blob.repeat(50));
  }

  // ---- usage, GC report, describe

  @Test
  void gcReportNamesTheVersionsHoldingEachColumn() {
    run("INSERT INTO t (a, b) VALUES (1, 'x')");
    Credentials v2 = layer.addCredentials("prod", "v2");
    try (SqlSession s2 = layer.open(v2.user(), "prod")) {
      s2.execute("SELECT a FROM t", List.of());
    }
    GcReport report = layer.gcReport("prod");
    GcReport.ColumnUse a =
        report.columns().stream().filter(c -> c.column().equals("a")).findFirst().orElseThrow();
    assertThat(a.heldBy()).extracting(GcReport.VersionUse::version).containsExactly("v1", "v2");
    assertThat(a.collectible()).isFalse();
    assertThat(report.collectible()).isEmpty();
    clock.advance(Duration.ofDays(10));
    run("SELECT b FROM t");
    clock.advance(Duration.ofDays(25));
    GcReport later = layer.gcReport("prod");
    assertThat(later.collectible()).extracting(GcReport.ColumnUse::column).containsExactly("a");
    // the report drops nothing
    assertThat(rows("SELECT a, b FROM t")).containsExactly(List.of(1L, "x"));
  }

  // ---- transactions and cancel

  @Test
  void transactionsCommitRollBackAndFail() {
    run("INSERT INTO acct (id, balance) VALUES (1, 100)");
    assertThat(run("BEGIN").commandTag()).isEqualTo("BEGIN");
    assertThat(session.transactionStatus()).isEqualTo(TransactionStatus.IN_TRANSACTION);
    run("UPDATE acct SET balance = 50 WHERE id = 1");
    assertThat(run("ROLLBACK").commandTag()).isEqualTo("ROLLBACK");
    assertThat(session.transactionStatus()).isEqualTo(TransactionStatus.IDLE);
    assertThat(rows("SELECT balance FROM acct")).containsExactly(List.of(100L));

    session.execute("BEGIN; UPDATE acct SET balance = 70 WHERE id = 1; COMMIT", List.of());
    assertThat(rows("SELECT balance FROM acct")).containsExactly(List.of(70L));

    run("BEGIN");
    run("UPDATE acct SET balance = 1 WHERE id = 1");
    assertThat(failure(() -> run("SELECT * FROM acct")).sqlState()).isEqualTo("0A000");
    assertThat(session.transactionStatus()).isEqualTo(TransactionStatus.FAILED);
    assertThat(failure(() -> run("SELECT balance FROM acct")).sqlState()).isEqualTo("25P02");
    assertThat(run("COMMIT").commandTag()).isEqualTo("ROLLBACK");
    assertThat(rows("SELECT balance FROM acct")).containsExactly(List.of(70L));
  }

  static List<String> tags(List<StatementResult> results) {
    return results.stream().map(StatementResult::commandTag).toList();
  }

  @Test
  void aScriptIsOneTransactionAndItsFailureKeepsTheResultsBeforeIt() {
    run("INSERT INTO acct (id, balance) VALUES (1, 100)");
    DbException refused =
        failure(
            () ->
                session.execute(
                    "INSERT INTO acct (id, note) VALUES (2, 'new column');"
                        + " UPDATE acct SET balance = 50 WHERE id = 1;"
                        + " SELECT balance FROM acct WHERE id = 1; SELECT * FROM acct;"
                        + " SELECT 1 AS never",
                    List.of()));
    assertThat(refused.sqlState()).isEqualTo("0A000");
    assertThat(refused).isInstanceOf(HouseRuleException.class);
    assertThat(tags(refused.completedResults()))
        .containsExactly("INSERT 0 1", "UPDATE 1", "SELECT 1");
    assertThat(refused.completedResults().get(2).rows()).containsExactly(new Object[] {50L});
    assertThat(session.transactionStatus()).isEqualTo(TransactionStatus.IDLE);
    // rolled back as one: the update, the insert and the column the layer added for it
    assertThat(rows("SELECT id, balance, note FROM acct"))
        .containsExactly(Arrays.asList(1L, 100L, null));
    assertThat(layer.describe("prod").tables())
        .flatExtracting(CatalogDescription.Table::columns)
        .filteredOn(c -> c.name().equals("note"))
        .singleElement()
        .satisfies(c -> assertThat(c.type()).as("only requested, never created").isNull());

    // an engine's error too, not only a house rule
    DbException failed =
        failure(
            () ->
                session.execute(
                    "UPDATE acct SET balance = 1; SELECT CAST('x' AS INTEGER) AS n", List.of()));
    assertThat(failed.sqlState()).isEqualTo("22P02");
    assertThat(tags(failed.completedResults())).containsExactly("UPDATE 1");
    assertThat(rows("SELECT balance FROM acct")).containsExactly(List.of(100L));

    // a script that succeeds commits every statement, and the new column is recorded
    List<StatementResult> ok =
        session.execute(
            "INSERT INTO acct (id, note) VALUES (3, 'x'); UPDATE acct SET balance = 60 WHERE id = 1;"
                + " SELECT count(id) AS n FROM acct",
            List.of());
    assertThat(tags(ok)).containsExactly("INSERT 0 1", "UPDATE 1", "SELECT 1");
    assertThat(rows("SELECT id, balance, note FROM acct ORDER BY id"))
        .containsExactly(Arrays.asList(1L, 60L, null), Arrays.asList(3L, null, "x"));
    assertThat(layer.describe("prod").tables())
        .flatExtracting(CatalogDescription.Table::columns)
        .filteredOn(c -> c.name().equals("note"))
        .singleElement()
        .satisfies(c -> assertThat(c.type()).isEqualTo("text"));
    // a single statement's failure has nothing before it
    assertThat(failure(() -> run("SELECT * FROM acct")).completedResults()).isEmpty();

    // adding a column to a table whose rows the same transaction changed: PostgreSQL commits it,
    // DuckDB cannot, and the layer says so at the statement rather than at COMMIT
    String changeThenAdd =
        "UPDATE acct SET balance = 55 WHERE id = 1; UPDATE acct SET flag = true WHERE id = 3";
    if (duckDb()) {
      DbException e = failure(() -> session.execute(changeThenAdd, List.of()));
      assertThat(e.sqlState()).isEqualTo("0A000");
      assertThat(e.getMessage()).contains("add column(s) [flag] to acct").contains("DuckDB");
      assertThat(tags(e.completedResults())).containsExactly("UPDATE 1");
      assertThat(rows("SELECT balance FROM acct WHERE id = 1")).containsExactly(List.of(60L));
      // in separate queries it works
      run("UPDATE acct SET balance = 55 WHERE id = 1");
      run("UPDATE acct SET flag = true WHERE id = 3");
    } else {
      assertThat(tags(session.execute(changeThenAdd, List.of())))
          .containsExactly("UPDATE 1", "UPDATE 1");
    }
    assertThat(rows("SELECT id, balance, flag FROM acct ORDER BY id"))
        .containsExactly(Arrays.asList(1L, 55L, null), Arrays.asList(3L, null, true));
  }

  @Test
  void transactionControlInAScriptBehavesAsInPostgres() {
    run("INSERT INTO acct (id, balance) VALUES (1, 100)");
    // COMMIT ends the implicit block (with PostgreSQL's warning); what follows is a new one
    DbException e =
        failure(
            () ->
                session.execute(
                    "UPDATE acct SET balance = 90; COMMIT; UPDATE acct SET balance = 80;"
                        + " SELECT * FROM acct",
                    List.of()));
    assertThat(tags(e.completedResults())).containsExactly("UPDATE 1", "COMMIT", "UPDATE 1");
    assertThat(e.completedResults().get(1).notices())
        .containsExactly("there is no transaction in progress");
    assertThat(rows("SELECT balance FROM acct")).containsExactly(List.of(90L));

    // BEGIN takes the statements before it into an ordinary block, which a failure leaves failed
    e =
        failure(
            () ->
                session.execute(
                    "UPDATE acct SET balance = 70; BEGIN; UPDATE acct SET balance = 60;"
                        + " SELECT * FROM acct; COMMIT",
                    List.of()));
    assertThat(tags(e.completedResults())).containsExactly("UPDATE 1", "BEGIN", "UPDATE 1");
    assertThat(session.transactionStatus()).isEqualTo(TransactionStatus.FAILED);
    assertThat(run("ROLLBACK").commandTag()).isEqualTo("ROLLBACK");
    assertThat(rows("SELECT balance FROM acct")).containsExactly(List.of(90L));

    // a block opened by the script and left open stays open for the next message
    assertThat(tags(session.execute("BEGIN; UPDATE acct SET balance = 50", List.of())))
        .containsExactly("BEGIN", "UPDATE 1");
    assertThat(session.transactionStatus()).isEqualTo(TransactionStatus.IN_TRANSACTION);
    assertThat(run("COMMIT").commandTag()).isEqualTo("COMMIT");
    assertThat(rows("SELECT balance FROM acct")).containsExactly(List.of(50L));

    // a savepoint needs a real transaction block
    e = failure(() -> session.execute("UPDATE acct SET balance = 40; SAVEPOINT s", List.of()));
    assertThat(e.sqlState()).isEqualTo("25P01");
    assertThat(e.getMessage()).contains("SAVEPOINT s");
    assertThat(rows("SELECT balance FROM acct")).containsExactly(List.of(50L));
    assertThat(session.transactionStatus()).isEqualTo(TransactionStatus.IDLE);
  }

  @Test
  void anImplicitBlockOpenedByTheCallerIsOneTransactionUntilItEnds() {
    run("INSERT INTO acct (id, balance) VALUES (1, 100)");
    // committed at endImplicit(true), the layer's new column recorded then
    session.beginImplicit();
    assertThat(session.transactionStatus()).isEqualTo(TransactionStatus.IN_TRANSACTION);
    // (the new column first: DuckDB cannot add one to a table the transaction updated)
    run("INSERT INTO acct (id, memo) VALUES (2, $1)", "m");
    run("UPDATE acct SET balance = 90 WHERE id = 1");
    // a script inside it does not end it
    assertThat(tags(session.execute("SELECT 1 AS a; SELECT 2 AS b", List.of()))).hasSize(2);
    assertThat(session.transactionStatus()).isEqualTo(TransactionStatus.IN_TRANSACTION);
    session.endImplicit(true);
    assertThat(session.transactionStatus()).isEqualTo(TransactionStatus.IDLE);
    assertThat(rows("SELECT id, balance, memo FROM acct ORDER BY id"))
        .containsExactly(Arrays.asList(1L, 90L, null), Arrays.asList(2L, null, "m"));
    assertThat(layer.describe("prod").tables())
        .flatExtracting(CatalogDescription.Table::columns)
        .filteredOn(c -> c.name().equals("memo"))
        .singleElement()
        .satisfies(c -> assertThat(c.type()).isEqualTo("text"));

    // the first failure rolls all of it back and leaves the session idle; endImplicit is then a
    // no-op, and the next statement runs on its own
    session.beginImplicit();
    run("INSERT INTO acct (id, extra) VALUES (3, 'x')");
    run("UPDATE acct SET balance = 80 WHERE id = 1");
    assertThat(failure(() -> run("SELECT * FROM acct")).sqlState()).isEqualTo("0A000");
    assertThat(session.transactionStatus()).isEqualTo(TransactionStatus.IDLE);
    session.endImplicit(true);
    assertThat(rows("SELECT id, balance FROM acct ORDER BY id"))
        .containsExactly(Arrays.asList(1L, 90L), Arrays.asList(2L, null));
    assertThat(layer.describe("prod").tables())
        .flatExtracting(CatalogDescription.Table::columns)
        .filteredOn(c -> c.name().equals("extra"))
        .isEmpty();

    // endImplicit(false) rolls back
    session.beginImplicit();
    run("UPDATE acct SET balance = 70 WHERE id = 1");
    session.endImplicit(false);
    assertThat(rows("SELECT balance FROM acct WHERE id = 1")).containsExactly(List.of(90L));

    // BEGIN turns it into an ordinary block that endImplicit leaves open
    session.beginImplicit();
    run("UPDATE acct SET balance = 60 WHERE id = 1");
    assertThat(run("BEGIN").notices()).isEmpty();
    session.endImplicit(true);
    assertThat(session.transactionStatus()).isEqualTo(TransactionStatus.IN_TRANSACTION);
    run("ROLLBACK");
    assertThat(rows("SELECT balance FROM acct WHERE id = 1")).containsExactly(List.of(90L));

    // COMMIT ends it with PostgreSQL's warning; what follows runs on its own
    session.beginImplicit();
    run("UPDATE acct SET balance = 50 WHERE id = 1");
    assertThat(run("COMMIT").notices()).containsExactly("there is no transaction in progress");
    assertThat(session.transactionStatus()).isEqualTo(TransactionStatus.IDLE);
    run("UPDATE acct SET balance = 40 WHERE id = 1");
    session.endImplicit(false);
    assertThat(rows("SELECT balance FROM acct WHERE id = 1")).containsExactly(List.of(40L));

    // inside an explicit block both are no-ops
    run("BEGIN");
    session.beginImplicit();
    run("UPDATE acct SET balance = 30 WHERE id = 1");
    session.endImplicit(false);
    assertThat(session.transactionStatus()).isEqualTo(TransactionStatus.IN_TRANSACTION);
    run("COMMIT");
    assertThat(rows("SELECT balance FROM acct WHERE id = 1")).containsExactly(List.of(30L));
  }

  @Test
  void cancelStopsTheRunningStatement() throws Exception {
    CompletableFuture<DbException> running =
        CompletableFuture.supplyAsync(() -> failure(() -> run(slowQuery())));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!running.isDone() && System.nanoTime() < deadline) {
      Thread.sleep(100);
      session.cancel();
    }
    DbException e = running.get(20, TimeUnit.SECONDS);
    assertThat(e.sqlState()).isEqualTo("57014");
    assertThat(rows("SELECT 1 AS one")).containsExactly(List.of(1));
  }

  // ---- bad input

  @Test
  void aHugeStatementIsRefusedBeforeParsing() {
    String huge = "SELECT '" + "x".repeat(100 * 1024 * 1024) + "' AS big";
    DbException e = failure(() -> run(huge));
    assertThat(e.sqlState()).isEqualTo("54000");
    assertThat(e.getMessage()).contains("104857").contains("limit of 1000000");
  }

  @Test
  void unparsableSqlNamesThePosition() {
    DbException e = failure(() -> run("SELECT name FROM people WHERE"));
    assertThat(e.sqlState()).isEqualTo("42601");
    assertThat(e.getMessage()).contains("position").contains("line 1");
    DbException e2 = failure(() -> run("SELEC name FROM people"));
    assertThat(e2.sqlState()).isEqualTo("42601");
    assertThat(e2.getMessage()).contains("position 1");
  }

  @Test
  void sessionCommandsDriversSendAreAccepted() {
    assertThat(run("SET application_name = 'psql'").commandTag()).isEqualTo("SET");
    assertThat(run("SET search_path TO public").commandTag()).isEqualTo("SET");
    assertThat(session.transactionStatus()).isEqualTo(TransactionStatus.IDLE);
    // in a script's implicit transaction too
    assertThat(
            tags(
                session.execute(
                    "SET application_name = 'psql'; SET extra_float_digits = 3; SELECT 1 AS one",
                    List.of())))
        .containsExactly("SET", "SET", "SELECT 1");
    assertThat(session.transactionStatus()).isEqualTo(TransactionStatus.IDLE);
  }

  @Test
  void describeAnswersColumnsForParameters() {
    run("INSERT INTO people (name, age) VALUES ('Ada', 36)");
    StatementDescription d = session.describe("SELECT name, age FROM people WHERE age > $1");
    assertThat(d.columns())
        .containsExactly(new ResultColumn("name", 25), new ResultColumn("age", 20));
    assertThat(d.parameterTypes()).hasSize(1);
    assertThat(session.describe("INSERT INTO people (name) VALUES ($1)").columns()).isEmpty();
    assertThat(session.describe("SELECT name, email FROM people").columns())
        .containsExactly(new ResultColumn("name", 25), new ResultColumn("email", 25));
    assertThat(session.describe("SELECT title FROM books").columns())
        .containsExactly(new ResultColumn("title", 25));
    assertThat(Collections.frequency(List.of(1), 1)).isEqualTo(1);
  }

  // ---- concurrency

  @Test
  void concurrentSessionsWriteWhileIndexesAreBuilt() throws Exception {
    run("INSERT INTO events (id, kind, n) VALUES (0, 'seed', 0)");
    int threads = 4;
    int perThread = 40;
    List<CompletableFuture<Void>> writers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      writers.add(
          CompletableFuture.runAsync(
              () -> {
                try (SqlSession s = layer.open(creds.user(), "prod")) {
                  for (int i = 0; i < perThread; i++) {
                    long id = thread * 1000L + i + 1;
                    s.execute(
                        "INSERT INTO events (id, kind, n) VALUES ($1, $2, $3)",
                        List.of(id, "k" + (i % 3), (long) i));
                    s.execute("SELECT id FROM events WHERE kind = $1 ORDER BY n", List.of("k1"));
                    if (i == perThread / 2) {
                      s.execute(
                          "UPDATE events SET tag" + thread + " = 'x' WHERE id = $1", List.of(id));
                    }
                  }
                }
              }));
    }
    for (CompletableFuture<Void> w : writers) {
      w.get(60, TimeUnit.SECONDS);
    }
    layer.awaitBackgroundWork();
    assertThat(rows("SELECT count(id) FROM events"))
        .containsExactly(List.of((long) threads * perThread + 1));
    assertThat(layer.describe("prod").indexes())
        .extracting(i -> i.column())
        .contains("kind", "n", "id");
    assertThat(events).noneMatch(e -> e.kind().equals("index-failed"));
  }

  // ---- differential: the layer answers what the engine answers

  @Test
  void randomAllowedStatementsAnswerAsTheEngineDoes() throws Exception {
    try (Connection direct = scratchConnection()) {
      String numeric = dev.threadbare.db.internal.ColumnType.NUMERIC.ddlName(layer.isDuckDb());
      try (java.sql.Statement s = direct.createStatement()) {
        s.execute(
            "CREATE TABLE items (id bigint, grp text, n bigint, price "
                + numeric
                + ", flag boolean)");
        s.execute("CREATE TABLE groups (name text, weight bigint)");
      }
      java.util.Random random = new java.util.Random(20261129);
      for (int g = 0; g < 4; g++) {
        both(direct, "INSERT INTO groups (name, weight) VALUES ('g" + g + "', " + (g * 10) + ")");
      }
      int nextId = 0;
      int compared = 0;
      for (int step = 0; step < 150; step++) {
        int k = random.nextInt(100);
        String g = "'g" + random.nextInt(5) + "'";
        String sql =
            switch (random.nextInt(9)) {
              case 0, 1 ->
                  "INSERT INTO items (id, grp, n, price, flag) VALUES ("
                      + nextId++
                      + ", "
                      + g
                      + ", "
                      + k
                      + ", "
                      + k
                      + "."
                      + random.nextInt(100)
                      + ", "
                      + random.nextBoolean()
                      + ")";
              case 2 -> "UPDATE items SET n = n + " + k + " WHERE grp = " + g;
              case 3 -> "DELETE FROM items WHERE id = " + random.nextInt(Math.max(1, nextId));
              case 4 -> "SELECT id, n, price FROM items WHERE n > " + k + " ORDER BY id";
              case 5 ->
                  "SELECT grp, count(id) AS c, sum(n) AS s, max(price) AS m FROM items"
                      + " GROUP BY grp ORDER BY grp";
              case 6 ->
                  "SELECT i.id, g.weight FROM items i JOIN groups g ON g.name = i.grp"
                      + " WHERE i.flag = true ORDER BY i.id, g.weight";
              case 7 -> "SELECT id, grp FROM items ORDER BY n DESC, id LIMIT 5";
              default ->
                  "SELECT min(n) AS lo, count(id) AS c FROM items WHERE grp = "
                      + g
                      + " AND price < "
                      + k;
            };
        List<List<String>> viaLayer = canonical(session.execute(sql, List.of()).get(0).rows());
        List<List<String>> viaEngine = new ArrayList<>();
        try (java.sql.Statement s = direct.createStatement()) {
          if (s.execute(sql)) {
            try (java.sql.ResultSet rs = s.getResultSet()) {
              int n = rs.getMetaData().getColumnCount();
              List<Object[]> raw = new ArrayList<>();
              while (rs.next()) {
                Object[] row = new Object[n];
                for (int i = 0; i < n; i++) {
                  row[i] = rs.getObject(i + 1);
                }
                raw.add(row);
              }
              viaEngine = canonical(raw);
            }
            compared++;
          }
        }
        if (sql.startsWith("SELECT")) {
          assertThat(viaLayer).as(sql).isEqualTo(viaEngine);
        }
      }
      assertThat(compared).isGreaterThan(50);
    }
  }

  private void both(Connection direct, String sql) throws Exception {
    session.execute(sql, List.of());
    try (java.sql.Statement s = direct.createStatement()) {
      s.execute(sql);
    }
  }

  private static List<List<String>> canonical(List<Object[]> rows) {
    List<List<String>> out = new ArrayList<>();
    for (Object[] row : rows) {
      List<String> values = new ArrayList<>();
      for (Object v : row) {
        values.add(
            v == null
                ? "NULL"
                : v instanceof Number n
                    ? new BigDecimal(n.toString()).stripTrailingZeros().toPlainString()
                    : v.toString());
      }
      out.add(values);
    }
    return out;
  }
}
