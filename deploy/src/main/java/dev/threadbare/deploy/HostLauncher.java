package dev.threadbare.deploy;

import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs deployments as plain host processes ({@code sh -c}) with a scrubbed environment, in their
 * build directory. No isolation beyond that: it is the baseline the sandbox's overhead is measured
 * against, and what the proxy's own tests use. Stateless and thread safe.
 */
public final class HostLauncher implements Launcher {

  @Override
  public Running start(Launch launch) throws IOException {
    ProcessBuilder builder = new ProcessBuilder("sh", "-c", launch.command());
    builder.directory(launch.workDir().toFile());
    Map<String, String> env = builder.environment();
    String path = env.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
    env.clear();
    env.put("PATH", path);
    env.put("HOME", launch.workDir().toString());
    env.put("LANG", "C.UTF-8");
    env.putAll(launch.env());
    builder.redirectErrorStream(true);
    builder.redirectOutput(Redirect.to(launch.log().toFile()));
    builder.redirectInput(Redirect.from(new File("/dev/null")));
    Process process = builder.start();
    return new Running() {
      @Override
      public boolean isAlive() {
        return process.isAlive();
      }

      @Override
      public CompletableFuture<String> onExit() {
        return process.onExit().thenApply(p -> "exited with code " + p.exitValue());
      }

      @Override
      public boolean succeeded() {
        return !process.isAlive() && process.exitValue() == 0;
      }

      @Override
      public void stop() {
        kill(process);
      }
    };
  }

  static void kill(Process p) {
    List<ProcessHandle> children;
    try (Stream<ProcessHandle> descendants = p.descendants()) {
      children = descendants.toList();
    }
    p.destroy();
    children.forEach(ProcessHandle::destroy);
    try {
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
    }
    children.forEach(ProcessHandle::destroyForcibly);
  }

  @Override
  public String describe() {
    return "host process (no sandbox): the host's files and network";
  }
}
