package dev.threadbare.chat.bot;

import java.util.Objects;

/**
 * One file a commit changed. Immutable.
 *
 * @param path the path after the change
 * @param kind how it changed
 * @param diff a unified diff against the previous version, empty for new or removed files
 */
public record FileChange(String path, Kind kind, String diff) {

  /** How a file changed. */
  public enum Kind {
    ADDED,
    MODIFIED,
    REMOVED,
    MOVED
  }

  public FileChange {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(kind, "kind");
    diff = diff == null ? "" : diff;
  }
}
