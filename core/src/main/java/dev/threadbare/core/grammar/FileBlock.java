package dev.threadbare.core.grammar;

import java.util.Objects;

/**
 * One file defined by a message: its path and its full content. From a code block the content has
 * LF line ends and exactly one trailing newline; from an attachment it is the file's bytes as sent.
 * Immutable.
 */
public record FileBlock(RepoPath path, String content) {
  public FileBlock {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(content, "content");
  }
}
