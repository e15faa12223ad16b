package dev.threadbare.core.chat;

import java.util.Comparator;
import java.util.Objects;

/**
 * The identity of a chat message: workspace (team), channel and Slack timestamp. Immutable.
 *
 * <p>Slack timestamps look like {@code 1700000000.000100}: seconds, a dot, six digits. They are
 * unique per channel and ordered; {@link #ORDER} compares them numerically.
 */
public record MessageId(String team, String channel, String ts) {

  /** Orders message ids by channel, then by the numeric value of {@code ts}. */
  public static final Comparator<MessageId> ORDER =
      Comparator.comparing(MessageId::team)
          .thenComparing(MessageId::channel)
          .thenComparing(MessageId::ts, SlackTs.ORDER);

  public MessageId {
    Objects.requireNonNull(team, "team");
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(ts, "ts");
    if (channel.isEmpty()) {
      throw new IllegalArgumentException("message id needs a channel");
    }
    SlackTs.requireValid(ts);
  }
}
