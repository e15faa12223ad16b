package dev.threadbare.gitserve;

import java.util.List;

/**
 * The port through which the code browser shows who approved each version (👍 on its chat message
 * or its thread; DESIGN.md section 3). The app implements it over the journal; gitserve never reads
 * the chat itself. Implementations are thread safe.
 */
@FunctionalInterface
public interface Approvers {

  /** Who approves a message's commit: names (or user ids) in a stable order. */
  @FunctionalInterface
  interface Lookup {
    /**
     * @param messageTs the ts of the message that made the commit
     * @param threadTs its thread's root ts when it is a reply, else null
     */
    List<String> approving(String messageTs, String threadTs);
  }

  /** A lookup for one page of channel {@code channelId} (built once per page). */
  Lookup of(String channelId);

  /** Shows no approvals. */
  Approvers NONE = channel -> (ts, thread) -> List.of();
}
