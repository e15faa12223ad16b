package dev.threadbare.materializer;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.eclipse.jgit.lib.ObjectId;

/**
 * One commit appended to one branch, as the materializer made it (its outcome reports it as core's
 * {@code BranchUpdate}). Immutable.
 *
 * @param branch the branch name ({@code main} or {@code thread/<root ts>})
 * @param before the branch's previous head, or null when the commit created the branch
 * @param after the new commit
 * @param paths the paths whose content changed, sorted
 * @param added the paths among them that the previous head did not have
 * @param removed the paths among them that the new commit does not have
 */
record BranchChange(
    String branch,
    ObjectId before,
    ObjectId after,
    List<String> paths,
    Set<String> added,
    Set<String> removed) {

  BranchChange {
    Objects.requireNonNull(branch, "branch");
    Objects.requireNonNull(after, "after");
    before = before == null ? null : before.copy();
    after = after.copy();
    paths = List.copyOf(paths);
    added = Set.copyOf(added);
    removed = Set.copyOf(removed);
  }
}
