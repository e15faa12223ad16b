package dev.threadbare.workspace;

import java.nio.file.Path;

/** Reopens a test workspace's data directory in a second instance, as another process would. */
final class LocalWorkspaceReopen {

  private LocalWorkspaceReopen() {}

  static RateLimits limitsAfterReopen(TestWorkspace running, Path dir) {
    try (LocalWorkspace again = LocalWorkspace.open(dir)) {
      return again.rateLimits();
    }
  }
}
