package dev.threadbare.gitserve;

import java.util.List;
import java.util.Objects;

/**
 * A conversation as the code browser shows it beside a blamed line: the messages of a thread (or
 * one message that has no thread), oldest first. Immutable.
 *
 * @param channelId the chat's channel id
 * @param threadTs the thread's root ts, or null for a message with no replies
 * @param messages the messages, oldest first (the root first)
 */
public record Conversation(String channelId, String threadTs, List<Message> messages) {

  /** Validates and copies. */
  public Conversation {
    Objects.requireNonNull(channelId, "channelId");
    messages = List.copyOf(Objects.requireNonNull(messages, "messages"));
  }

  /**
   * One message.
   *
   * @param ts the message ts
   * @param userId who wrote it (a user or bot id)
   * @param userName their display name
   * @param text the message's text (Slack mrkdwn)
   * @param reactions its reactions, in the chat's order
   * @param edited whether the message was edited
   */
  public record Message(
      String ts,
      String userId,
      String userName,
      String text,
      List<Reaction> reactions,
      boolean edited) {
    /** Validates and copies. */
    public Message {
      Objects.requireNonNull(ts, "ts");
      Objects.requireNonNull(userId, "userId");
      Objects.requireNonNull(userName, "userName");
      Objects.requireNonNull(text, "text");
      reactions = List.copyOf(Objects.requireNonNull(reactions, "reactions"));
    }
  }

  /**
   * One reaction on a message.
   *
   * @param name the emoji name without colons, such as {@code +1}
   * @param count how many people reacted so
   * @param userNames their display names
   */
  public record Reaction(String name, int count, List<String> userNames) {
    /** Validates and copies. */
    public Reaction {
      Objects.requireNonNull(name, "name");
      userNames = List.copyOf(Objects.requireNonNull(userNames, "userNames"));
    }
  }
}
