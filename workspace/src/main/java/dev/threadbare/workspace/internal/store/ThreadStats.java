package dev.threadbare.workspace.internal.store;

import java.util.List;

/**
 * The live replies of a thread, summarised as Slack shows them on the root.
 *
 * <p>An immutable value, safe to share between threads.
 *
 * @param replyCount number of live replies
 * @param replyUsers distinct repliers, first repliers first
 * @param latestReply ts of the newest live reply, or null
 */
public record ThreadStats(int replyCount, List<String> replyUsers, String latestReply) {

  /** Copies the users. */
  public ThreadStats {
    replyUsers = List.copyOf(replyUsers);
  }
}
