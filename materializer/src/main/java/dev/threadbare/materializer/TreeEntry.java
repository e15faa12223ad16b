package dev.threadbare.materializer;

import java.util.Objects;
import org.eclipse.jgit.lib.ObjectId;

/** One file of a tree: its path and its blob id. Immutable. */
public record TreeEntry(String path, ObjectId blob) {
  public TreeEntry {
    Objects.requireNonNull(path, "path");
    blob = Objects.requireNonNull(blob, "blob").copy();
  }
}
