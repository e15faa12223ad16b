package dev.threadbare.sandbox.internal;

import dev.threadbare.sandbox.Limit;
import dev.threadbare.sandbox.Limits;
import dev.threadbare.sandbox.SandboxResult;
import dev.threadbare.sandbox.SandboxResult.Outcome;
import dev.threadbare.sandbox.SandboxSpec;
import dev.threadbare.sandbox.SandboxedProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One bubblewrap run: pumps its output into the bounded log, watches the limits, and ends it by
 * killing the outer bwrap, whose death takes the run's PID namespace (and so every process in it)
 * along ({@code --die-with-parent}).
 */
final class BubblewrapProcess implements SandboxedProcess {
  private static final Logger log = LoggerFactory.getLogger(BubblewrapProcess.class);
  private static final int SIGXCPU_STATUS = 128 + 24;
  private static final int SIGXFSZ_STATUS = 128 + 25;
  private static final long WATCH_MILLIS = 100;
  private static final long DISK_EVERY = 3;

  private final Process process;
  private final SandboxSpec spec;
  private final Path scratch;
  private final Path tmp;
  private final Cgroups.Group group;
  private final long startNanos = System.nanoTime();
  private final AtomicLong logBytes = new AtomicLong();
  private final AtomicReference<Stop> stop = new AtomicReference<>();
  private final CompletableFuture<SandboxResult> result = new CompletableFuture<>();
  private final Thread pump;
  private final ScheduledFuture<?> watch;
  private final ScheduledFuture<?> timeout;
  private long ticks;

  private record Stop(Limit limit, String detail) {}

  BubblewrapProcess(
      Process process,
      SandboxSpec spec,
      Path scratch,
      Path tmp,
      Cgroups.Group group,
      ScheduledExecutorService watcher)
      throws IOException {
    this.process = process;
    this.spec = spec;
    this.scratch = scratch;
    this.tmp = tmp;
    this.group = group;
    OutputStream logFile = Files.newOutputStream(spec.logFile());
    this.pump = Thread.ofVirtual().name("sandbox-log").start(() -> pump(logFile));
    this.watch =
        watcher.scheduleWithFixedDelay(
            this::watch, WATCH_MILLIS, WATCH_MILLIS, TimeUnit.MILLISECONDS);
    Limits limits = spec.limits();
    this.timeout =
        watcher.schedule(
            () -> limit(Limit.WALL_TIME), limits.wallTimeout().toMillis(), TimeUnit.MILLISECONDS);
    var unused =
        process
            .onExit()
            .thenRunAsync(this::finish, r -> Thread.ofVirtual().name("sandbox-finish").start(r));
  }

  private void pump(OutputStream logFile) {
    long max = spec.limits().logBytes();
    byte[] buffer = new byte[16 * 1024];
    try (InputStream in = process.getInputStream();
        OutputStream out = logFile) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        long before = logBytes.get();
        long room = max - before;
        if (n > room) {
          if (room > 0) {
            out.write(buffer, 0, (int) room);
            logBytes.addAndGet(room);
          }
          out.flush();
          limit(Limit.LOG);
          // Drain (and drop) what is still in flight until the run is gone.
          while (in.read(buffer) >= 0) {
            // discard
          }
          break;
        }
        out.write(buffer, 0, n);
        out.flush();
        logBytes.addAndGet(n);
      }
    } catch (IOException e) {
      log.debug("log pump of {} ended: {}", spec.command(), e.toString());
    }
  }

  private void watch() {
    if (!process.isAlive()) {
      return;
    }
    try {
      if (group != null) {
        if (group.processLimitHit()) {
          limit(Limit.PROCESSES);
          return;
        }
        if (group.memoryLimitHit()) {
          limit(Limit.MEMORY);
          return;
        }
      }
      if (++ticks % DISK_EVERY == 0 && diskUsed() >= spec.limits().diskBytes()) {
        limit(Limit.DISK);
      }
    } catch (RuntimeException e) {
      log.warn("sandbox watcher failed for {}", spec.command(), e);
    }
  }

  private long diskUsed() {
    return treeSize(spec.workDir()) + treeSize(tmp);
  }

  private static long treeSize(Path root) {
    AtomicLong total = new AtomicLong();
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              total.addAndGet(attrs.size());
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      log.debug("cannot measure {}: {}", root, e.toString());
    }
    return total.get();
  }

  private void limit(Limit limit) {
    end(
        new Stop(
            limit,
            "exceeded the "
                + limit.label()
                + " limit ("
                + spec.limits().describe(limit)
                + "): the run was stopped"));
  }

  private void end(Stop reason) {
    if (stop.compareAndSet(null, reason)) {
      kill();
    }
  }

  private void kill() {
    process.destroyForcibly();
    process.descendants().forEach(ProcessHandle::destroyForcibly);
  }

  @Override
  public void cancel(String reason) {
    end(new Stop(null, reason == null || reason.isBlank() ? "cancelled" : reason));
  }

  private void finish() {
    watch.cancel(false);
    timeout.cancel(false);
    try {
      pump.join(Duration.ofSeconds(10));
      if (pump.isAlive()) {
        // Something still holds the pipe: the namespace must go.
        kill();
        if (group != null) {
          group.remove();
        }
        pump.join(Duration.ofSeconds(5));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    int exit = process.exitValue();
    Stop reason = stop.get();
    if (reason == null && group != null) {
      if (group.processLimitHit()) {
        reason = stopFor(Limit.PROCESSES);
      } else if (group.memoryLimitHit()) {
        reason = stopFor(Limit.MEMORY);
      }
    }
    if (reason == null && exit == SIGXCPU_STATUS) {
      reason = stopFor(Limit.CPU_TIME);
    }
    if (reason == null && (exit == SIGXFSZ_STATUS || diskUsed() >= spec.limits().diskBytes())) {
      reason = stopFor(Limit.DISK);
    }
    if (group != null) {
      group.remove();
    }
    try {
      BubblewrapSandbox.deleteTree(scratch);
    } catch (RuntimeException e) {
      log.warn("cannot remove sandbox scratch {}", scratch, e);
    }
    Duration elapsed = elapsed();
    SandboxResult outcome;
    if (reason == null) {
      outcome =
          new SandboxResult(
              Outcome.EXITED, exit, null, "exited with status " + exit, elapsed, logBytes.get());
    } else if (reason.limit() == null) {
      outcome =
          new SandboxResult(Outcome.CANCELLED, -1, null, reason.detail(), elapsed, logBytes.get());
    } else {
      appendNote(reason.detail());
      outcome =
          new SandboxResult(
              Outcome.LIMIT_EXCEEDED, -1, reason.limit(), reason.detail(), elapsed, logBytes.get());
    }
    result.complete(outcome);
  }

  private Stop stopFor(Limit limit) {
    return new Stop(
        limit,
        "exceeded the "
            + limit.label()
            + " limit ("
            + spec.limits().describe(limit)
            + "): the run was stopped");
  }

  private void appendNote(String detail) {
    try {
      Files.writeString(
          spec.logFile(),
          "\n[sandbox] " + detail + "\n",
          StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.APPEND);
    } catch (IOException e) {
      log.debug("cannot append to {}: {}", spec.logFile(), e.toString());
    }
  }

  @Override
  public CompletableFuture<SandboxResult> onExit() {
    return result.copy();
  }

  @Override
  public SandboxResult await() throws InterruptedException {
    try {
      return result.get();
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  @Override
  public java.util.OptionalLong insidePid() {
    // The outer bwrap (the process we started: sh and setpriv exec into it) clones the run's
    // namespaces; its one child is the run's PID 1.
    if (!process.isAlive()) {
      return java.util.OptionalLong.empty();
    }
    try (java.util.stream.Stream<ProcessHandle> children = process.children()) {
      return children.mapToLong(ProcessHandle::pid).findFirst();
    }
  }

  @Override
  public long logBytes() {
    return logBytes.get();
  }

  @Override
  public Duration elapsed() {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }
}
