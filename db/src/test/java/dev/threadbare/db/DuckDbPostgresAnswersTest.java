package dev.threadbare.db;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** PostgreSQL's answers on DuckDB. */
class DuckDbPostgresAnswersTest extends PostgresAnswersContract {
  @TempDir Path dir;

  @Override
  DbLayer newLayer() {
    return DbLayer.duckDb(dir.resolve("data"), DbOptions.defaults());
  }
}
