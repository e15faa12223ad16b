package dev.threadbare.materializer;

import java.util.Objects;
import org.eclipse.jgit.lib.ObjectId;

/**
 * What one message does to one path: defines its content, removes it, or (the destination of {@code
 * mv}) takes the content the source path had just before the message. Immutable.
 */
sealed interface Def {

  /** The path holds the blob {@code id}. */
  record Blob(ObjectId id) implements Def {
    public Blob {
      Objects.requireNonNull(id, "id");
      id = id.copy();
    }
  }

  /** The path is absent ({@code rm}, or the source of {@code mv}). */
  record Removed() implements Def {}

  /** The path holds what {@code source} held just before the defining message. */
  record MovedFrom(String source) implements Def {
    public MovedFrom {
      Objects.requireNonNull(source, "source");
    }
  }

  Removed REMOVED = new Removed();
}
