package dev.threadbare.materializer;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The git store's writer lock: an operating-system lock on {@code STORE/.writer.lock}, held by the
 * materializer that owns the store for as long as it is open. The operating system releases it when
 * the process dies, even by SIGKILL, so whoever takes it next knows that every git {@code *.lock}
 * file left in the store (a ref update cut short) is stale, and removes it; without that, the next
 * ref update of that branch would fail with {@code LOCK_FAILURE} for ever.
 *
 * <p>A materializer that cannot take the lock (another process owns the store) works as before and
 * removes nothing. Not thread safe; one per materializer.
 */
final class WriterLock implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(WriterLock.class);
  static final String FILE = ".writer.lock";

  private final FileChannel channel;
  private final FileLock lock;

  private WriterLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock on {@code store} if no other process holds it, and then removes stale git lock
   * files; returns a held or an empty (not owning) lock.
   */
  static WriterLock acquire(Path store) {
    FileChannel channel = null;
    try {
      channel =
          FileChannel.open(
              store.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null; // another materializer of this JVM owns the store
      }
      if (lock == null) {
        channel.close();
        return new WriterLock(null, null);
      }
      removeStaleGitLocks(store);
      return new WriterLock(channel, lock);
    } catch (IOException e) {
      if (channel != null) {
        try {
          channel.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw new GitStoreException(
          "cannot take the writer lock of the git store " + store + ": " + e, e);
    }
  }

  /** Whether this materializer owns the store. */
  boolean held() {
    return lock != null;
  }

  /** The git lock files under each repository's {@code refs/}, and its top-level ones. */
  static List<Path> staleGitLocks(Path store) throws IOException {
    List<Path> locks = new ArrayList<>();
    try (Stream<Path> repos = Files.list(store)) {
      for (Path repo : repos.filter(p -> p.getFileName().toString().endsWith(".git")).toList()) {
        for (String name : List.of("packed-refs.lock", "HEAD.lock", "config.lock")) {
          if (Files.exists(repo.resolve(name))) {
            locks.add(repo.resolve(name));
          }
        }
        Path refs = repo.resolve("refs");
        if (Files.isDirectory(refs)) {
          try (Stream<Path> walk = Files.walk(refs)) {
            walk.filter(p -> p.getFileName().toString().endsWith(".lock"))
                .filter(Files::isRegularFile)
                .forEach(locks::add);
          }
        }
      }
    }
    return locks;
  }

  private static void removeStaleGitLocks(Path store) throws IOException {
    for (Path stale : staleGitLocks(store)) {
      LOG.warn(
          "removing {}: a git lock left by a threadbare process that stopped mid-update", stale);
      Files.deleteIfExists(stale);
    }
  }

  @Override
  public void close() {
    if (channel == null) {
      return;
    }
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      throw new GitStoreException("cannot release the git store's writer lock: " + e, e);
    }
  }
}
