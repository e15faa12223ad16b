package dev.threadbare.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DbLayer#backup} while writers commit rows on four threads, then {@link DbLayer#restore}
 * into a new layer: every row committed before the backup began is there, nothing that was never
 * committed is, and the catalog (columns, the versions that made them, reads) comes back. On DuckDB
 * and on the embedded PostgreSQL.
 */
class DatabaseBackupTest {

  @TempDir Path dir;

  @Test
  void duckDbBackupTakenDuringWritesRestoresEveryCommittedRow() throws Exception {
    roundTrip(
        () -> DbLayer.duckDb(dir.resolve("original")),
        () -> DbLayer.duckDb(dir.resolve("restored")));
  }

  @Test
  void postgresBackupTakenDuringWritesRestoresEveryCommittedRow() throws Exception {
    roundTrip(
        () -> DbLayer.postgres(SharedPostgres.freshServer(), DbOptions.defaults()),
        () -> DbLayer.postgres(SharedPostgres.freshServer(), DbOptions.defaults()));
  }

  private void roundTrip(Supplier<DbLayer> original, Supplier<DbLayer> target) throws Exception {
    Path backup = dir.resolve("prod.zip");
    Set<Long> committedBefore;
    Set<Long> committedAfter;
    CatalogDescription described;
    DbLayer.BackupSummary taken;
    try (DbLayer layer = original.get()) {
      Credentials v1 = layer.addCredentials("prod", "v1");
      try (SqlSession s = layer.open(v1.user(), "prod")) {
        s.execute(
            "INSERT INTO orders (id, note, paid, amount) VALUES (0, 'n0', true, 0.5)", List.of());
        s.execute("SELECT note FROM orders WHERE id = 0", List.of());
      }
      Set<Long> committed = new ConcurrentSkipListSet<>();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger next = new AtomicInteger(1);
      List<Throwable> failures = new CopyOnWriteArrayList<>();
      List<Thread> writers = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        Thread writer =
            new Thread(
                () -> {
                  try (SqlSession s = layer.open(v1.user(), "prod")) {
                    while (!stop.get()) {
                      long id = next.getAndIncrement();
                      s.execute(
                          "INSERT INTO orders (id, note, paid, amount) VALUES ($1, $2, $3, $4)",
                          List.of(id, "n" + id, id % 2 == 0, id + 0.25));
                      committed.add(id); // execute returned: committed (autocommit)
                    }
                  } catch (Throwable e) {
                    failures.add(e);
                  }
                });
        writer.start();
        writers.add(writer);
      }
      awaitSize(committed, 200);
      committedBefore = new TreeSet<>(committed);
      taken = layer.backup("prod", backup);
      committedAfter = new TreeSet<>(committed);
      awaitSize(committed, committedAfter.size() + 50); // writes went on after the backup
      stop.set(true);
      for (Thread writer : writers) {
        writer.join();
      }
      assertThat(failures).isEmpty();
      described = layer.describe("prod");
    }
    assertThat(taken.tables()).isEqualTo(1);
    assertThat(Files.size(backup)).isEqualTo(taken.bytes());

    try (DbLayer layer = target.get()) {
      DbLayer.BackupSummary restored = layer.restore("prod", backup);
      assertThat(restored.rows()).isEqualTo(taken.rows());
      Credentials v2 = layer.addCredentials("prod", "v2");
      Set<Long> ids = new TreeSet<>();
      try (SqlSession s = layer.open(v2.user(), "prod")) {
        for (Object[] row :
            s.execute("SELECT id, note, paid, amount FROM orders", List.of()).get(0).rows()) {
          long id = ((Number) row[0]).longValue();
          ids.add(id);
          assertThat(row[1]).isEqualTo("n" + id);
          assertThat(row[2]).isEqualTo(id % 2 == 0);
          assertThat(((Number) row[3]).doubleValue()).isEqualTo(id == 0 ? 0.5 : id + 0.25);
        }
      }
      ids.remove(0L);
      assertThat(ids).as("rows committed before the backup began").containsAll(committedBefore);
      assertThat(committedAfter).as("every restored row was committed").containsAll(ids);
      assertThat(ids).hasSize((int) taken.rows() - 1);
      assertThat(layer.describe("prod").tables())
          .as("the catalog: columns, the versions that made them, reads")
          .isEqualTo(described.tables());
      assertThatThrownBy(() -> layer.restore("prod", backup))
          .isInstanceOf(DbException.class)
          .hasMessageContaining("\"prod\" exists");
    }
  }

  private static void awaitSize(Set<Long> set, int size) throws InterruptedException {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (set.size() < size) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("writers did not reach " + size + " rows in 120 s");
      }
      Thread.sleep(5);
    }
  }
}
