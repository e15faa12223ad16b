package dev.threadbare.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL's catalog on DuckDB, as psql, SQLAlchemy, pgjdbc and Sequelize query it (their own
 * query text, trimmed to what is asserted): the tenant's own tables, columns with PostgreSQL's
 * types, constraints and indexes, its one database and role, and nothing of another database.
 */
class DuckDbCatalogTest {
  @TempDir Path dir;
  private DbLayer layer;
  private SqlSession shop;
  private SqlSession other;

  @BeforeEach
  void open() {
    layer = DbLayer.duckDb(dir);
    layer.addCredentials("shop", "v1");
    layer.addCredentials("other", "v1");
    shop = layer.open(userOf("shop"), "shop");
    other = layer.open(userOf("other"), "other");
    shop.execute(
        "CREATE TABLE authors (id serial PRIMARY KEY, name text NOT NULL UNIQUE)", List.of());
    shop.execute(
        "CREATE TABLE books (id bigserial PRIMARY KEY, author_id integer REFERENCES authors (id),"
            + " title text, price numeric(10, 2))",
        List.of());
    other.execute("CREATE TABLE secrets (id bigint, token text)", List.of());
  }

  private String userOf(String database) {
    return layer.addCredentials(database, "v2").user();
  }

  @AfterEach
  void close() {
    shop.close();
    other.close();
    layer.close();
  }

  private List<String> rows(SqlSession session, String sql) {
    StatementResult r = session.execute(sql, List.of()).get(0);
    List<String> out = new ArrayList<>();
    for (Object[] row : r.rows()) {
      out.add(String.join("|", Arrays.stream(row).map(String::valueOf).toList()));
    }
    return out;
  }

  @Test
  void psqlListsOnlyTheTenantsOwnDatabaseSchemaAndRole() {
    assertThat(
            rows(
                shop,
                "SELECT d.datname as \"Name\", pg_catalog.pg_get_userbyid(d.datdba) as \"Owner\","
                    + " pg_catalog.pg_encoding_to_char(d.encoding) as \"Encoding\","
                    + " pg_catalog.array_to_string(d.datacl, E'\\n') AS \"Access privileges\""
                    + " FROM pg_catalog.pg_database d ORDER BY 1"))
        .containsExactly("shop|tb_shop|UTF8|null");
    assertThat(
            rows(
                shop,
                "SELECT n.nspname AS \"Name\", pg_catalog.pg_get_userbyid(n.nspowner) AS \"Owner\""
                    + " FROM pg_catalog.pg_namespace n WHERE n.nspname !~ '^pg_' AND n.nspname <>"
                    + " 'information_schema' ORDER BY 1"))
        .containsExactly("public|tb_shop");
    assertThat(rows(other, "SELECT r.rolname FROM pg_catalog.pg_roles r WHERE r.rolname !~ '^pg_'"))
        .containsExactly("tb_other");
  }

  @Test
  void relationsAreTheTenantsOwnInPublic() {
    String tables =
        "SELECT n.nspname, c.relname, c.relkind FROM pg_catalog.pg_class c LEFT JOIN"
            + " pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'S')"
            + " AND pg_catalog.pg_table_is_visible(c.oid) ORDER BY 2";
    assertThat(rows(shop, tables))
        .containsExactly(
            "public|authors|r",
            "public|authors_id_seq|S",
            "public|books|r",
            "public|books_id_seq|S");
    assertThat(rows(other, tables)).containsExactly("public|secrets|r");
  }

  @Test
  void columnsReadAsPostgresqlDescribesThem() {
    // psql's \d books
    assertThat(
            rows(
                shop,
                "SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), (SELECT"
                    + " pg_catalog.pg_get_expr(d.adbin, d.adrelid, true) FROM"
                    + " pg_catalog.pg_attrdef d WHERE d.adrelid = a.attrelid AND d.adnum ="
                    + " a.attnum AND a.atthasdef), a.attnotnull FROM pg_catalog.pg_attribute a"
                    + " WHERE a.attrelid = 'books'::pg_catalog.regclass AND a.attnum > 0 AND NOT"
                    + " a.attisdropped ORDER BY a.attnum"))
        .containsExactly(
            "id|bigint|nextval('books_id_seq'::regclass)|true",
            "author_id|integer|null|false",
            "title|text|null|false",
            "price|numeric(10,2)|null|false");
  }

  @Test
  void constraintsAndIndexesReadAsPostgresqlWritesThem() {
    // psql's \d books (indexes, foreign keys), SQLAlchemy's and Sequelize's reflection
    String oid = rows(shop, "SELECT 'books'::regclass::oid").get(0);
    assertThat(
            rows(
                shop,
                "SELECT c2.relname, i.indisprimary, i.indisunique,"
                    + " pg_catalog.pg_get_indexdef(i.indexrelid, 0, true) FROM pg_catalog.pg_class"
                    + " c, pg_catalog.pg_class c2, pg_catalog.pg_index i WHERE c.oid = '"
                    + oid
                    + "' AND c.oid = i.indrelid AND i.indexrelid = c2.oid ORDER BY"
                    + " i.indisprimary DESC, c2.relname"))
        .first()
        .isEqualTo(
            "books_pkey|true|true|CREATE UNIQUE INDEX books_pkey ON public.books USING btree (id)");
    assertThat(
            rows(
                shop,
                "SELECT conname, pg_catalog.pg_get_constraintdef(r.oid, true) as condef,"
                    + " conrelid::pg_catalog.regclass AS ontable FROM pg_catalog.pg_constraint r"
                    + " WHERE r.conrelid = '"
                    + oid
                    + "' AND r.contype = 'f' ORDER BY conname"))
        .containsExactly(
            "books_author_id_fkey|FOREIGN KEY (author_id) REFERENCES authors(id)|books");
    assertThat(
            rows(
                shop,
                "SELECT a.attname FROM pg_attribute a JOIN (SELECT unnest(ix.indkey) attnum,"
                    + " generate_subscripts(ix.indkey, 1) ord FROM pg_index ix WHERE ix.indrelid"
                    + " = 'authors'::regclass AND ix.indisunique AND NOT ix.indisprimary) k ON"
                    + " a.attnum = k.attnum WHERE a.attrelid = 'authors'::regclass ORDER BY k.ord"))
        .containsExactly("name");
    // Sequelize reads name[] as PostgreSQL sends it: unparsed text
    assertThat(
            rows(
                shop,
                "SELECT i.relname AS name, ix.indkey AS indkey, array_agg(a.attname) AS"
                    + " column_names FROM pg_class t, pg_class i, pg_index ix, pg_attribute a"
                    + " WHERE t.oid = ix.indrelid AND i.oid = ix.indexrelid AND a.attrelid ="
                    + " t.oid AND a.attnum = ANY(ix.indkey) AND t.relkind = 'r' and t.relname ="
                    + " 'authors' GROUP BY i.relname, ix.indkey ORDER BY i.relname"))
        // (and the layer's automatic index on the referenced column)
        .contains("authors_name_key|2|{name}", "authors_pkey|1|{id}");
  }

  @Test
  void versionAndSchemaKeepPostgresqlsColumnNames() {
    StatementResult r =
        shop.execute("select version(), current_schema(), current_schema", List.of()).get(0);
    assertThat(r.columns())
        .extracting(ResultColumn::name)
        .containsExactly("version", "current_schema", "current_schema");
    assertThat(r.rows().get(0)[0].toString()).startsWith("PostgreSQL 16.0 ");
    assertThat(r.rows().get(0)[1]).isEqualTo("public");
  }

  @Test
  void regexMatchIsUnanchoredAsInPostgresql() {
    assertThat(rows(shop, "SELECT 'pg_catalog' ~ '^pg_', 'xpg_' ~ 'pg_', 'ab' !~ 'b', 'AB' ~* 'b'"))
        .containsExactly("true|true|false|true");
  }
}
