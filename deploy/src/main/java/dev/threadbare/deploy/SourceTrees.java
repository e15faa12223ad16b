package dev.threadbare.deploy;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The port that reads a version's files: where {@code threadbare.toml} and the checkout come from.
 */
public interface SourceTrees {

  /** The text of {@code path} at {@code commit} of {@code channel}'s repository, if present. */
  Optional<String> readFile(String channel, String commit, String path);

  /** Writes the tree of {@code commit} into the empty directory {@code target}. */
  void checkout(String channel, String commit, Path target);
}
