package dev.threadbare.deploy;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.util.Map;

/**
 * Runs deployments as plain host processes ({@code sh -c}) with a scrubbed environment, in their
 * build directory. No isolation beyond that: the sandboxed launcher is the one to use for untrusted
 * code; this one exists for the proxy's own tests and as the baseline of the sandbox's overhead.
 * Stateless and thread safe.
 */
public final class HostLauncher implements Launcher {

  @Override
  public Process start(Launch launch) throws IOException {
    ProcessBuilder builder = new ProcessBuilder("sh", "-c", launch.command());
    builder.directory(launch.workDir().toFile());
    Map<String, String> env = builder.environment();
    Map<String, String> inherited = Map.copyOf(env);
    env.clear();
    for (String name : INHERITED_ENV) {
      if (inherited.containsKey(name)) {
        env.put(name, inherited.get(name));
      }
    }
    env.put("HOME", launch.workDir().toString());
    env.putAll(launch.env());
    builder.redirectErrorStream(true);
    builder.redirectOutput(Redirect.appendTo(launch.log().toFile()));
    builder.redirectInput(Redirect.from(new java.io.File("/dev/null")));
    return builder.start();
  }

  @Override
  public String describe() {
    return "host process (no sandbox): the host's files and network";
  }
}
