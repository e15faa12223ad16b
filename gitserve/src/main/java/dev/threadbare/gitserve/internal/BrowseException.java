package dev.threadbare.gitserve.internal;

import dev.threadbare.gitserve.GitServeException;

/**
 * A request names a version, path or line that does not exist; the browser answers 404 with the
 * message. Immutable once thrown.
 */
public final class BrowseException extends GitServeException {
  private static final long serialVersionUID = 1L;

  BrowseException(String message) {
    super(message);
  }
}
