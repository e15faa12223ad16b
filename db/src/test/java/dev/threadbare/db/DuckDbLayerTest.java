package dev.threadbare.db;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import org.junit.jupiter.api.io.TempDir;

/** The layer contract on DuckDB files in a temporary directory. */
class DuckDbLayerTest extends LayerContract {
  @TempDir Path dir;
  private int layers;

  @Override
  DbLayer newLayer(DbOptions options) {
    return DbLayer.duckDb(dir.resolve("data" + layers++), options);
  }

  @Override
  Connection scratchConnection() throws Exception {
    return DriverManager.getConnection("jdbc:duckdb:" + dir.resolve("scratch.duckdb"));
  }

  @Override
  String slowQuery() {
    return "SELECT count(*) FROM range(100000000000) r1";
  }

  @Override
  boolean duckDb() {
    return true;
  }
}
