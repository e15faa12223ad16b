package dev.threadbare.sandbox;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A command running in a sandbox. It ends by itself, when a limit is exceeded, or when {@link
 * #cancel} is called; in every case every process it started is gone before {@link #onExit()}
 * completes. Thread safe.
 */
public interface SandboxedProcess {

  /** Completes with the result once the run and all of its processes have ended. */
  CompletableFuture<SandboxResult> onExit();

  /** Stops the run (if still running); its result is {@code CANCELLED} with {@code reason}. */
  void cancel(String reason);

  /** Waits for the result. */
  SandboxResult await() throws InterruptedException;

  /** Bytes of output written to the log so far. */
  long logBytes();

  /** Time since the run started. */
  Duration elapsed();

  /**
   * The host's process ids of the run's first process inside its namespaces (PID 1 there), once it
   * exists: {@code /proc/<pid>/net} shows the run's own network (its listening sockets). Empty
   * before that, after the run, or where the sandbox cannot tell.
   */
  default java.util.OptionalLong insidePid() {
    return java.util.OptionalLong.empty();
  }
}
