package dev.threadbare.materializer;

/** No channel of the git store has the given id or name. */
public final class UnknownChannelException extends MaterializerException {
  private static final long serialVersionUID = 1L;

  UnknownChannelException(String message) {
    super(message);
  }
}
