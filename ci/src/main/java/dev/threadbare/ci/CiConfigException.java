package dev.threadbare.ci;

/** A {@code threadbare.toml} whose {@code [ci]} section cannot be used; the message says why. */
public final class CiConfigException extends CiException {
  private static final long serialVersionUID = 1L;

  public CiConfigException(String message) {
    super(message);
  }
}
