package dev.threadbare.core;

/**
 * Root of every exception the core throws. Its message is written for the person who caused it: it
 * names the offending input and the likely fix.
 */
public class ThreadbareException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ThreadbareException(String message) {
    super(message);
  }

  public ThreadbareException(String message, Throwable cause) {
    super(message, cause);
  }
}
