package dev.threadbare.workspace.internal.store;

import java.util.List;
import java.util.Objects;

/**
 * One emoji on a message with the users who added it, in the order they did.
 *
 * <p>An immutable value, safe to share between threads.
 *
 * @param name emoji name without colons
 * @param users user ids
 */
public record Reaction(String name, List<String> users) {

  /** Validates and copies. */
  public Reaction {
    Objects.requireNonNull(name, "name");
    users = List.copyOf(users);
  }
}
