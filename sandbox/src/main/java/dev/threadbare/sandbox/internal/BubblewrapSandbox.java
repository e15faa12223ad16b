package dev.threadbare.sandbox.internal;

import dev.threadbare.sandbox.Limits;
import dev.threadbare.sandbox.NetworkMode;
import dev.threadbare.sandbox.Sandbox;
import dev.threadbare.sandbox.SandboxException;
import dev.threadbare.sandbox.SandboxSpec;
import dev.threadbare.sandbox.SandboxUnavailableException;
import dev.threadbare.sandbox.SandboxedProcess;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The bubblewrap sandbox. Each run gets private user, mount, PID, network, IPC and UTS namespaces;
 * {@code /usr} and {@code /etc} read-only (with the {@code /bin}, {@code /lib} links), a fresh
 * {@code /proc} and minimal {@code /dev}, the work directory as the only writable tree, and a
 * private {@code /tmp} (a host directory of its own, counted in the disk limit). When this JVM runs
 * as root it first drops to an unprivileged uid (default 65534), so the sandbox is an ordinary user
 * even to the host's file permissions. Limits: rlimits inside ({@code prlimit}: processes, CPU
 * time, largest file, data segment), cgroup v1 memory and pids groups when usable, and a watcher
 * here for wall time, log size and disk. Thread safe.
 */
public final class BubblewrapSandbox implements Sandbox {

  private static final String SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin";

  private final Path bwrap;
  private final Path scratchRoot;
  private final int dropToUid;
  private final Optional<Cgroups> cgroups;
  private final ScheduledExecutorService watcher;

  private BubblewrapSandbox(
      Path bwrap, Path scratchRoot, int dropToUid, Optional<Cgroups> cgroups) {
    this.bwrap = bwrap;
    this.scratchRoot = scratchRoot;
    this.dropToUid = dropToUid;
    this.cgroups = cgroups;
    this.watcher =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "sandbox-watcher");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * A bubblewrap sandbox whose private {@code /tmp} directories live under {@code scratchRoot}.
   *
   * @param unprivilegedUid the uid to run as when this JVM is root (65534 is nobody)
   * @throws SandboxUnavailableException if bwrap is missing or cannot create namespaces here
   */
  public static BubblewrapSandbox create(Path bwrap, Path scratchRoot, int unprivilegedUid) {
    Objects.requireNonNull(bwrap, "bwrap");
    Objects.requireNonNull(scratchRoot, "scratchRoot");
    if (!Files.isExecutable(bwrap)) {
      throw new SandboxUnavailableException(
          "bubblewrap not found at `" + bwrap + "`: install Debian's `bubblewrap` package");
    }
    int uid = currentUid();
    int dropTo = uid == 0 ? unprivilegedUid : -1;
    try {
      Files.createDirectories(scratchRoot);
      if (dropTo >= 0) {
        // The unprivileged sandbox user must reach its directories: traverse, not list.
        Files.setPosixFilePermissions(
            scratchRoot,
            Set.of(
                PosixFilePermission.OWNER_READ,
                PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_EXECUTE,
                PosixFilePermission.GROUP_EXECUTE,
                PosixFilePermission.OTHERS_EXECUTE));
      }
    } catch (IOException e) {
      throw new SandboxException("cannot create the sandbox scratch directory " + scratchRoot, e);
    }
    Optional<Cgroups> cgroups = uid == 0 ? Cgroups.detect() : Optional.empty();
    BubblewrapSandbox sandbox = new BubblewrapSandbox(bwrap, scratchRoot, dropTo, cgroups);
    if (dropTo >= 0) {
      sandbox.requireTraversable(scratchRoot.resolve("probe"));
    }
    sandbox.probe();
    return sandbox;
  }

  private void probe() {
    List<String> command = new ArrayList<>();
    if (dropToUid >= 0) {
      command.addAll(setpriv());
    }
    command.addAll(List.of(bwrap.toString(), "--unshare-all", "--unshare-user"));
    command.addAll(systemMounts());
    command.add("/usr/bin/true");
    try {
      Process process =
          new ProcessBuilder(command).redirectErrorStream(true).redirectInput(devNull()).start();
      String output = new String(process.getInputStream().readAllBytes(), UTF8);
      if (process.waitFor() != 0) {
        throw new SandboxUnavailableException(
            "bubblewrap cannot create namespaces here ("
                + output.strip()
                + "): user namespaces must be enabled (sysctl kernel.unprivileged_userns_clone=1)");
      }
    } catch (IOException e) {
      throw new SandboxUnavailableException("cannot run " + bwrap + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SandboxUnavailableException("interrupted while probing bubblewrap", e);
    }
  }

  private static final java.nio.charset.Charset UTF8 = java.nio.charset.StandardCharsets.UTF_8;

  private static File devNull() {
    return new File("/dev/null");
  }

  private List<String> setpriv() {
    return List.of(
        "/usr/bin/setpriv",
        "--reuid=" + dropToUid,
        "--regid=" + dropToUid,
        "--clear-groups",
        "--no-new-privs",
        "--");
  }

  /** /usr and /etc read-only, and /bin, /lib… as the host has them (links into /usr, or binds). */
  private static List<String> systemMounts() {
    List<String> command = new ArrayList<>();
    command.addAll(List.of("--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc"));
    for (String link : List.of("/bin", "/lib", "/lib64", "/sbin", "/lib32", "/libx32")) {
      Path host = Path.of(link);
      if (Files.isSymbolicLink(host)) {
        try {
          command.addAll(List.of("--symlink", Files.readSymbolicLink(host).toString(), link));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      } else if (Files.isDirectory(host)) {
        command.addAll(List.of("--ro-bind", link, link));
      }
    }
    return command;
  }

  static int currentUid() {
    try {
      return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    } catch (IOException | UnsupportedOperationException e) {
      return -1;
    }
  }

  @Override
  public String describe() {
    return "bubblewrap "
        + bwrap
        + (dropToUid >= 0 ? " as uid " + dropToUid : " as this user")
        + ", limits: rlimits"
        + (cgroups.isPresent() ? " + cgroup v1 memory/pids" : " (no usable cgroups)")
        + " + watcher (wall time, log, disk)";
  }

  @Override
  public SandboxedProcess start(SandboxSpec spec) {
    Objects.requireNonNull(spec, "spec");
    Path scratch = scratchRoot.resolve("run-" + UUID.randomUUID());
    Path tmp = scratch.resolve("tmp");
    Cgroups.Group group = null;
    try {
      Files.createDirectories(tmp);
      Files.createDirectories(spec.logFile().toAbsolutePath().getParent());
      if (dropToUid >= 0) {
        chownTree(spec.workDir(), dropToUid);
        chownTree(scratch, dropToUid);
        requireTraversable(spec.workDir());
      }
      Limits limits = spec.limits();
      if (cgroups.isPresent()) {
        // pids: the wrapper shell, the outer bwrap and its init come on top of the run's own.
        group = cgroups.get().create(limits.memoryBytes(), limits.processes() + 3);
      }
      List<String> command = command(spec, tmp, group);
      ProcessBuilder builder =
          new ProcessBuilder(command).redirectErrorStream(true).redirectInput(devNull());
      Map<String, String> environment = builder.environment();
      environment.clear();
      environment.put("PATH", SYSTEM_PATH);
      environment.put("HOME", spec.workMount());
      environment.put("TMPDIR", "/tmp");
      environment.put("LANG", "C.UTF-8");
      environment.putAll(spec.env());
      Process process = builder.start();
      return new BubblewrapProcess(process, spec, scratch, tmp, group, watcher);
    } catch (IOException | RuntimeException e) {
      if (group != null) {
        group.remove();
      }
      deleteTree(scratch);
      if (e instanceof SandboxException se) {
        throw se;
      }
      throw new SandboxException("cannot start the sandbox for " + spec.command() + ": " + e, e);
    }
  }

  private List<String> command(SandboxSpec spec, Path tmp, Cgroups.Group group) {
    List<String> command = new ArrayList<>();
    if (group != null) {
      // Join the groups before anything forks, then become bwrap.
      command.addAll(
          List.of(
              "/bin/sh",
              "-c",
              "echo $$ > \"$1\" && echo $$ > \"$2\" && shift 2 && exec \"$@\"",
              "sandbox-join"));
      for (Path procs : group.procsFiles()) {
        command.add(procs.toString());
      }
    }
    if (dropToUid >= 0) {
      command.addAll(setpriv());
    }
    command.add(bwrap.toString());
    command.addAll(List.of("--unshare-all", "--unshare-user", "--disable-userns"));
    if (spec.network() instanceof NetworkMode.Host) {
      command.add("--share-net");
    }
    command.addAll(
        List.of(
            "--die-with-parent", "--new-session", "--cap-drop", "ALL", "--hostname", "sandbox"));
    command.addAll(systemMounts());
    command.addAll(List.of("--proc", "/proc", "--dev", "/dev"));
    command.addAll(List.of("--bind", tmp.toString(), "/tmp"));
    command.addAll(List.of("--bind", spec.workDir().toString(), spec.workMount()));
    command.addAll(List.of("--chdir", spec.workMount()));
    Limits limits = spec.limits();
    long cpu = Math.max(1, limits.cpuTime().toSeconds());
    // With cgroups the pids group is the authority (so its counter names the limit); the rlimit
    // (per user in the run's own user namespace) is the fallback.
    // Likewise the memory group; without it the data segment rlimit bounds each process.
    int nproc = group != null ? limits.processes() * 2 : limits.processes();
    long data = group != null ? limits.memoryBytes() * 2 : limits.memoryBytes();
    command.addAll(
        List.of(
            "--",
            "/usr/bin/prlimit",
            "--nproc=" + nproc,
            "--cpu=" + cpu + ":" + (cpu + 1),
            "--fsize=" + limits.diskBytes(),
            "--data=" + data,
            "--core=0",
            "--"));
    command.addAll(spec.command());
    return command;
  }

  private void requireTraversable(Path dir) {
    for (Path p = dir.getParent(); p != null; p = p.getParent()) {
      try {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
        if (!perms.contains(PosixFilePermission.OTHERS_EXECUTE)) {
          throw new SandboxException(
              "work directory `"
                  + dir
                  + "` is out of reach of the sandbox user "
                  + dropToUid
                  + ": its ancestor "
                  + p
                  + " is not traversable by others (chmod o+x it, or put runs elsewhere)");
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static void chownTree(Path root, int uid) throws IOException {
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
              throws IOException {
            chown(dir, uid);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            chown(file, uid);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  private static void chown(Path path, int uid) throws IOException {
    Files.setAttribute(path, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(path, "unix:gid", uid, LinkOption.NOFOLLOW_LINKS);
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.deleteIfExists(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
              Files.deleteIfExists(dir);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + root, e);
    }
  }
}
