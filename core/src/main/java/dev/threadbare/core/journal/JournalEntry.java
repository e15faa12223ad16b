package dev.threadbare.core.journal;

import java.time.Instant;
import java.util.Objects;

/**
 * One durable record of the journal. Immutable.
 *
 * @param seq the journal's position for this entry, assigned on append (0 before that); replay
 *     order is {@code seq} order
 * @param team the Slack team (workspace) id
 * @param channel the channel id (empty for {@link EntryKind#USER})
 * @param ts the message ts the entry is about ({@code "0"} for user and channel entries)
 * @param kind what the entry records
 * @param version distinguishes entries of one kind about one message; see {@link EntryKind}
 * @param threadTs the thread root's ts for a reply, else null
 * @param user the acting user id (author, reactor), or null
 * @param eventTime when the chat says the event happened (becomes the committer time)
 * @param payload the Slack JSON the entry came from, verbatim
 */
public record JournalEntry(
    long seq,
    String team,
    String channel,
    String ts,
    EntryKind kind,
    String version,
    String threadTs,
    String user,
    Instant eventTime,
    String payload) {

  public JournalEntry {
    Objects.requireNonNull(team, "team");
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(ts, "ts");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(eventTime, "eventTime");
    Objects.requireNonNull(payload, "payload");
  }

  /** This entry with the journal position {@code seq}. */
  public JournalEntry withSeq(long newSeq) {
    return new JournalEntry(
        newSeq, team, channel, ts, kind, version, threadTs, user, eventTime, payload);
  }
}
