package dev.threadbare.gitserve;

import java.util.Optional;

/**
 * The port through which the code browser reads the conversation around a chat message: the message
 * that wrote a version and the thread it belongs to, with who said what and the reactions. The app
 * implements it over the chat; gitserve never talks to the chat itself.
 *
 * <p>Implementations must be thread safe: every blame popover asks.
 */
@FunctionalInterface
public interface Conversations {

  /**
   * The conversation around one message.
   *
   * @param channelId the chat's channel id
   * @param messageTs the message's ts
   * @param threadTs the thread's root ts when the message is a reply, else null
   * @return the thread (or the lone message), or empty when the chat no longer has it
   */
  Optional<Conversation> around(String channelId, String messageTs, String threadTs);
}
