package dev.threadbare.sandbox;

/**
 * The sandbox cannot run on this machine (no bubblewrap, no user namespaces, an unsupported mode).
 */
public final class SandboxUnavailableException extends SandboxException {
  private static final long serialVersionUID = 1L;

  public SandboxUnavailableException(String message) {
    super(message);
  }

  public SandboxUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
