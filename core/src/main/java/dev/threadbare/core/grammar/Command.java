package dev.threadbare.core.grammar;

import java.util.List;
import java.util.Objects;

/** A command line of a message (DESIGN.md section 2). Immutable. */
public sealed interface Command {

  /** {@code rm PATH}: the path is removed in the same commit as the message's file blocks. */
  record Remove(RepoPath path) implements Command {
    public Remove {
      Objects.requireNonNull(path, "path");
    }
  }

  /** {@code mv OLD NEW}: the content of OLD moves to NEW in the same commit. */
  record Move(RepoPath from, RepoPath to) implements Command {
    public Move {
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(to, "to");
    }
  }

  /**
   * Any other command ({@code merge}, {@code status}, {@code promote V}, {@code rollback}, {@code
   * deploy V}, {@code token}, {@code help}): no effect on the tree; later pieces act on it.
   */
  record Action(String name, List<String> arguments) implements Command {
    public Action {
      Objects.requireNonNull(name, "name");
      arguments = List.copyOf(arguments);
    }
  }
}
