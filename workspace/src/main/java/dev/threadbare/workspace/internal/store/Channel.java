package dev.threadbare.workspace.internal.store;

import java.util.Objects;

/**
 * A public or private channel.
 *
 * <p>An immutable value, safe to share between threads.
 *
 * @param id Slack-style channel id ({@code C…})
 * @param name unique lower-case name
 * @param isPrivate whether only members see it
 * @param general whether it is the workspace's default channel
 * @param creator user id of the creator
 * @param created creation time, epoch seconds
 * @param topic the topic, possibly empty
 * @param purpose the purpose, possibly empty
 */
public record Channel(
    String id,
    String name,
    boolean isPrivate,
    boolean general,
    String creator,
    long created,
    String topic,
    String purpose) {

  /** Validates the required fields. */
  public Channel {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(creator, "creator");
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(purpose, "purpose");
  }
}
