package dev.threadbare.gitimport;

import java.util.Objects;

/**
 * A file of the source that the import did not post, or posted not quite as it is, and why: a
 * binary, a symlink, a submodule, a path the grammar refuses, a file too large for an upload, or
 * content the chat cannot carry exactly. Immutable.
 *
 * @param path the file's path in the source repository
 * @param reason why, in words a user can act on
 */
public record SkippedFile(String path, String reason) {
  public SkippedFile {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(reason, "reason");
  }

  @Override
  public String toString() {
    return path + ": " + reason;
  }
}
