package dev.threadbare.core.materialization;

import java.util.Objects;

/**
 * One commit a journal entry appended to one branch of its channel's repository. Immutable.
 *
 * @param branch the branch name: {@code main}, or {@code thread/<root ts>} for a thread
 * @param before the branch's previous head (40 hex digits), or null when the commit created it
 * @param after the new head (40 hex digits)
 */
public record BranchUpdate(String branch, String before, String after) {

  public BranchUpdate {
    Objects.requireNonNull(branch, "branch");
    Objects.requireNonNull(after, "after");
  }

  /** The full ref name, such as {@code refs/heads/main}. */
  public String ref() {
    return "refs/heads/" + branch;
  }
}
