package dev.threadbare.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one-writer lock within one process (two processes: {@code cli.OneWriterTest}): a second
 * writer is refused naming the first, the lock comes back when released, and a directory opened
 * without it neither catches up nor rebuilds while another holds it.
 */
class DataDirLockTest {

  @TempDir Path dir;

  @Test
  void aSecondWriterIsRefusedNamingTheFirstUntilItIsReleased() {
    Path data = dir.resolve("data");
    DataDirLock first = DataDirLock.acquire(data, "threadbare serve");

    assertThat(DataDirLock.holder(data))
        .hasValueSatisfying(
            h ->
                assertThat(h)
                    .startsWith("`threadbare serve` (pid " + ProcessHandle.current().pid()));
    assertThatThrownBy(() -> DataDirLock.acquire(data, "threadbare rebuild"))
        .isInstanceOf(DataDir.DataDirException.class)
        .hasMessageContaining("data directory " + data + " is in use by `threadbare serve` (pid ")
        .hasMessageContaining("read-only commands (tree, show, log, export-git) work beside it");
    assertThat(DataDirLock.tryAcquire(data, "threadbare ingest")).isEmpty();
    assertThat(DataDirLock.holder(dir.resolve("other"))).isEmpty();

    first.close();
    first.close(); // idempotent
    assertThat(DataDirLock.holder(data)).isEmpty();
    try (DataDirLock second = DataDirLock.acquire(data, "threadbare rebuild")) {
      assertThat(DataDirLock.holder(data))
          .hasValueSatisfying(h -> assertThat(h).contains("rebuild"));
    }
  }

  @Test
  void aDirectoryOpenedWithoutTheLockDoesNotRebuildWhileAWriterHoldsIt() {
    Path data = dir.resolve("data");
    try (DataDir writer = DataDir.openForWriting(data, null, "threadbare serve");
        DataDir reader = DataDir.open(data, null)) {
      assertThatThrownBy(reader::rebuild)
          .isInstanceOf(DataDir.DataDirException.class)
          .hasMessageContaining("is in use by `threadbare serve`");
      assertThat(writer.rebuild()).isZero();
      assertThatThrownBy(() -> DataDir.openForWriting(data, null, "threadbare ingest"))
          .hasMessageContaining("is in use by `threadbare serve`");
    }
    try (DataDir again = DataDir.openForWriting(data, null, "threadbare ingest")) {
      assertThat(again.directory()).isEqualTo(data);
    }
  }
}
