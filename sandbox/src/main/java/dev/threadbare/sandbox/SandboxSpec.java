package dev.threadbare.sandbox;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What to run in a sandbox: a command, in a host directory that becomes the only writable tree
 * (mounted at {@link #workMount()} inside), with the environment it is given and nothing else, the
 * limits and the network mode, its output written to {@link #logFile()} on the host.
 *
 * <p>The environment is an allow-list: the sandbox passes exactly {@link #env()} plus {@code
 * PATH=/usr/local/bin:/usr/bin:/bin}, {@code HOME} (the work mount), {@code TMPDIR=/tmp} and {@code
 * LANG=C.UTF-8} unless the spec sets them. Immutable; build one with {@link #builder}.
 */
public record SandboxSpec(
    Path workDir,
    String workMount,
    List<String> command,
    Map<String, String> env,
    Limits limits,
    NetworkMode network,
    Path logFile) {

  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern MOUNT = Pattern.compile("/[A-Za-z0-9_./-]+");
  private static final List<String> SYSTEM_MOUNTS =
      List.of("/usr", "/etc", "/bin", "/lib", "/lib64", "/sbin", "/proc", "/dev", "/tmp");

  public SandboxSpec {
    Objects.requireNonNull(workDir, "workDir is null: name the directory the command may write");
    Objects.requireNonNull(workMount, "workMount is null");
    Objects.requireNonNull(command, "command is null");
    Objects.requireNonNull(env, "env is null: pass an empty map for none");
    Objects.requireNonNull(limits, "limits is null: pass Limits.defaults()");
    Objects.requireNonNull(network, "network is null: pass NetworkMode.none()");
    Objects.requireNonNull(logFile, "logFile is null: name the file the output goes to");
    workDir = workDir.toAbsolutePath().normalize();
    logFile = logFile.toAbsolutePath().normalize();
    if (!Files.isDirectory(workDir)) {
      throw new IllegalArgumentException("workDir `" + workDir + "` is not a directory");
    }
    if (logFile.startsWith(workDir)) {
      throw new IllegalArgumentException(
          "logFile `" + logFile + "` is inside workDir: the sandbox could rewrite its own log");
    }
    if (!MOUNT.matcher(workMount).matches() || workMount.contains("..")) {
      throw new IllegalArgumentException(
          "workMount `" + workMount + "` is not an absolute path of plain segments, like /work");
    }
    for (String system : SYSTEM_MOUNTS) {
      if (workMount.equals(system) || workMount.startsWith(system + "/")) {
        throw new IllegalArgumentException(
            "workMount `" + workMount + "` would shadow the system directory " + system);
      }
    }
    if (command.isEmpty()) {
      throw new IllegalArgumentException("command is empty: name the program to run");
    }
    command = List.copyOf(command);
    for (String name : env.keySet()) {
      if (!ENV_NAME.matcher(name).matches()) {
        throw new IllegalArgumentException(
            "environment variable name `" + name + "` is not a name ([A-Za-z_][A-Za-z0-9_]*)");
      }
    }
    env = Map.copyOf(env);
  }

  /** A spec running {@code command} in {@code workDir}, writing its output to {@code logFile}. */
  public static Builder builder(Path workDir, Path logFile, List<String> command) {
    return new Builder(workDir, logFile, command);
  }

  /** Runs {@code sh -c script}. */
  public static Builder shell(Path workDir, Path logFile, String script) {
    return new Builder(workDir, logFile, List.of("/bin/sh", "-c", script));
  }

  /**
   * Builds a {@link SandboxSpec}; defaults: mount {@code /work}, no env, default limits, no net.
   */
  public static final class Builder {
    private final Path workDir;
    private final Path logFile;
    private final List<String> command;
    private String workMount = "/work";
    private final Map<String, String> env = new LinkedHashMap<>();
    private Limits limits = Limits.defaults();
    private NetworkMode network = NetworkMode.none();

    private Builder(Path workDir, Path logFile, List<String> command) {
      this.workDir = workDir;
      this.logFile = logFile;
      this.command = command;
    }

    public Builder workMount(String value) {
      this.workMount = value;
      return this;
    }

    public Builder env(String name, String value) {
      env.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, name));
      return this;
    }

    public Builder env(Map<String, String> values) {
      values.forEach(this::env);
      return this;
    }

    public Builder limits(Limits value) {
      this.limits = value;
      return this;
    }

    public Builder network(NetworkMode value) {
      this.network = value;
      return this;
    }

    public SandboxSpec build() {
      return new SandboxSpec(workDir, workMount, command, env, limits, network, logFile);
    }
  }
}
