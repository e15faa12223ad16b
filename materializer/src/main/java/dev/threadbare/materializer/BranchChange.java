package dev.threadbare.materializer;

import java.util.List;
import java.util.Objects;
import org.eclipse.jgit.lib.ObjectId;

/**
 * One commit appended to one branch. Immutable.
 *
 * @param branch the branch name ({@code main} or {@code thread/<root ts>})
 * @param before the branch's previous head, or null when the commit created the branch
 * @param after the new commit
 * @param paths the paths whose content changed, sorted
 */
public record BranchChange(String branch, ObjectId before, ObjectId after, List<String> paths) {

  public BranchChange {
    Objects.requireNonNull(branch, "branch");
    Objects.requireNonNull(after, "after");
    before = before == null ? null : before.copy();
    after = after.copy();
    paths = List.copyOf(paths);
  }
}
