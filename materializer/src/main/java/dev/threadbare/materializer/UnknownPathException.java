package dev.threadbare.materializer;

/** A path is not a file of the tree asked for. */
public final class UnknownPathException extends MaterializerException {
  private static final long serialVersionUID = 1L;

  UnknownPathException(String message) {
    super(message);
  }
}
