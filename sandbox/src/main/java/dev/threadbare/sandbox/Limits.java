package dev.threadbare.sandbox;

import java.time.Duration;
import java.util.Objects;

/**
 * The bounds of one sandboxed run. Every limit is enforced; see the module README for how.
 *
 * @param memoryBytes resident memory of all processes together
 * @param processes processes and threads alive at once
 * @param cpuTime CPU time of any one process
 * @param diskBytes bytes in the work directory and {@code /tmp} together (and the largest file)
 * @param logBytes bytes of output kept; more ends the run
 * @param wallTimeout elapsed time of the run
 */
public record Limits(
    long memoryBytes,
    int processes,
    Duration cpuTime,
    long diskBytes,
    long logBytes,
    Duration wallTimeout) {

  private static final long MIB = 1024L * 1024;

  public Limits {
    positive(memoryBytes, "memoryBytes");
    positive(processes, "processes");
    positive(diskBytes, "diskBytes");
    positive(logBytes, "logBytes");
    Objects.requireNonNull(cpuTime, "cpuTime is null: pass a duration such as 10m");
    Objects.requireNonNull(wallTimeout, "wallTimeout is null: pass a duration such as 10m");
    if (cpuTime.toSeconds() < 1) {
      throw new IllegalArgumentException(
          "cpuTime " + cpuTime + " is under a second: CPU time is limited in whole seconds");
    }
    if (wallTimeout.isNegative() || wallTimeout.isZero()) {
      throw new IllegalArgumentException("wallTimeout " + wallTimeout + " must be positive");
    }
  }

  /**
   * The defaults for a CI run: 1 GiB of memory, 256 processes, 10 minutes of CPU and of wall time,
   * 512 MiB of disk and 4 MiB of log.
   */
  public static Limits defaults() {
    return new Limits(
        1024 * MIB, 256, Duration.ofMinutes(10), 512 * MIB, 4 * MIB, Duration.ofMinutes(10));
  }

  public Limits withMemoryBytes(long value) {
    return new Limits(value, processes, cpuTime, diskBytes, logBytes, wallTimeout);
  }

  public Limits withProcesses(int value) {
    return new Limits(memoryBytes, value, cpuTime, diskBytes, logBytes, wallTimeout);
  }

  public Limits withCpuTime(Duration value) {
    return new Limits(memoryBytes, processes, value, diskBytes, logBytes, wallTimeout);
  }

  public Limits withDiskBytes(long value) {
    return new Limits(memoryBytes, processes, cpuTime, value, logBytes, wallTimeout);
  }

  public Limits withLogBytes(long value) {
    return new Limits(memoryBytes, processes, cpuTime, diskBytes, value, wallTimeout);
  }

  public Limits withWallTimeout(Duration value) {
    return new Limits(memoryBytes, processes, cpuTime, diskBytes, logBytes, value);
  }

  /** The value of {@code limit} as a user reads it ("512 MiB", "10m", "256"). */
  public String describe(Limit limit) {
    return switch (limit) {
      case MEMORY -> bytes(memoryBytes);
      case PROCESSES -> Integer.toString(processes);
      case CPU_TIME -> duration(cpuTime);
      case DISK -> bytes(diskBytes);
      case LOG -> bytes(logBytes);
      case WALL_TIME -> duration(wallTimeout);
    };
  }

  private static String bytes(long n) {
    if (n % (1024 * MIB) == 0) {
      return n / (1024 * MIB) + " GiB";
    }
    if (n % MIB == 0) {
      return n / MIB + " MiB";
    }
    if (n % 1024 == 0) {
      return n / 1024 + " KiB";
    }
    return n + " bytes";
  }

  private static String duration(Duration d) {
    long s = d.toSeconds();
    if (s % 3600 == 0 && s > 0) {
      return s / 3600 + "h";
    }
    if (s % 60 == 0 && s > 0) {
      return s / 60 + "m";
    }
    return d.toMillis() % 1000 == 0 ? s + "s" : d.toMillis() + "ms";
  }

  private static void positive(long value, String name) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " " + value + " must be positive");
    }
  }
}
