package dev.threadbare.sandbox.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * cgroup v1 {@code memory} and {@code pids} controllers, where this process may create child groups
 * of its own groups (root in a container, as on the CI machines). Each run gets one group per
 * controller under {@code <own group>/threadbare-sandbox/}, named after this JVM's pid so a later
 * start can remove the groups a crash left behind. cgroup v2 is not handled yet: the rlimits stand
 * alone there.
 */
public final class Cgroups {
  private static final Logger log = LoggerFactory.getLogger(Cgroups.class);
  private static final Path ROOT = Path.of("/sys/fs/cgroup");
  private static final AtomicLong SEQUENCE = new AtomicLong();

  private final Path memoryParent;
  private final Path pidsParent;

  private Cgroups(Path memoryParent, Path pidsParent) {
    this.memoryParent = memoryParent;
    this.pidsParent = pidsParent;
  }

  /** The controllers, if both can be used here. */
  public static Optional<Cgroups> detect() {
    try {
      Path memory = ownGroup("memory");
      Path pids = ownGroup("pids");
      if (memory == null || pids == null) {
        return Optional.empty();
      }
      Path memoryParent = memory.resolve("threadbare-sandbox");
      Path pidsParent = pids.resolve("threadbare-sandbox");
      Files.createDirectories(memoryParent);
      Files.createDirectories(pidsParent);
      Cgroups cgroups = new Cgroups(memoryParent, pidsParent);
      cgroups.removeStale();
      // Probe: a group we can create, limit and remove.
      Group probe = cgroups.create(64L << 20, 8);
      probe.remove();
      return Optional.of(cgroups);
    } catch (IOException | RuntimeException e) {
      log.debug("cgroups unusable: {}", e.toString());
      return Optional.empty();
    }
  }

  private static Path ownGroup(String controller) throws IOException {
    Path mount = ROOT.resolve(controller);
    if (!Files.isRegularFile(mount.resolve("cgroup.procs"))) {
      return null;
    }
    for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"), StandardCharsets.UTF_8)) {
      String[] parts = line.split(":", 3);
      if (parts.length == 3 && List.of(parts[1].split(",")).contains(controller)) {
        String relative = parts[2].startsWith("/") ? parts[2].substring(1) : parts[2];
        Path group = relative.isEmpty() ? mount : mount.resolve(relative);
        return Files.isDirectory(group) ? group : null;
      }
    }
    return null;
  }

  private void removeStale() throws IOException {
    for (Path parent : List.of(memoryParent, pidsParent)) {
      try (DirectoryStream<Path> groups = Files.newDirectoryStream(parent, "jvm-*")) {
        for (Path group : groups) {
          String[] parts = group.getFileName().toString().split("-");
          long pid = parts.length > 1 ? parseLong(parts[1]) : -1;
          if (pid > 0 && pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).isEmpty()) {
            killAll(group);
            removeDir(group);
          }
        }
      }
    }
  }

  private static long parseLong(String s) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** A new pair of groups for one run. */
  public Group create(long memoryBytes, int processes) throws IOException {
    String name = "jvm-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet();
    Path memory = Files.createDirectory(memoryParent.resolve(name));
    Path pids = Files.createDirectory(pidsParent.resolve(name));
    Group group = new Group(memory, pids);
    try {
      write(memory.resolve("memory.limit_in_bytes"), Long.toString(memoryBytes));
      Path swap = memory.resolve("memory.memsw.limit_in_bytes");
      if (Files.exists(swap)) {
        try {
          write(swap, Long.toString(memoryBytes));
        } catch (IOException e) {
          log.debug("no swap accounting: {}", e.toString());
        }
      }
      write(pids.resolve("pids.max"), Integer.toString(processes));
      return group;
    } catch (IOException | RuntimeException e) {
      group.remove();
      throw e;
    }
  }

  private static void write(Path file, String value) throws IOException {
    Files.writeString(file, value, StandardCharsets.US_ASCII);
  }

  private static long counter(Path file, String key) {
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
        String[] parts = line.trim().split("\\s+");
        if (parts.length == 2 && parts[0].equals(key)) {
          return Long.parseLong(parts[1]);
        }
      }
    } catch (IOException | NumberFormatException e) {
      log.debug("cannot read {}: {}", file, e.toString());
    }
    return 0;
  }

  private static void killAll(Path group) {
    try {
      for (String pid : Files.readAllLines(group.resolve("cgroup.procs"))) {
        if (!pid.isBlank()) {
          ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(ProcessHandle::destroyForcibly);
        }
      }
    } catch (IOException | NumberFormatException e) {
      log.debug("cannot list {}: {}", group, e.toString());
    }
  }

  private static void removeDir(Path group) {
    for (int attempt = 0; attempt < 50; attempt++) {
      try {
        Files.deleteIfExists(group);
        return;
      } catch (IOException e) {
        killAll(group);
        try {
          Thread.sleep(20);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
    log.warn("could not remove cgroup {}", group);
  }

  /** The groups of one run. */
  public static final class Group {
    private final Path memory;
    private final Path pids;

    Group(Path memory, Path pids) {
      this.memory = memory;
      this.pids = pids;
    }

    /** The files a process writes its pid to, to join. */
    public List<Path> procsFiles() {
      return List.of(memory.resolve("cgroup.procs"), pids.resolve("cgroup.procs"));
    }

    /** True once the kernel has refused a fork for the pids limit. */
    public boolean processLimitHit() {
      return counter(pids.resolve("pids.events"), "max") > 0;
    }

    /** True once the kernel's OOM killer acted in this group. */
    public boolean memoryLimitHit() {
      return counter(memory.resolve("memory.oom_control"), "oom_kill") > 0;
    }

    /** Kills every process left and removes both groups. */
    public void remove() {
      List<Path> groups = new ArrayList<>(List.of(memory, pids));
      for (Path group : groups) {
        killAll(group);
      }
      for (Path group : groups) {
        removeDir(group);
      }
    }
  }
}
