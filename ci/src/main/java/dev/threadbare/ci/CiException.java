package dev.threadbare.ci;

/** Root of every exception the CI module throws; the message names the input and the fix. */
public class CiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CiException(String message) {
    super(message);
  }

  public CiException(String message, Throwable cause) {
    super(message, cause);
  }
}
