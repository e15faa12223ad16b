package dev.threadbare.backup;

import dev.threadbare.core.journal.Journal;
import dev.threadbare.core.journal.JournalEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Chat backups in Slack's export format: the entry point of this module.
 *
 * <p>A backup is a zip in the layout of the export a Slack workspace admin downloads, so any tool
 * that reads Slack exports reads it:
 *
 * <ul>
 *   <li>{@code channels.json}, {@code users.json}: one element per channel / user, its latest
 *       description as the journal saw it;
 *   <li>{@code <channel name>/<YYYY-MM-DD>.json} (days in UTC): one element per message, its
 *       current version (greatest {@code edited.ts}), its reactions as {@code [{name, users,
 *       count}]}, a {@code tombstone} when deleted;
 *   <li>{@code __uploads/<file id>/<name>}: the bytes of each downloaded file (the layout slackdump
 *       uses for exports with files);
 *   <li>{@code threadbare.json}: format, the journal position of the cut, counts, whether secrets
 *       are in it;
 *   <li>{@code threadbare/secrets/}: only with {@link BackupOptions#withSecrets()}.
 * </ul>
 *
 * <p>Every element also carries a {@code threadbare} array: the journal entries about it (every
 * version, deletion, reaction, file content, profile, channel name) with seq, kind, version, event
 * time and the verbatim payload. {@link #read} appends exactly those in seq order, so replaying the
 * restored journal gives the original commit ids. An export from Slack has no such arrays and is
 * read from its messages instead.
 *
 * <p>Both directions hold little in memory whatever the journal's size: the facts about messages
 * are sorted on disk (an external merge sort, {@link SpilledFacts}) and the zip is written and read
 * one entry, one element at a time.
 *
 * <p>Stateless; each call opens and closes its own files.
 */
public final class Backups {
  private Backups() {}

  /**
   * Writes a consistent cut of {@code journal} (every entry up to its last seq when the call
   * starts) to {@code out}, replacing it atomically; writers may keep appending meanwhile.
   *
   * @throws UnknownEntryKindException when the journal holds a kind the exporter cannot place
   * @throws BackupException when the zip cannot be written
   */
  public static BackupSummary write(Journal journal, Path out, BackupOptions options) {
    Objects.requireNonNull(journal, "journal");
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(options, "options");
    return new ExportWriter(ExportWriter.KNOWN, options).write(journal, out);
  }

  /**
   * Reads the export {@code zip}, ours or Slack's, into the journal entries to append in order, all
   * in memory: for tests and small exports; a restore streams with {@link #open}.
   *
   * @param team the workspace id for a Slack export (null: the {@code team_id} of its users); our
   *     backups carry their own
   * @throws BadExportException naming the zip entry that cannot be read
   */
  public static Restoration read(Path zip, String team) {
    Objects.requireNonNull(zip, "zip");
    Path scratch;
    try {
      scratch = Files.createTempDirectory("threadbare-restore-").resolve("facts");
    } catch (IOException e) {
      throw new BackupException("cannot make a scratch folder: " + e.getMessage(), e);
    }
    try (OpenedExport export = open(zip, team, scratch)) {
      List<JournalEntry> entries = new ArrayList<>();
      export.forEachEntry(entries::add);
      return new Restoration(
          export.fromThreadbare(), entries, export.notRestorable(), export.secretFiles());
    } finally {
      try {
        Files.deleteIfExists(scratch.getParent());
      } catch (IOException e) {
        // An empty temporary folder left behind.
      }
    }
  }

  /**
   * Opens the export {@code zip}, ours or Slack's, for a restore that holds little in memory: our
   * backup's facts are read one zip entry and one element at a time, sorted into journal order in
   * {@code scratch} (a folder that must not exist yet, made owner-only and deleted on close), and
   * checked whole (every seq once, the count the manifest announces) before this returns. A Slack
   * export is read into memory.
   *
   * @param team as for {@link #read}
   * @throws BadExportException naming the zip entry that cannot be read, before any entry is handed
   *     out
   */
  public static OpenedExport open(Path zip, String team, Path scratch) {
    Objects.requireNonNull(zip, "zip");
    Objects.requireNonNull(scratch, "scratch");
    return ExportReader.open(zip, team, scratch, SpilledFacts.DEFAULT_BUDGET);
  }
}
