package dev.threadbare.backup;

import dev.threadbare.core.journal.JournalEntry;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An export read back: the journal entries to append, in order, and what could not be restored.
 *
 * @param fromThreadbare whether the zip is a threadbare backup (restored exactly) rather than an
 *     export a Slack admin downloaded
 * @param entries the entries in journal order (for our backups, the original seq order)
 * @param notRestorable files whose content the export does not carry
 * @param secretFiles the secret files a backup taken with secrets carries (file name to content)
 */
public record Restoration(
    boolean fromThreadbare,
    List<JournalEntry> entries,
    List<NotRestorable> notRestorable,
    Map<String, byte[]> secretFiles) {

  public Restoration {
    entries = List.copyOf(Objects.requireNonNull(entries, "entries"));
    notRestorable = List.copyOf(Objects.requireNonNull(notRestorable, "notRestorable"));
    secretFiles = Map.copyOf(Objects.requireNonNull(secretFiles, "secretFiles"));
  }
}
