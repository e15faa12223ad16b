package dev.threadbare.gitserve;

import java.time.Instant;
import java.util.Objects;

/**
 * What is known about an issued personal access token; never the secret itself, which is stored
 * only as a hash. Immutable.
 *
 * @param id a short public id, used to revoke
 * @param userId the user the token speaks for
 * @param createdAt when it was issued
 * @param revokedAt when it was revoked, or null while it is live
 */
public record AccessToken(String id, String userId, Instant createdAt, Instant revokedAt) {

  /** Validates. */
  public AccessToken {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(createdAt, "createdAt");
  }

  /** Whether the token still opens anything. */
  public boolean live() {
    return revokedAt == null;
  }
}
