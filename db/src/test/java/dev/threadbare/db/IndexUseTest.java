package dev.threadbare.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The index the layer builds for a filtered column is the one the engine's plan uses, on both
 * engines (issue 10: on DuckDB the plan of {@code id = 5} over 10k rows showed a sequential scan).
 * DuckDB picks an ART index scan when the scan starts, so its plan is read with {@code EXPLAIN
 * ANALYZE}; PostgreSQL's {@code EXPLAIN} names the index.
 */
class IndexUseTest {
  @TempDir Path dir;

  private static String plan(SqlSession session, String explain, Object... params) {
    List<String> lines = new ArrayList<>();
    for (Object[] row : session.execute(explain, Arrays.asList(params)).get(0).rows()) {
      lines.add(Arrays.stream(row).map(String::valueOf).collect(Collectors.joining(" ")));
    }
    return String.join("\n", lines);
  }

  private static String autoIndex(DbLayer layer) {
    return layer.describe("prod").toString();
  }

  private static void fill(SqlSession session) {
    session.execute("CREATE TABLE items (id bigint, name text)", List.of());
    session.execute(
        "INSERT INTO items (id, name) SELECT g, 'item ' || g FROM generate_series(1, 10000) AS t(g)",
        List.of());
  }

  @Test
  void duckDbScansTheLayersIndexForAKeyLookup() {
    try (DbLayer layer = DbLayer.duckDb(dir)) {
      Credentials creds = layer.addCredentials("prod", "v1");
      try (SqlSession session = layer.open(creds.user(), "prod")) {
        fill(session);
        String before = plan(session, "EXPLAIN ANALYZE SELECT name FROM items WHERE id = 5");
        assertThat(before).contains("Sequential Scan").doesNotContain("Index Scan");
        // the first query that filters on id asks for the index, built in the background
        session.execute("SELECT name FROM items WHERE id = 5", List.of());
        layer.awaitBackgroundWork();
        assertThat(autoIndex(layer)).contains("tb_auto_items_id");
        String literal = plan(session, "EXPLAIN ANALYZE SELECT name FROM items WHERE id = 5");
        assertThat(literal).contains("Index Scan");
        String parameter =
            plan(session, "EXPLAIN ANALYZE SELECT name FROM items WHERE id = $1", 5L);
        assertThat(parameter).contains("Index Scan");
        assertThat(
                session.execute("SELECT name FROM items WHERE id = $1", List.of(5L)).get(0).rows())
            .hasSize(1);
      }
    }
  }

  @Test
  void postgresUsesTheLayersIndexForAKeyLookup() {
    try (DbLayer layer = DbLayer.postgres(SharedPostgres.freshServer(), DbOptions.defaults())) {
      Credentials creds = layer.addCredentials("prod", "v1");
      try (SqlSession session = layer.open(creds.user(), "prod")) {
        fill(session);
        session.execute("ANALYZE items", List.of());
        String before = plan(session, "EXPLAIN SELECT name FROM items WHERE id = 5");
        assertThat(before).contains("Seq Scan");
        session.execute("SELECT name FROM items WHERE id = 5", List.of());
        layer.awaitBackgroundWork();
        String after = plan(session, "EXPLAIN SELECT name FROM items WHERE id = 5");
        assertThat(after).containsPattern("Index (Only )?Scan using tb_auto_items_id_[0-9a-f]{8}");
        String parameter = plan(session, "EXPLAIN SELECT name FROM items WHERE id = $1", 5L);
        assertThat(parameter).containsPattern("Index (Only )?Scan using tb_auto_items_id_");
      }
    }
  }
}
