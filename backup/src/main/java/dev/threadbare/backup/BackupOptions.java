package dev.threadbare.backup;

import java.util.Map;
import java.util.Objects;

/**
 * What a backup carries besides the journal.
 *
 * @param withSecrets whether secrets go in: the data directory's secret files ({@code secretFiles})
 *     and the file-access tokens Slack puts in {@code url_private} links; without it those links
 *     are redacted and no secret file is written
 * @param secretFiles file name (in the data directory) to content, written under {@code
 *     threadbare/secrets/} when {@code withSecrets}
 */
public record BackupOptions(boolean withSecrets, Map<String, byte[]> secretFiles) {

  public BackupOptions {
    Objects.requireNonNull(secretFiles, "secretFiles");
    if (!withSecrets && !secretFiles.isEmpty()) {
      throw new IllegalArgumentException(
          "secretFiles " + secretFiles.keySet() + " given without withSecrets: pass withSecrets");
    }
    secretFiles = Map.copyOf(secretFiles);
  }

  /** A backup without secrets. */
  public static BackupOptions withoutSecrets() {
    return new BackupOptions(false, Map.of());
  }
}
