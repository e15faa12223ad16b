package dev.threadbare.core.journal;

/**
 * What a journal entry records. The entry's identity is {@code (team, channel, ts, kind, version)}:
 * appending an entry whose identity is already stored is a no-op, which makes retries, duplicate
 * deliveries, catch-up and export imports harmless.
 */
public enum EntryKind {
  /**
   * One observed version of a message. {@code version} is the message's {@code edited.ts}, or the
   * empty string for a message never edited. The payload is the Slack message object as JSON. The
   * current text of a message is the version with the greatest {@code edited.ts} (not the one that
   * arrived last).
   */
  MESSAGE,
  /** The message was deleted. {@code version} is empty; the payload is the deletion event. */
  DELETION,
  /**
   * A reaction was added. {@code version} is {@code user:name:event_ts}; the payload is the event.
   */
  REACTION_ADDED,
  /** A reaction was removed; as {@link #REACTION_ADDED}. */
  REACTION_REMOVED,
  /**
   * A user's profile as seen: {@code channel} is empty, {@code ts} is {@code "0"}, {@code version}
   * is the user id, the payload the Slack user object. Later entries replace earlier ones.
   */
  USER,
  /**
   * A channel's description as seen: {@code ts} is {@code "0"}, {@code version} is a hash of the
   * payload, the payload the Slack channel object (id, name, is_private). Later entries win.
   */
  CHANNEL,
  /**
   * The content of a file attached to a message, downloaded by the bot: {@code version} is the
   * Slack file id, the payload JSON {@code {"id","name","title","mimetype","content_base64"}}.
   */
  FILE_CONTENT,
  /**
   * Threadbare's own bot user in a team, as {@code auth.test} names it: {@code channel} is empty,
   * {@code ts} is {@code "0"}, {@code version} and {@code user} are the bot user id, the payload
   * {@code {"team_id","user_id"}}. Journaled by {@code serve} when it starts, before its bot posts,
   * and never made from a chat event, so no other app can claim it. A bot reply counts as a merge
   * decision only when its author was so journaled before it (in journal order), which keeps the
   * head rule a pure function of the journal.
   */
  SELF
}
