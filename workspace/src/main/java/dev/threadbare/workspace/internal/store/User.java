package dev.threadbare.workspace.internal.store;

import java.util.Objects;

/**
 * A member of the workspace: a person or the bot.
 *
 * <p>An immutable value, safe to share between threads.
 *
 * @param id Slack-style user id ({@code U…})
 * @param name unique handle
 * @param realName display name
 * @param admin whether the user administers the workspace
 * @param bot whether this is the bot user
 * @param botId the bot's {@code B…} id, null for people
 * @param created creation time, epoch seconds
 */
public record User(
    String id,
    String name,
    String realName,
    boolean admin,
    boolean bot,
    String botId,
    long created) {

  /** Validates the required fields. */
  public User {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(realName, "realName");
  }
}
