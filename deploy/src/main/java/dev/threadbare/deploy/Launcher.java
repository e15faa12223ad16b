package dev.threadbare.deploy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The port that runs a deployment's build and server processes: on the host ({@link HostLauncher},
 * for tests of the proxy and where nothing else exists) or in a sandbox. Thread safe.
 */
public interface Launcher {

  /**
   * What to run.
   *
   * @param command a shell command line ({@code sh -c})
   * @param workDir the deployment's build output: the one directory it may write (with a private
   *     {@code /tmp})
   * @param env variables added to the launcher's scrubbed environment ({@code PORT}, {@code
   *     DATABASE_URL})
   * @param log the file that receives stdout and stderr (appended)
   * @param listenPort the port the process may listen on, or 0 for a build
   */
  record Launch(String command, Path workDir, Map<String, String> env, Path log, int listenPort) {
    public Launch {
      Objects.requireNonNull(command, "command");
      Objects.requireNonNull(workDir, "workDir");
      Objects.requireNonNull(log, "log");
      env = Map.copyOf(env);
    }
  }

  /**
   * Starts {@code launch}; the returned process is the one to wait for and to stop (stopping it
   * stops everything it started).
   */
  Process start(Launch launch) throws IOException;

  /** One sentence for people: what the process sees and which network it has. */
  String describe();

  /**
   * The variables of the server's environment a deployment inherits; everything else is dropped.
   */
  List<String> INHERITED_ENV = List.of("PATH", "LANG", "LC_ALL", "TZ");
}
