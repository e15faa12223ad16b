package dev.threadbare.gitserve;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;

/**
 * A channel as gitserve sees it: a name, an id, the bare repository the materializer keeps for it
 * ({@code DIR/git/<id>.git}), whether it is private, and, for a private channel, its members.
 * Immutable.
 *
 * @param id the chat's channel id, such as {@code C0123ABCD}
 * @param name the channel name, used in URLs
 * @param repository the bare repository directory
 * @param isPrivate whether only members may read it
 * @param members user ids of the members (may be empty for public channels)
 */
public record ServedChannel(
    String id, String name, Path repository, boolean isPrivate, Set<String> members) {

  /** Validates and copies. */
  public ServedChannel {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(repository, "repository");
    Objects.requireNonNull(members, "members");
    if (id.isBlank()) {
      throw new IllegalArgumentException("channel id is blank: give the chat's channel id");
    }
    if (name.isBlank()) {
      throw new IllegalArgumentException("channel name is blank for channel `" + id + "`");
    }
    members = Set.copyOf(members);
  }

  /** A public channel, readable by every token holder. */
  public static ServedChannel publicChannel(String id, String name, Path repository) {
    return new ServedChannel(id, name, repository, false, Set.of());
  }

  /** A private channel, readable by its members only. */
  public static ServedChannel privateChannel(
      String id, String name, Path repository, Set<String> members) {
    return new ServedChannel(id, name, repository, true, members);
  }

  /**
   * Whether {@code userId} (null for anonymous) may read this channel, ignoring anonymity rules.
   */
  public boolean readableBy(String userId) {
    return !isPrivate || (userId != null && members.contains(userId));
  }
}
