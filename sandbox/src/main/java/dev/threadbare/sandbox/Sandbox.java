package dev.threadbare.sandbox;

/**
 * The port through which threadbare runs untrusted code: bubblewrap on Linux ({@link
 * Sandboxes#bubblewrap}); a container runner may implement it where a daemon exists. Thread safe:
 * one sandbox starts many runs at once.
 */
public interface Sandbox {

  /**
   * Starts {@code spec}'s command. The work directory must not be used by anything else until the
   * run ends; the log file is created (or truncated).
   *
   * @throws SandboxUnavailableException if this sandbox cannot run the spec here (such as an
   *     unsupported network mode)
   * @throws SandboxException if the run cannot be started
   */
  SandboxedProcess start(SandboxSpec spec);

  /** One line on how runs are isolated and limited here, for the server's start-up output. */
  String describe();
}
