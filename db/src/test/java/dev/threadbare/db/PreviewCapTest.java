package dev.threadbare.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A preview's own cap ({@code [db] preview_limit} of the deployment that owns it), on DuckDB. */
class PreviewCapTest {

  @TempDir Path dir;

  @Test
  void aPreviewsOwnCapReplacesTheDefaultForThatDatabaseOnly() {
    try (DbLayer layer = DbLayer.duckDb(dir, DbOptions.defaults())) {
      Credentials small = layer.addCredentials("small", "v1");
      Credentials other = layer.addCredentials("other", "v1");
      layer.capPreview("small", 2L * 1024 * 1024);
      String blob = randomText(100_000);
      int stored = 0;
      DbException full = null;
      try (SqlSession s = layer.open(small.user(), "small")) {
        for (int i = 0; i < 200 && full == null; i++) {
          try {
            s.execute("INSERT INTO blobs (n, body) VALUES ($1, $2)", List.of(i, blob + i));
            stored++;
          } catch (DbException e) {
            full = e;
          }
        }
        assertThat(full).isNotNull();
        assertThat(full.sqlState()).isEqualTo("53100");
        assertThat(full.getMessage())
            .contains("small")
            .contains("size limit of 2097152 bytes")
            .contains("nothing stored was lost");
        Object count = s.execute("SELECT count(n) FROM blobs", List.of()).get(0).rows().get(0)[0];
        assertThat(((Number) count).longValue()).isEqualTo(stored);
      }
      // The default cap (64 MB) still holds for another preview: it takes what "small" refused.
      try (SqlSession s = layer.open(other.user(), "other")) {
        for (int i = 0; i <= stored + 5; i++) {
          s.execute("INSERT INTO blobs (n, body) VALUES ($1, $2)", List.of(i, blob + i));
        }
      }
      assertThatThrownBy(() -> layer.capPreview("prod", 1024))
          .isInstanceOf(DbException.class)
          .hasMessageContaining("uncapped");
    }
  }

  private static String randomText(int length) {
    Random random = new Random(7);
    StringBuilder text = new StringBuilder();
    while (text.length() < length) {
      text.append(Long.toString(random.nextLong(), 36));
    }
    return text.toString();
  }
}
