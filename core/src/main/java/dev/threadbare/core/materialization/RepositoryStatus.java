package dev.threadbare.core.materialization;

import java.util.Objects;

/**
 * A channel repository's state as the bot's {@code status} reports it. Immutable.
 *
 * @param repository the repository (channel) name
 * @param branch the default branch
 * @param commit the head commit id, or null for an empty repository
 * @param files how many files the head holds
 * @param openBranches threads with changes not merged
 */
public record RepositoryStatus(
    String repository, String branch, String commit, int files, int openBranches) {
  public RepositoryStatus {
    Objects.requireNonNull(repository, "repository");
    Objects.requireNonNull(branch, "branch");
  }
}
