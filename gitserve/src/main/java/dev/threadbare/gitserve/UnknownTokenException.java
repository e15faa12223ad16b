package dev.threadbare.gitserve;

/** Thrown when a token id given to revoke names no token. Immutable once thrown. */
public final class UnknownTokenException extends GitServeException {
  private static final long serialVersionUID = 1L;

  /** Names the id that matched nothing. */
  public UnknownTokenException(String tokenId) {
    super(
        "no token has id `"
            + tokenId
            + "`: list them with `threadbare git list-tokens` and use the id shown there");
  }
}
