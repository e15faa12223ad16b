package dev.threadbare.materializer;

/**
 * The git store could not be read or written (an I/O failure, a missing object), or is out of step
 * with the journal; the message says which repository and how to recover.
 */
public final class GitStoreException extends MaterializerException {
  private static final long serialVersionUID = 1L;

  GitStoreException(String message, Throwable cause) {
    super(message, cause);
  }

  GitStoreException(String message) {
    super(message);
  }
}
