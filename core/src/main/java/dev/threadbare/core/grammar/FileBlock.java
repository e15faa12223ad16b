package dev.threadbare.core.grammar;

import java.util.Objects;

/**
 * One file defined by a message: its path and its full content (LF line ends, exactly one trailing
 * newline). Immutable.
 */
public record FileBlock(RepoPath path, String content) {
  public FileBlock {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(content, "content");
  }
}
