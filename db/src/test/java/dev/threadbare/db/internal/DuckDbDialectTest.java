package dev.threadbare.db.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The DuckDB rewrites, on text: they touch nothing inside literals. */
class DuckDbDialectTest {
  @Test
  void rewritesWhatDuckDbSpellsOtherwise() {
    assertThat(DuckDbDialect.rewrite("INSERT INTO b (d) VALUES ('\\x0001fffe'::bytea)"))
        .isEqualTo("INSERT INTO b (d) VALUES (from_hex('0001fffe'))");
    assertThat(DuckDbDialect.rewrite("SELECT '{1,2}'::int[], $1::text[] AS t"))
        .isEqualTo(
            "SELECT '[1,2]'::int[], CAST(coalesce(string_split(nullif(replace(trim(CAST($1 AS"
                + " VARCHAR), '{}'), '\"', ''), ''), ','), []) AS text[]) AS t");
    assertThat(DuckDbDialect.rewrite("SELECT x::numeric, CAST(y AS decimal(10,2)), z::jsonb"))
        .isEqualTo("SELECT x::DECIMAL(38,18), CAST(y AS decimal(10,2)), z::JSON");
    assertThat(DuckDbDialect.rewrite("SELECT at, t.at, now() AT TIME ZONE 'UTC' FROM t"))
        .isEqualTo("SELECT \"at\", t.\"at\", now() AT TIME ZONE 'UTC' FROM t");
    assertThat(DuckDbDialect.rewrite("select pg_catalog.version(), current_schema()"))
        .isEqualTo("select '" + DuckDbDialect.VERSION + "', 'public'");
    assertThat(DuckDbDialect.rewrite("SELECT 'at numeric version() jsonb' AS \"at\""))
        .isEqualTo("SELECT 'at numeric version() jsonb' AS \"at\"");
    assertThat(DuckDbDialect.rewrite("SHOW standard_conforming_strings"))
        .isEqualTo("SELECT 'on' AS \"standard_conforming_strings\"");
  }

  @Test
  void namesResultColumnsAsPostgres() {
    String sql = "SELECT count(*), sum(x), a + 1, x::int, 1::int, \"Full Name\" FROM t";
    assertThat(DuckDbDialect.columnLabel("count_star()", sql)).isEqualTo("count");
    assertThat(DuckDbDialect.columnLabel("sum(x)", sql)).isEqualTo("sum");
    assertThat(DuckDbDialect.columnLabel("(a + 1)", sql)).isEqualTo("?column?");
    assertThat(DuckDbDialect.columnLabel("CAST(x AS INTEGER)", sql)).isEqualTo("x");
    assertThat(DuckDbDialect.columnLabel("CAST(1 AS INTEGER)", sql)).isEqualTo("int4");
    assertThat(DuckDbDialect.columnLabel("Full Name", sql)).isEqualTo("Full Name");
    assertThat(DuckDbDialect.columnLabel("id", sql)).isEqualTo("id");
  }

  @Test
  void dollarQuotedStringsBecomeStandardOnes() {
    assertThat(DollarQuotes.toStandard("VALUES ($$it's$$, $t$a $$ b$t$, $1, '$$')"))
        .isEqualTo("VALUES ('it''s', 'a $$ b', $1, '$$')");
  }
}
