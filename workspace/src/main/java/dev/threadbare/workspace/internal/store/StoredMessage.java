package dev.threadbare.workspace.internal.store;

import java.util.Objects;

/**
 * One message of a channel as stored: its current text and blocks, and what happened to it.
 *
 * <p>An immutable value, safe to share between threads.
 *
 * @param channel channel id
 * @param ts Slack timestamp, unique in the channel
 * @param threadTs root ts when this is a reply, else null
 * @param user author's user id
 * @param subtype Slack subtype ({@code thread_broadcast}, {@code file_share}) or null
 * @param text the {@code text} field, with Slack's escaping
 * @param blocksJson JSON array of blocks, or null
 * @param attachmentsJson JSON array of legacy attachments, or null
 * @param metadataJson JSON object {@code {"event_type":…,"event_payload":{…}}} posted with the
 *     message, or null
 * @param fileIds comma-separated file ids, or null
 * @param clientMsgId the client's message id (people only), or null
 * @param editedTs ts of the last edit, or null
 * @param editedBy user id of the last editor, or null
 * @param deleted whether the message was deleted
 */
public record StoredMessage(
    String channel,
    String ts,
    String threadTs,
    String user,
    String subtype,
    String text,
    String blocksJson,
    String attachmentsJson,
    String metadataJson,
    String fileIds,
    String clientMsgId,
    String editedTs,
    String editedBy,
    boolean deleted) {

  /** Validates the required fields. */
  public StoredMessage {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(ts, "ts");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(text, "text");
  }

  /** Whether this is a reply in a thread (not the thread's root). */
  public boolean isReply() {
    return threadTs != null && !threadTs.equals(ts);
  }
}
