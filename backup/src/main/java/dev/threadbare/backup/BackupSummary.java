package dev.threadbare.backup;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * What one backup wrote.
 *
 * @param file the zip
 * @param lastSeq the journal position of the cut: every entry up to it, none after
 * @param entries journal entries written
 * @param messages distinct messages (a message with several versions counts once)
 * @param channels channels written
 * @param bytes the zip's size
 * @param took how long it took
 * @param withSecrets whether secrets are in it
 */
public record BackupSummary(
    Path file,
    long lastSeq,
    long entries,
    long messages,
    int channels,
    long bytes,
    Duration took,
    boolean withSecrets) {

  public BackupSummary {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(took, "took");
  }
}
