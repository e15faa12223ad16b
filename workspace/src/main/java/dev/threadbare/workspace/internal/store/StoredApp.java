package dev.threadbare.workspace.internal.store;

import java.util.Objects;

/**
 * A Slack app registered in the local workspace besides threadbare's own bot.
 *
 * <p>An immutable value, safe to share between threads.
 *
 * @param id app id ({@code A…})
 * @param name the app's name, also its bot user's name
 * @param botUserId the app's bot user ({@code U…})
 * @param eventsUrl the Events API Request URL, null when the app uses Socket Mode only
 * @param signingSecret the secret its event deliveries are signed with
 */
public record StoredApp(
    String id, String name, String botUserId, String eventsUrl, String signingSecret) {

  /** Validates the required fields. */
  public StoredApp {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(botUserId, "botUserId");
    Objects.requireNonNull(signingSecret, "signingSecret");
  }
}
