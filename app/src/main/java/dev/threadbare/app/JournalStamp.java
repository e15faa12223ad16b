package dev.threadbare.app;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;

/**
 * What an SQLite journal's files look like on disk ({@code journal.db} and its write-ahead log
 * {@code journal.db-wal}: size, modification time, inode, and the log's header), so that a
 * read-only command can tell, by a few {@code stat} calls, that the journal has not changed since
 * the git store was last found up to date with it, and skip opening it (issue 17: the CLI starts at
 * once).
 *
 * <p>Why it is enough: every SQLite commit in WAL mode either appends frames to the log (its size
 * grows) or restarts the log (its header's salt changes), and a checkpoint writes the database file
 * (its modification time changes). A stamp is only {@linkplain #settled trusted} when the files'
 * modification times are older than the coarsest file-system clock tick, so a later write cannot
 * leave the same time behind. Immutable.
 *
 * @param text the stamp's text, one line per file
 * @param newest the newest modification time among the files
 */
record JournalStamp(String text, Instant newest) {

  /** How old the newest change must be before a stamp is trusted (coarse file-system clocks). */
  static final Duration SETTLED = Duration.ofSeconds(3);

  private static final int WAL_HEADER = 32;

  /** The stamp of the SQLite journal {@code file} (and its {@code -wal}) as they are now. */
  static JournalStamp of(Path file) throws IOException {
    StringBuilder text = new StringBuilder();
    Instant newest = Instant.EPOCH;
    for (Path part : new Path[] {file, file.resolveSibling(file.getFileName() + "-wal")}) {
      BasicFileAttributes attributes;
      try {
        attributes = Files.readAttributes(part, BasicFileAttributes.class);
      } catch (NoSuchFileException e) {
        text.append(part.getFileName()).append(" absent\n");
        continue;
      }
      Instant modified = attributes.lastModifiedTime().toInstant();
      if (modified.isAfter(newest)) {
        newest = modified;
      }
      text.append(part.getFileName())
          .append(' ')
          .append(attributes.size())
          .append(' ')
          .append(modified)
          .append(' ')
          .append(attributes.fileKey());
      if (part != file) {
        byte[] header = new byte[WAL_HEADER];
        int read;
        try (InputStream in = Files.newInputStream(part)) {
          read = in.readNBytes(header, 0, WAL_HEADER);
        } catch (NoSuchFileException e) {
          read = 0;
        }
        text.append(' ').append(HexFormat.of().formatHex(header, 0, read));
      }
      text.append('\n');
    }
    return new JournalStamp(text.toString(), newest);
  }

  /** Whether the newest change is older than {@link #SETTLED} at {@code now}. */
  boolean settled(Instant now) {
    return newest.plus(SETTLED).isBefore(now);
  }

  /** The stamp stored in {@code stampFile}, or empty. */
  static Optional<String> read(Path stampFile) {
    try {
      return Optional.of(Files.readString(stampFile));
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
