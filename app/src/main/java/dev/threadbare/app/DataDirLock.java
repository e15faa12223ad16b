package dev.threadbare.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The one-writer lock of a data directory: an operating-system lock on {@code DIR/threadbare.lock}
 * held by the process that writes the journal and the git store ({@code serve}, {@code ingest},
 * {@code rebuild}, {@code db serve}). The file names the holder (pid, command, since when), so a
 * second writer is refused at once with a message saying who holds it. The operating system drops
 * the lock when the holder exits, however it exits, so a crash leaves nothing to clean up.
 *
 * <p>Read-only commands take no lock; admin commands that write only their own SQLite tables
 * ({@code workspace}, {@code git} tokens, {@code db add-credentials}) rely on SQLite's locking and
 * work beside a running {@code serve}.
 *
 * <p>A lock is held by one {@link DataDirLock} in a process: POSIX locks belong to the process, and
 * closing any other descriptor of the file would drop them, so this class never opens the file of a
 * directory it already holds. Thread safe; {@link #close()} releases the lock.
 */
public final class DataDirLock implements AutoCloseable {

  /** The lock file's name in the data directory. */
  public static final String FILE = "threadbare.lock";

  /** The locks this process holds, by real directory path. Guarded by the class. */
  private static final Map<Path, DataDirLock> HELD = new HashMap<>();

  private final Path directory;
  private final FileChannel channel;
  private final FileLock lock;
  private final String holder;

  private DataDirLock(Path directory, FileChannel channel, FileLock lock, String holder) {
    this.directory = directory;
    this.channel = channel;
    this.lock = lock;
    this.holder = holder;
  }

  /**
   * Takes the lock of {@code directory} (created if missing) for {@code command}, such as {@code
   * "threadbare serve"}.
   *
   * @throws DataDir.DataDirException when another process (or another part of this one) holds it;
   *     the message names the holder
   */
  public static DataDirLock acquire(Path directory, String command) {
    synchronized (DataDirLock.class) {
      return tryAcquire(directory, command)
          .orElseThrow(
              () ->
                  new DataDir.DataDirException(
                      "data directory "
                          + directory
                          + " is in use by "
                          + holder(directory).orElse("another process (it did not say which)")
                          + ": only one process may write it. Stop that one first; read-only"
                          + " commands (tree, show, log, export-git) work beside it."));
    }
  }

  /** Takes the lock of {@code directory} for {@code command}, or is empty when it is held. */
  public static Optional<DataDirLock> tryAcquire(Path directory, String command) {
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(command, "command");
    synchronized (DataDirLock.class) {
      Path key = realDirectory(directory);
      if (HELD.containsKey(key)) {
        return Optional.empty();
      }
      FileChannel channel = null;
      try {
        channel =
            FileChannel.open(
                key.resolve(FILE),
                StandardOpenOption.CREATE,
                StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
          lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
          lock = null;
        }
        if (lock == null) {
          channel.close();
          return Optional.empty();
        }
        String holder =
            "`"
                + command
                + "` (pid "
                + ProcessHandle.current().pid()
                + ", since "
                + Instant.now().truncatedTo(ChronoUnit.SECONDS)
                + ")";
        channel.truncate(0);
        channel.write(ByteBuffer.wrap((holder + "\n").getBytes(StandardCharsets.UTF_8)), 0);
        channel.force(false);
        DataDirLock held = new DataDirLock(key, channel, lock, holder);
        HELD.put(key, held);
        return Optional.of(held);
      } catch (IOException e) {
        if (channel != null) {
          try {
            channel.close();
          } catch (IOException suppressed) {
            e.addSuppressed(suppressed);
          }
        }
        throw new UncheckedIOException(
            "cannot lock the data directory " + directory + ": " + e.getMessage(), e);
      }
    }
  }

  /**
   * Who holds the lock of {@code directory}, such as {@code `threadbare serve` (pid 4242, since
   * 2026-12-07T20:41:07Z)}, or empty when nobody does.
   */
  public static Optional<String> holder(Path directory) {
    synchronized (DataDirLock.class) {
      Path key = realDirectory(directory);
      DataDirLock mine = HELD.get(key);
      if (mine != null) {
        return Optional.of(mine.holder + " in this process");
      }
      Path file = key.resolve(FILE);
      if (!Files.exists(file)) {
        return Optional.empty();
      }
      // Not held here, so opening (and closing) the file drops no lock of ours.
      try (FileChannel probe =
          FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
        FileLock free;
        try {
          free = probe.tryLock();
        } catch (OverlappingFileLockException e) {
          free = null;
        }
        if (free != null) {
          free.release();
          return Optional.empty();
        }
        String text = Files.readString(file, StandardCharsets.UTF_8).strip();
        return Optional.of(text.isEmpty() ? "another process (starting up)" : text);
      } catch (IOException e) {
        return Optional.of("another process (" + file + " unreadable: " + e.getMessage() + ")");
      }
    }
  }

  /** Whether this process holds the lock of {@code directory}. */
  static boolean heldHere(Path directory) {
    synchronized (DataDirLock.class) {
      return HELD.containsKey(realDirectory(directory));
    }
  }

  private static Path realDirectory(Path directory) {
    try {
      Files.createDirectories(directory);
      return directory.toRealPath();
    } catch (IOException e) {
      throw new DataDir.DataDirException(
          "cannot create the data directory " + directory + ": " + e.getMessage());
    }
  }

  /** The directory this lock holds. */
  public Path directory() {
    return directory;
  }

  /** Releases the lock; idempotent. */
  @Override
  public void close() {
    synchronized (DataDirLock.class) {
      if (HELD.get(directory) != this) {
        return;
      }
      HELD.remove(directory);
      try {
        lock.release();
        channel.close();
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot release the lock of " + directory + ": " + e.getMessage(), e);
      }
    }
  }

  @Override
  public String toString() {
    return "DataDirLock[" + directory + " by " + holder + "]";
  }
}
