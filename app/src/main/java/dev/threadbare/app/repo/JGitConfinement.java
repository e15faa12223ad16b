package dev.threadbare.app.repo;

import java.nio.file.Path;
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
        });
  }
}
