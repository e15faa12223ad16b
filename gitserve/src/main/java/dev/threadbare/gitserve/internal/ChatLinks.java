package dev.threadbare.gitserve.internal;

import dev.threadbare.gitserve.ServedChannel;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a message link opens: a commit's {@code Chat-Message} trailer names the message by a
 * Slack-shaped permalink ({@code https://slack.com/archives/<channel>/p<ts>}); on the local
 * workspace the same path opens the message in our own chat UI, on Slack in the team's Slack.
 * Immutable.
 */
final class ChatLinks {
  private static final Pattern ARCHIVES =
      Pattern.compile("^https?://[^/?#]+(/archives/[A-Za-z0-9]+/p(\\d{7,})(?:[?#].*)?)$");

  private final String chatUrl;

  /** Links opening at {@code chatUrl} (no trailing slash), or the trailers' own when null. */
  ChatLinks(String chatUrl) {
    this.chatUrl = chatUrl;
  }

  /** The link to open for a trailer's permalink, or null for null. */
  String message(String permalink) {
    if (permalink == null || chatUrl == null) {
      return permalink;
    }
    Matcher matcher = ARCHIVES.matcher(permalink);
    return matcher.matches() ? chatUrl + matcher.group(1) : permalink;
  }

  /** The channel in the chat, or null when the chat's location is not known. */
  String channel(ServedChannel channel) {
    return chatUrl == null ? null : chatUrl + "/archives/" + channel.id();
  }

  /** The message ts a permalink names ({@code p1712000100000100} → {@code 1712000100.000100}). */
  static String tsOf(String permalink) {
    if (permalink == null) {
      return null;
    }
    Matcher matcher = ARCHIVES.matcher(permalink);
    if (!matcher.matches()) {
      return null;
    }
    String digits = matcher.group(2);
    return digits.substring(0, digits.length() - 6) + "." + digits.substring(digits.length() - 6);
  }
}
