package dev.threadbare.app.repo;

import java.nio.file.Path;
import org.eclipse.jgit.internal.util.CleanupService;
import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.storage.file.FileBasedConfig;
import org.eclipse.jgit.util.FS;
import org.eclipse.jgit.util.SystemReader;

/**
 * Keeps JGit's own writes inside the data directory: JGit records what it measures of a file system
 * (timestamp resolution) in {@code ~/.config/jgit/config}; here that file is {@code
 * DIR/jgit.config} instead. Process-wide: the first data directory opened in a JVM holds it. Thread
 * safe.
 */
public final class JGitConfinement {

  private static boolean installed;

  private JGitConfinement() {}

  /** Points JGit's own config file into {@code directory}, once per process. */
  public static synchronized void confineTo(Path directory) {
    confineTo(directory, true);
  }

  /**
   * As {@link #confineTo(Path)}; without {@code systemConfig}, git's system-wide config is not read
   * (JGit finds it by running {@code git} twice, which a short read-only command need not pay).
   */
  public static synchronized void confineTo(Path directory, boolean systemConfig) {
    if (installed) {
      return;
    }
    installed = true;
    Path file = directory.toAbsolutePath().resolve("jgit.config");
    SystemReader.setInstance(
        new SystemReader.Delegate(SystemReader.getInstance()) {
          @Override
          public FileBasedConfig openJGitConfig(Config parent, FS fs) {
            return new FileBasedConfig(parent, file.toFile(), fs);
          }

          @Override
          public FileBasedConfig openSystemConfig(Config parent, FS fs) {
            if (systemConfig) {
              return super.openSystemConfig(parent, fs);
            }
            return new FileBasedConfig(parent, null, fs) {
              @Override
              public void load() {
                // no system config
              }

              @Override
              public boolean isOutdated() {
                return false;
              }
            };
          }
        });
  }

  /**
   * For a short command that exits by {@link System#exit}: JGit's cleanup on exit (stopping its
   * background work) is not registered as a JVM shutdown hook, which spares loading all of JGit's
   * texts up front (about a tenth of a second). Must come before JGit's first use; a no-op when it
   * comes too late or JGit changed.
   */
  public static void withoutShutdownHook() {
    try {
      // The constructor JGit's OSGi runtime calls: the cleanup is then left to that runtime.
      new CleanupService();
    } catch (RuntimeException | LinkageError e) {
      // keep JGit's default
    }
  }
}
