package dev.threadbare.chat.bot;

import java.util.Objects;

/**
 * Personal git access for the {@code token} command: the app wires it to git serving, which issues
 * and stores (hashed) the token. Implementations are thread safe.
 */
@FunctionalInterface
public interface GitAccess {

  /** A new personal token for {@code userId}, and the clone URL of {@code channelId}. */
  Grant issue(String userId, String channelId);

  /** What the asker is told, privately. */
  record Grant(String token, String cloneUrl) {
    /** Validates. */
    public Grant {
      Objects.requireNonNull(token, "token");
      Objects.requireNonNull(cloneUrl, "cloneUrl");
    }
  }
}
