package dev.threadbare.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Values go in and come out exactly, read as PostgreSQL answers them, and the statements clients
 * and ORMs send work, on both engines ({@link DuckDbPostgresAnswersTest}, {@link
 * PostgresPostgresAnswersTest}): what issue 10 found corrupted, lost or refused.
 */
abstract class PostgresAnswersContract {
  DbLayer layer;
  SqlSession session;

  abstract DbLayer newLayer();

  @BeforeEach
  void start() {
    layer = newLayer();
    Credentials creds = layer.addCredentials("prod", "v1");
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

  Object one(String sql, Object... params) {
    StatementResult r = run(sql, params);
    assertThat(r.rows()).as(sql).hasSize(1);
    return r.rows().get(0)[0];
  }

  List<Object> column(String sql, Object... params) {
    List<Object> out = new ArrayList<>();
    for (Object[] row : run(sql, params).rows()) {
      out.add(row[0]);
    }
    return out;
  }

  static DbException failure(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
    return LayerContract.failure(call);
  }

  @Test
  void dollarQuotedStringsAreStoredIntoNewAndExistingColumns() {
    run("INSERT INTO t (id, s) VALUES (1, $$first$$)");
    run("INSERT INTO t (id, s) VALUES (2, $$hello 'world'$$)");
    run("INSERT INTO t (id, s) VALUES (3, $tag$it's $$ fine$tag$)");
    assertThat(column("SELECT s FROM t ORDER BY id"))
        .containsExactly("first", "hello 'world'", "it's $$ fine");
  }

  @Test
  void byteaFromHexLiteralsAndParametersKeepsEveryByte() {
    byte[] expected = {0x00, 0x01, (byte) 0xff, (byte) 0xfe};
    // what psycopg2's Binary(b'\x00\x01\xff\xfe') sends
    run("INSERT INTO blobs (id, data) VALUES (1, '\\x0001fffe'::bytea)");
    run("INSERT INTO blobs (id, data) VALUES (2, $1)", (Object) expected);
    run("INSERT INTO blobs (id, data) VALUES (3, decode('0001fffe', 'hex'))");
    run("INSERT INTO blobs (id, data) VALUES (4, $1)", "\\x0001fffe");
    for (Object value : column("SELECT data FROM blobs ORDER BY id")) {
      assertThat((byte[]) value).containsExactly(expected);
    }
    assertThat(one("SELECT octet_length(data) AS n FROM blobs WHERE id = 1"))
        .isInstanceOfAny(Integer.class, Long.class);
  }

  @Test
  void numericKeepsItsDigitsAndDescribeTellsTheTruth() {
    run("INSERT INTO prices (id, v) VALUES (1, 1.1234567891234)");
    run("INSERT INTO prices (id, v) VALUES (2, 12345.5)");
    run("INSERT INTO prices (id, v) VALUES (3, $1)", new BigDecimal("0.000000000001"));
    List<Object> values = column("SELECT v FROM prices ORDER BY id");
    assertThat(values).hasSize(3);
    assertThat(((BigDecimal) values.get(0)).compareTo(new BigDecimal("1.1234567891234"))).isZero();
    assertThat(((BigDecimal) values.get(1)).toPlainString()).isEqualTo("12345.5");
    assertThat(((BigDecimal) values.get(2)).compareTo(new BigDecimal("0.000000000001"))).isZero();
    Object cast = one("SELECT '12345.678901234567890'::numeric AS v");
    assertThat(((BigDecimal) cast).compareTo(new BigDecimal("12345.678901234567890"))).isZero();
    run("INSERT INTO big (id, n) VALUES (1, 9000000000)");
    run("ALTER TABLE big ALTER COLUMN n TYPE numeric");
    run("INSERT INTO big (id, n) VALUES (2, 0.125)");
    List<Object> widened = column("SELECT n FROM big ORDER BY id");
    assertThat(((BigDecimal) widened.get(0)).compareTo(new BigDecimal("9000000000"))).isZero();
    assertThat(((BigDecimal) widened.get(1)).compareTo(new BigDecimal("0.125"))).isZero();
    CatalogDescription.Column n =
        layer.describe("prod").tables().stream()
            .filter(t -> t.name().equals("big"))
            .flatMap(t -> t.columns().stream())
            .filter(c -> c.name().equals("n"))
            .findFirst()
            .orElseThrow();
    assertThat(n.type()).isEqualTo("numeric");
  }

  @Test
  void castsCreateColumnsOfTheirTypeAndTheValueFitsThem() {
    run(
        "INSERT INTO casts (a, b, c, d) VALUES (1::int, CAST(2 AS smallint), $1::integer,"
            + " '4'::bigint)",
        "3");
    Object[] row = run("SELECT a, b, c, d FROM casts").rows().get(0);
    assertThat(row).containsExactly(1, (short) 2, 3, 4L);
    run("INSERT INTO casts (a, b, c, d) VALUES (5::int, CAST(6 AS smallint), $1::integer, 8)", "7");
    assertThat(column("SELECT c FROM casts ORDER BY a")).containsExactly(3, 7);
  }

  @Test
  void arraysAndJsonAreStoredAndReadBack() {
    run(
        "INSERT INTO docs (id, tags, doc, docb) VALUES (1, '{1,2,3}'::int[], '{\"a\":1}'::json,"
            + " '{\"b\":2}'::jsonb)");
    Object[] row = run("SELECT tags, doc, docb FROM docs").rows().get(0);
    assertThat(row[0]).isEqualTo(List.of(1, 2, 3));
    assertThat(String.valueOf(row[1]).replace(" ", "")).isEqualTo("{\"a\":1}");
    assertThat(String.valueOf(row[2]).replace(" ", "")).isEqualTo("{\"b\":2}");
    run(
        "INSERT INTO docs (id, tags, doc, docb) VALUES (2, $1::int[], $2::json, $3::jsonb)",
        "{4,5}",
        "[1]",
        "{\"c\":true}");
    assertThat(one("SELECT tags FROM docs WHERE id = 2")).isEqualTo(List.of(4, 5));
  }

  @Test
  void untypedParametersGetTheTypeTheirTextReads() {
    Object[][] rows = {
      {"10", "2.50", "true", "2024-02-29", "2024-02-29 13:14:15.123+00", "ten"},
      {"9", "1", "false", "2024-03-01", "2024-03-01T00:00:00Z", "nine"},
      {"100", "-0.5", "t", "2024-03-02", "2024-03-02 10:00:00", "hundred"}
    };
    for (Object[] r : rows) {
      List<Object> params = new ArrayList<>();
      for (Object v : r) {
        params.add(new UntypedParameter((String) v));
      }
      session.execute(
          "INSERT INTO u (id, price, ok, born, seen, name) VALUES ($1, $2, $3, $4, $5, $6)",
          params);
    }
    assertThat(column("SELECT id FROM u ORDER BY id")).containsExactly(9L, 10L, 100L);
    assertThat(((BigDecimal) one("SELECT sum(price) AS s FROM u")).compareTo(new BigDecimal("3")))
        .isZero();
    assertThat(column("SELECT ok FROM u ORDER BY id")).containsExactly(false, true, true);
    assertThat(column("SELECT born FROM u ORDER BY id"))
        .containsExactly(
            LocalDate.of(2024, 3, 1), LocalDate.of(2024, 2, 29), LocalDate.of(2024, 3, 2));
    assertThat(one("SELECT seen FROM u WHERE id = 10"))
        .isEqualTo(OffsetDateTime.parse("2024-02-29T13:14:15.123Z"));
    assertThat(one("SELECT name FROM u WHERE id = $1", new UntypedParameter("100")))
        .isEqualTo("hundred");
    // an existing text column keeps numbers-looking text as text
    run(
        "INSERT INTO u (id, name) VALUES ($1, $2)",
        new UntypedParameter("7"),
        new UntypedParameter("0042"));
    assertThat(one("SELECT name FROM u WHERE id = 7")).isEqualTo("0042");
  }

  @Test
  void timestampTextsPostgresAcceptsAreAccepted() {
    run("INSERT INTO ev (id, at) VALUES (0, now())");
    Instant expected = Instant.parse("2024-02-29T13:14:15.123Z");
    run("INSERT INTO ev (id, at) VALUES (1, $1)", "2024-02-29 13:14:15.123 +00:00");
    run("INSERT INTO ev (id, at) VALUES (2, '2024-02-29 13:14:15.123+00:00')");
    run("INSERT INTO ev (id, at) VALUES (3, $1)", "2024-02-29 13:14:15");
    run("INSERT INTO ev (id, at) VALUES (4, $1)", "2024-02-29");
    run("INSERT INTO ev (id, at) VALUES (5, $1)", "2024-02-29T18:44:15.123+05:30");
    run("INSERT INTO ev (id, at) VALUES (6, '2024-02-29')");
    List<Object> at = column("SELECT at FROM ev WHERE id > 0 ORDER BY id");
    assertThat(((OffsetDateTime) at.get(0)).toInstant()).isEqualTo(expected);
    assertThat(((OffsetDateTime) at.get(1)).toInstant()).isEqualTo(expected);
    assertThat(((OffsetDateTime) at.get(2)).toInstant())
        .isEqualTo(Instant.parse("2024-02-29T13:14:15Z"));
    assertThat(((OffsetDateTime) at.get(3)).toInstant())
        .isEqualTo(Instant.parse("2024-02-29T00:00:00Z"));
    assertThat(((OffsetDateTime) at.get(4)).toInstant()).isEqualTo(expected);
    // timestamp without time zone: node-pg's Date text drops its offset, as PostgreSQL does
    run("INSERT INTO local (id, at) VALUES (1, $1::timestamp)", "2024-02-29T18:44:15.123+05:30");
    run("INSERT INTO local (id, at) VALUES (2, $1)", "2024-02-29 13:14:15.123 +00:00");
    run("INSERT INTO local (id, d) VALUES (3, $1::date)", "2024-02-29");
    run("INSERT INTO local (id, d) VALUES (4, $1)", "2024-02-29 13:14:15");
    assertThat(column("SELECT at FROM local WHERE id < 3 ORDER BY id"))
        .containsExactly(
            LocalDateTime.parse("2024-02-29T18:44:15.123"),
            LocalDateTime.parse("2024-02-29T13:14:15.123"));
    assertThat(column("SELECT d FROM local WHERE id > 2 ORDER BY id"))
        .containsExactly(LocalDate.of(2024, 2, 29), LocalDate.of(2024, 2, 29));
    assertThat(ZoneOffset.UTC).isNotNull();
  }

  @Test
  void returningAColumnTheTableLacksIsAnErrorNotNull() {
    run("INSERT INTO people (name) VALUES ('ada')");
    DbException e = failure(() -> run("INSERT INTO people (name) VALUES ('bob') RETURNING id"));
    assertThat(e.sqlState()).isEqualTo("42703");
    assertThat(e.getMessage()).contains("people.id").contains("RETURNING");
    assertThat(e.hint()).contains("GENERATED BY DEFAULT AS IDENTITY");
    assertThat(column("SELECT name FROM people ORDER BY name")).containsExactly("ada");
  }

  @Test
  void answersAreThoseOfPostgres() {
    assertThat(((Number) one("SELECT 7/2 AS q")).longValue()).isEqualTo(3L);
    assertThat(((Number) one("SELECT 7.0/2 AS q")).doubleValue()).isEqualTo(3.5);
    run("INSERT INTO items (id, price) VALUES (1, 1.5), (2, 2.25)");
    StatementResult count = run("SELECT count(*) FROM items");
    assertThat(count.columns().get(0).name()).isEqualTo("count");
    assertThat(count.rows().get(0)[0]).isEqualTo(2L);
    StatementResult sum =
        run("SELECT sum(price), max(id), id + 1 FROM items GROUP BY id ORDER BY id");
    assertThat(sum.columns().stream().map(ResultColumn::name))
        .containsExactly("sum", "max", "?column?");
    assertThat(((BigDecimal) sum.rows().get(0)[0]).toPlainString()).isEqualTo("1.5");
    assertThat(one("SHOW standard_conforming_strings")).isEqualTo("on");
    // DuckDB's snapshot isolation is PostgreSQL's repeatable read
    assertThat(String.valueOf(one("SHOW transaction isolation level")))
        .isIn("read committed", "repeatable read");
    assertThat(one("SELECT current_schema()")).isEqualTo("public");
    assertThat(String.valueOf(one("SELECT pg_catalog.version()"))).startsWith("PostgreSQL ");
    assertThat(String.valueOf(one("SELECT version()"))).matches("PostgreSQL \\d+\\.\\d+.*");
    run("INSERT INTO events (id, at) VALUES (1, now())");
    assertThat(column("SELECT at FROM events WHERE at IS NOT NULL")).hasSize(1);
  }

  @Test
  void savepointsRollBackToWhereTheyWereMade() {
    run("BEGIN");
    run("INSERT INTO sp (id, name) VALUES (1, 'kept')");
    run("SAVEPOINT \"s0\"");
    run("INSERT INTO sp (id, name, extra) VALUES (2, 'gone', 'x')");
    run("ROLLBACK TO SAVEPOINT \"s0\"");
    run("INSERT INTO sp (id, name) VALUES (3, 'after')");
    run("SAVEPOINT s1");
    DbException e = failure(() -> run("INSERT INTO sp (id, name) VALUES ('x', 'bad')"));
    assertThat(session.transactionStatus()).isEqualTo(TransactionStatus.FAILED);
    assertThat(e).isNotNull();
    run("ROLLBACK TO s1");
    run("RELEASE SAVEPOINT s1");
    run("COMMIT");
    assertThat(column("SELECT name FROM sp ORDER BY id")).containsExactly("kept", "after");
    assertThat(failure(() -> run("SAVEPOINT lone")).sqlState()).isEqualTo("25P01");
    run("BEGIN");
    assertThat(failure(() -> run("ROLLBACK TO nosuch")).sqlState()).isEqualTo("3B001");
    run("ROLLBACK");
  }

  @Test
  void cursorsServeTheirRowsInSlices() {
    run("INSERT INTO cur (id) VALUES (1), (2), (3)");
    run("BEGIN");
    run("DECLARE \"c1\" CURSOR WITHOUT HOLD FOR SELECT id FROM cur ORDER BY id");
    StatementResult first = run("FETCH FORWARD 2 FROM \"c1\"");
    assertThat(first.commandTag()).isEqualTo("FETCH 2");
    assertThat(first.rows()).hasSize(2);
    assertThat(run("FETCH FORWARD 2 FROM \"c1\"").rows()).hasSize(1);
    assertThat(run("FETCH FORWARD 2 FROM \"c1\"").rows()).isEmpty();
    run("CLOSE \"c1\"");
    run("COMMIT");
    assertThat(failure(() -> run("DECLARE c2 CURSOR WITH HOLD FOR SELECT * FROM cur")).getMessage())
        .contains("no-select-star");
    assertThat(failure(() -> run("FETCH 1 FROM c1")).sqlState()).isEqualTo("34000");
  }

  @Test
  void serialIdentityAndDefaultsNumberRows() {
    run(
        "CREATE TABLE s (id serial PRIMARY KEY, big bigserial, n bigint GENERATED BY DEFAULT AS"
            + " IDENTITY, name text DEFAULT 'none', at timestamptz DEFAULT now())");
    run("INSERT INTO s (name) VALUES ('a')");
    StatementResult r = run("INSERT INTO s (name) VALUES ('b') RETURNING id, big, n");
    assertThat(r.rows().get(0)).containsExactly(2, 2L, 2L);
    assertThat(column("SELECT name FROM s WHERE id = 1")).containsExactly("a");
    run("INSERT INTO s (id) VALUES (10)");
    assertThat(column("SELECT name FROM s WHERE id = 10")).containsExactly("none");
  }

  @Test
  void onConflictWorksOnATableTheLayerCreated() {
    String upsert =
        "INSERT INTO kv (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value ="
            + " excluded.value";
    run(upsert, "theme", "dark");
    run(upsert, "theme", "light");
    assertThat(run("SELECT key, value FROM kv").rows())
        .singleElement()
        .satisfies(row -> assertThat(row).containsExactly("theme", "light"));
  }

  @Test
  void selectStarPassesThroughOverTheEnginesCatalogs() {
    run("INSERT INTO visible (id) VALUES (1)");
    assertThat(run("SELECT * FROM information_schema.tables WHERE table_name = 'visible'").rows())
        .hasSize(1);
    assertThat(
            run("SELECT * FROM (SELECT table_name FROM information_schema.columns) c"
                    + " WHERE table_name = 'visible'")
                .rows())
        .hasSize(1);
    assertThat(failure(() -> run("SELECT * FROM visible")).getMessage()).contains("no-select-star");
  }
}
