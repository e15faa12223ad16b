package dev.threadbare.chat.outbox;

import dev.threadbare.core.journal.JournalEntry;
import java.util.Objects;

/**
 * One Web API call the bot wants made, as the outbox stores it. Immutable. Every call carries an
 * idempotency {@code key}: enqueueing a key the outbox already holds does nothing, so a restart or
 * a replayed journal entry never sends twice. Calls of one channel are sent in enqueue order.
 */
public sealed interface OutgoingCall {

  /** The conversation the call is about; per-channel order and rate limits are kept on it. */
  String channel();

  /** The idempotency key (unique in the outbox). */
  String key();

  /** The Slack Web API method, such as {@code chat.postMessage}. */
  String method();

  /**
   * {@code chat.postMessage}: a message from the bot, in a thread when {@code threadTs} is not
   * null.
   */
  record PostMessage(String key, String channel, String threadTs, String text)
      implements OutgoingCall {
    public PostMessage {
      requireKeyAndChannel(key, channel);
      Objects.requireNonNull(text, "text");
    }

    @Override
    public String method() {
      return "chat.postMessage";
    }
  }

  /** {@code chat.postEphemeral}: a message only {@code user} sees, such as a grammar error. */
  record PostEphemeral(String key, String channel, String user, String threadTs, String text)
      implements OutgoingCall {
    public PostEphemeral {
      requireKeyAndChannel(key, channel);
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(text, "text");
    }

    @Override
    public String method() {
      return "chat.postEphemeral";
    }
  }

  /** {@code reactions.add}: the reaction {@code name} (without colons) on message {@code ts}. */
  record AddReaction(String key, String channel, String ts, String name) implements OutgoingCall {
    public AddReaction {
      requireKeyAndChannel(key, channel);
      Objects.requireNonNull(ts, "ts");
      Objects.requireNonNull(name, "name");
    }

    /**
     * The reaction {@code name} on the message of {@code entry}, keyed so that adding it again (a
     * redelivery, a restart, another piece reacting the same) sends nothing twice.
     */
    public static AddReaction to(JournalEntry entry, String name) {
      return new AddReaction(
          "react:" + entry.team() + ":" + entry.channel() + ":" + entry.ts() + ":" + name,
          entry.channel(),
          entry.ts(),
          name);
    }

    @Override
    public String method() {
      return "reactions.add";
    }
  }

  /** {@code reactions.remove}: takes the bot's reaction {@code name} off message {@code ts}. */
  record RemoveReaction(String key, String channel, String ts, String name)
      implements OutgoingCall {
    public RemoveReaction {
      requireKeyAndChannel(key, channel);
      Objects.requireNonNull(ts, "ts");
      Objects.requireNonNull(name, "name");
    }

    @Override
    public String method() {
      return "reactions.remove";
    }
  }

  /**
   * {@code chat.update}: replaces the text of the bot's own message posted earlier by the {@link
   * PostMessage} whose key is {@code targetKey} (its ts is resolved when this call is sent).
   */
  record UpdateMessage(String key, String channel, String targetKey, String text)
      implements OutgoingCall {
    public UpdateMessage {
      requireKeyAndChannel(key, channel);
      Objects.requireNonNull(targetKey, "targetKey");
      Objects.requireNonNull(text, "text");
    }

    @Override
    public String method() {
      return "chat.update";
    }
  }

  private static void requireKeyAndChannel(String key, String channel) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(channel, "channel");
    if (key.isEmpty() || key.length() > 500) {
      throw new IllegalArgumentException(
          "outbox key `" + key + "` must be 1 to 500 characters: derive it from the journal entry");
    }
    if (channel.isEmpty()) {
      throw new IllegalArgumentException("outgoing call `" + key + "` names no channel");
    }
  }
}
