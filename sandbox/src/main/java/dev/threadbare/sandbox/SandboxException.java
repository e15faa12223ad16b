package dev.threadbare.sandbox;

/** Root of every exception the sandbox throws; the message names the input and the likely fix. */
public class SandboxException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SandboxException(String message) {
    super(message);
  }

  public SandboxException(String message, Throwable cause) {
    super(message, cause);
  }
}
