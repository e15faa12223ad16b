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
 * @see PresentedSecrets#appSigningSecret where its signing secret is kept (not in the database)
 */
public record StoredApp(String id, String name, String botUserId, String eventsUrl) {

  /** Validates the required fields. */
  public StoredApp {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(botUserId, "botUserId");
  }
}
