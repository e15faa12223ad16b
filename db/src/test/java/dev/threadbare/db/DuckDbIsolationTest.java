package dev.threadbare.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.threadbare.db.internal.DuckDbEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The escape attempts on DuckDB, and DuckDB's own lockdown behind the layer's rules. */
class DuckDbIsolationTest extends IsolationContract {
  @TempDir Path dir;
  private int layers;

  @Override
  DbLayer newLayer(DbOptions options) {
    return DbLayer.duckDb(dir.resolve(layers++ == 0 ? "data" : "data" + layers), options);
  }

  @Override
  Path secretsDir() {
    return dir.resolve("data");
  }

  @Override
  String slowQuery() {
    return "SELECT count(*) AS n FROM range(100000000000) r1";
  }

  /** The engine refuses what the rules refuse, for any statement the rules might miss. */
  @Test
  void theEngineItselfReachesNoFileAndKeepsItsConfiguration() throws Exception {
    Files.writeString(dir.resolve("secret.txt"), "token");
    try (DuckDbEngine engine = new DuckDbEngine(dir.resolve("raw"))) {
      engine.ensureDatabase("a");
      engine.ensureDatabase("b");
      try (Connection c = engine.connect("a")) {
        for (String escape :
            List.of(
                "SELECT content FROM read_text('" + dir.resolve("secret.txt") + "')",
                "SELECT content FROM read_blob('" + dir.resolve("raw/catalog.sqlite") + "')",
                "SELECT file FROM glob('" + dir + "/*')",
                "SELECT count(*) FROM '" + dir.resolve("secret.txt") + "'",
                "ATTACH '" + dir.resolve("raw/db/b.duckdb") + "' AS b",
                "COPY (SELECT 1 AS x) TO '" + dir.resolve("out.csv") + "'",
                "SET log_query_path = '" + dir.resolve("q.log") + "'",
                "SET enable_external_access = true",
                "SET threads = 1",
                "INSTALL httpfs")) {
          try (Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.execute(escape)).as(escape).isInstanceOf(SQLException.class);
          }
        }
        try (Statement s = c.createStatement();
            ResultSet rs = s.executeQuery("SELECT current_setting('threads') AS t")) {
          rs.next();
          assertThat(rs.getInt(1)).isGreaterThan(0);
        }
      }
    }
    assertThat(dir.resolve("out.csv")).doesNotExist();
    assertThat(dir.resolve("q.log")).doesNotExist();
  }

  @Test
  void aSetInOneSessionDoesNotChangeAnotherSession() throws Exception {
    try (SqlSession other = layer.open(creds.user(), "prod")) {
      assertThat(failure(() -> session.execute("SET threads = 1", List.of())).sqlState())
          .isEqualTo("42501");
      assertThat(other.execute("SELECT current_setting('threads') AS t", List.of()).get(0).rows())
          .hasSize(1);
    }
  }
}
