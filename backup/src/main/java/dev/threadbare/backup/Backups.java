package dev.threadbare.backup;

import dev.threadbare.core.journal.Journal;
import java.nio.file.Path;
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
   * Reads the export {@code zip}, ours or Slack's, into the journal entries to append in order.
   *
   * @param team the workspace id for a Slack export (null: the {@code team_id} of its users); our
   *     backups carry their own
   * @throws BadExportException naming the zip entry that cannot be read
   */
  public static Restoration read(Path zip, String team) {
    Objects.requireNonNull(zip, "zip");
    return ExportReader.read(zip, team);
  }
}
