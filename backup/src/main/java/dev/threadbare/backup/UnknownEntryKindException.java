package dev.threadbare.backup;

import dev.threadbare.core.journal.EntryKind;

/**
 * The journal holds an entry of a kind the exporter does not know how to write: the backup is
 * refused rather than written without it (a backup that silently drops facts would restore
 * different repositories).
 */
public final class UnknownEntryKindException extends BackupException {
  private static final long serialVersionUID = 1L;

  UnknownEntryKindException(EntryKind kind, long seq) {
    super(
        "journal entry seq "
            + seq
            + " is of kind "
            + kind
            + ", which the Slack-format exporter does not know: teach"
            + " dev.threadbare.backup.ExportWriter where it goes before taking backups");
  }
}
