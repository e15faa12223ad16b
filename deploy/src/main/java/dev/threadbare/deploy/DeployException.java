package dev.threadbare.deploy;

/**
 * The deploy module's root exception: a bad {@code threadbare.toml} section, an unknown deployment,
 * a store that cannot be opened. Messages name the input and the fix.
 */
public class DeployException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public DeployException(String message) {
    super(message);
  }

  public DeployException(String message, Throwable cause) {
    super(message, cause);
  }
}
