package dev.threadbare.materializer;

/** A ref (branch, commit id or prefix, {@code BRANCH@N}) names no commit of the channel. */
public final class UnknownRefException extends MaterializerException {
  private static final long serialVersionUID = 1L;

  UnknownRefException(String message) {
    super(message);
  }
}
