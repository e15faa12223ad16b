package dev.threadbare.core.chat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * Reads the fields of a Slack message object (https://api.slack.com/events/message) that threadbare
 * cares about, tolerating absent fields. Stateless and thread safe.
 */
public final class SlackMessages {
  private SlackMessages() {}

  /**
   * Whether a bot wrote the message: it has a {@code bot_id} or a {@code bot_profile}, the subtype
   * {@code bot_message}, or comes from Slackbot ({@code USLACKBOT}). Bots' messages are never code
   * (DESIGN.md section 3) and never answered. The one rule: the materializer and the bot both ask
   * here.
   */
  public static boolean isBot(JsonNode message) {
    Objects.requireNonNull(message, "message");
    return !text(message, "bot_id").isEmpty()
        || message.hasNonNull("bot_profile")
        || "bot_message".equals(subtype(message))
        || "USLACKBOT".equals(user(message));
  }

  /**
   * Whether a bot wrote the message, counting the app's own user ({@code ownUserId}, the bot user
   * threadbare posts as, which may be null) as a bot.
   */
  public static boolean isBot(JsonNode message, String ownUserId) {
    return isBot(message) || (ownUserId != null && ownUserId.equals(user(message)));
  }

  /** The message's {@code ts}, or null. */
  public static String ts(JsonNode message) {
    return nullIfEmpty(text(message, "ts"));
  }

  /**
   * The ts of the thread the message replies in, or null for a top-level message or a thread's root
   * (whose {@code thread_ts} is its own {@code ts}).
   */
  public static String threadTs(JsonNode message) {
    String thread = nullIfEmpty(text(message, "thread_ts"));
    if (thread == null || thread.equals(ts(message))) {
      return null;
    }
    return thread;
  }

  /** The author's user id, or null (bot messages often have none). */
  public static String user(JsonNode message) {
    return nullIfEmpty(text(message, "user"));
  }

  /** The {@code edited.ts} of an edited message, or null. */
  public static String editedTs(JsonNode message) {
    JsonNode edited = message.path("edited");
    return nullIfEmpty(edited.isObject() ? text(edited, "ts") : "");
  }

  /** The journal version of this message: its {@code edited.ts}, or {@code ""} if never edited. */
  public static String version(JsonNode message) {
    String edited = editedTs(message);
    return edited == null ? "" : edited;
  }

  /** The message's {@code subtype}, or null. */
  public static String subtype(JsonNode message) {
    return nullIfEmpty(text(message, "subtype"));
  }

  /** The message's {@code text}, or {@code ""}. */
  public static String text(JsonNode message) {
    return text(message, "text");
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value != null && value.isValueNode() && !value.isNull() ? value.asText() : "";
  }

  private static String nullIfEmpty(String s) {
    return s.isEmpty() ? null : s;
  }
}
