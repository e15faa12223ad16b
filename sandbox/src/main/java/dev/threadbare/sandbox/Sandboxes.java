package dev.threadbare.sandbox;

import dev.threadbare.sandbox.internal.BubblewrapSandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Makes sandboxes: the entry point of this module.
 *
 * <pre>{@code
 * Sandbox sandbox = Sandboxes.bubblewrap(Path.of("/var/tmp/threadbare-sandbox"));
 * SandboxedProcess run = sandbox.start(SandboxSpec.shell(checkout, logFile, "make test").build());
 * SandboxResult result = run.await();
 * }</pre>
 */
public final class Sandboxes {

  /** Where Debian installs bubblewrap. */
  public static final Path BWRAP = Path.of("/usr/bin/bwrap");

  /** The uid runs use when threadbare itself runs as root: {@code nobody}. */
  public static final int NOBODY = 65534;

  private Sandboxes() {}

  /**
   * A bubblewrap sandbox ({@link #BWRAP}) keeping each run's private {@code /tmp} under {@code
   * scratchRoot}. When threadbare runs as root, runs drop to {@link #NOBODY}; their work
   * directories must then be reachable by others (each ancestor {@code o+x}).
   *
   * @throws SandboxUnavailableException if bubblewrap is missing or cannot create namespaces
   */
  public static Sandbox bubblewrap(Path scratchRoot) {
    Objects.requireNonNull(scratchRoot, "scratchRoot is null: name a directory for scratch space");
    return BubblewrapSandbox.create(BWRAP, scratchRoot, NOBODY);
  }

  /**
   * True if {@link #BWRAP} exists here (it may still be unable to run: see {@link #bubblewrap}).
   */
  public static boolean bubblewrapInstalled() {
    return Files.isExecutable(BWRAP);
  }
}
