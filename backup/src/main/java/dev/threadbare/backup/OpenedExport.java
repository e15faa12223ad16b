package dev.threadbare.backup;

import dev.threadbare.core.journal.JournalEntry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * An export opened for restoring, its entries streamed rather than held: a threadbare backup of any
 * size is read one fact at a time, sorted into journal order on disk (see {@link Backups#open}),
 * and checked whole before the first entry is handed out. Not thread safe; close it to release the
 * zip and the scratch files.
 */
public final class OpenedExport implements AutoCloseable {

  /** The entries in journal order, as often as asked. */
  interface Source {
    void forEach(Consumer<JournalEntry> sink) throws IOException;
  }

  private final boolean fromThreadbare;
  private final long entryCount;
  private final List<NotRestorable> notRestorable;
  private final Map<String, byte[]> secretFiles;
  private final Source source;
  private final AutoCloseable resources;

  OpenedExport(
      boolean fromThreadbare,
      long entryCount,
      List<NotRestorable> notRestorable,
      Map<String, byte[]> secretFiles,
      Source source,
      AutoCloseable resources) {
    this.fromThreadbare = fromThreadbare;
    this.entryCount = entryCount;
    this.notRestorable = List.copyOf(notRestorable);
    this.secretFiles = Map.copyOf(secretFiles);
    this.source = source;
    this.resources = resources;
  }

  /** Whether the zip is a threadbare backup (restored exactly) rather than Slack's export. */
  public boolean fromThreadbare() {
    return fromThreadbare;
  }

  /** How many entries {@link #forEachEntry} hands out. */
  public long entryCount() {
    return entryCount;
  }

  /** Files whose content the export does not carry. */
  public List<NotRestorable> notRestorable() {
    return notRestorable;
  }

  /** The secret files a backup taken with secrets carries (file name to content). */
  public Map<String, byte[]> secretFiles() {
    return secretFiles;
  }

  /**
   * Hands every entry to {@code sink} in journal order (for our backups, the original seq order),
   * one at a time.
   *
   * @throws BadExportException when the zip cannot be read any more
   */
  public void forEachEntry(Consumer<JournalEntry> sink) {
    Objects.requireNonNull(sink, "sink");
    try {
      source.forEach(sink);
    } catch (IOException | UncheckedIOException e) {
      Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
      throw new BadExportException("cannot read the export: " + cause.getMessage(), cause);
    }
  }

  @Override
  public void close() {
    try {
      resources.close();
    } catch (Exception e) {
      // Closing a zip and deleting scratch files: nothing to do about a failure here.
    }
  }
}
