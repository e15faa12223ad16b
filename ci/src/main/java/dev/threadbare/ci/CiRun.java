package dev.threadbare.ci;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One run of one commit on one branch, as stored. Immutable: a change is a new value.
 *
 * @param id the store's id (increasing)
 * @param channel the channel id
 * @param channelName the channel's name when known (else the id)
 * @param ref the branch ({@code main}, {@code thread/<ts>})
 * @param commit the commit id (40 hex)
 * @param messageTs the chat message that made the commit, or null
 * @param test the command run
 * @param timeout the run's wall-clock limit
 * @param status where the run is
 * @param detail why it ended as it did (the exit status, the limit, who superseded it)
 * @param queuedAt when it was queued
 * @param startedAt when it (last) started running, or null
 * @param finishedAt when it ended, or null
 * @param reported whether its final status was handed to the listener
 */
public record CiRun(
    long id,
    String channel,
    String channelName,
    String ref,
    String commit,
    String messageTs,
    String test,
    Duration timeout,
    RunStatus status,
    String detail,
    Instant queuedAt,
    Instant startedAt,
    Instant finishedAt,
    boolean reported) {

  public CiRun {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(channelName, "channelName");
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(commit, "commit");
    Objects.requireNonNull(test, "test");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(detail, "detail");
    Objects.requireNonNull(queuedAt, "queuedAt");
  }

  /** Seconds it ran (so far, while running), or 0 if it never started. */
  public double seconds(Instant now) {
    if (startedAt == null) {
      return 0;
    }
    Instant end = finishedAt == null ? now : finishedAt;
    return Duration.between(startedAt, end).toMillis() / 1000.0;
  }

  /** The first 12 characters of the commit. */
  public String shortCommit() {
    return commit.substring(0, Math.min(12, commit.length()));
  }
}
