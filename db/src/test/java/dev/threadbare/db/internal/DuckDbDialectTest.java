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
    // version() and current_schema() are the catalog's macros (DuckDbCatalog)
    assertThat(DuckDbDialect.rewrite("select pg_catalog.version(), current_schema"))
        .isEqualTo("select version(), current_schema()");
    assertThat(DuckDbDialect.rewrite("SELECT 'at numeric version() jsonb' AS \"at\""))
        .isEqualTo("SELECT 'at numeric version() jsonb' AS \"at\"");
    assertThat(DuckDbDialect.rewrite("SHOW standard_conforming_strings"))
        .isEqualTo("SELECT 'on' AS \"standard_conforming_strings\"");
  }

  @Test
  void catalogTextAsDuckDbReadsIt() {
    assertThat(
            DuckDbDialect.rewrite(
                "SELECT conrelid::pg_catalog.regclass AS t FROM pg_catalog.pg_constraint WHERE"
                    + " confrelid IN (VALUES ('16445'::pg_catalog.regclass)) AND x ="
                    + " 'pg_class'::regclass AND y = pg_get_serial_sequence('t', 'id')::regclass::oid"))
        .isEqualTo(
            "SELECT tb_regclass_name(conrelid) AS t FROM pg_constraint WHERE confrelid IN"
                + " (VALUES (16445)) AND x = tb_regclass_oid('pg_class') AND y ="
                + " tb_regclass_oid(pg_get_serial_sequence('t', 'id'))");
    assertThat(DuckDbDialect.rewrite("SELECT 1 WHERE n.nspname !~ '^pg_' AND '~' ~* 'a'"))
        .isEqualTo("SELECT 1 WHERE n.nspname !~ '(?s).*(?:^pg_).*' AND '~' ~ '(?i)(?s).*(?:a).*'");
    assertThat(
            DuckDbDialect.rewrite(
                "SELECT a.attname FROM pg_attribute a LEFT JOIN pg_index ix ON a.attnum ="
                    + " ANY(ix.indkey), generate_series(0, array_upper(x, 1)) s"))
        .isEqualTo(
            "SELECT a.attname FROM pg_attribute a LEFT JOIN pg_index ix ON"
                + " list_contains(tb_int2vector(ix.indkey), a.attnum), generate_series(0,"
                + " array_upper(x, 1)) AS s(s)");
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
    assertThat(DuckDbDialect.columnLabel("\"version\"()", sql)).isEqualTo("version");
  }

  @Test
  void dollarQuotedStringsBecomeStandardOnes() {
    assertThat(DollarQuotes.toStandard("VALUES ($$it's$$, $t$a $$ b$t$, $1, '$$')"))
        .isEqualTo("VALUES ('it''s', 'a $$ b', $1, '$$')");
  }
}
