package dev.threadbare.chat.bot;

import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Decides a {@code merge} that main's {@code [review]} gates (approvals and green CI), at the time
 * it is asked: serve wires one over its CI runs and the chat's approvals. The bot records an
 * accepted decision in the thread ({@code core/review/MergeDecision}), which is what merges; a
 * refusal is told to the asker alone and merges nothing. Implementations are thread safe.
 */
@FunctionalInterface
public interface MergeGate {

  /**
   * One {@code merge} asked in a thread.
   *
   * @param team the workspace
   * @param channel the channel id
   * @param threadTs the thread's root ts
   * @param branch the thread's branch, {@code thread/<root ts>}
   * @param requester who said {@code merge}
   */
  record Request(String team, String channel, String threadTs, String branch, String requester) {
    public Request {
      Objects.requireNonNull(channel, "channel");
      Objects.requireNonNull(threadTs, "threadTs");
      Objects.requireNonNull(branch, "branch");
    }
  }

  /** What the gate decided. */
  sealed interface Decision {}

  /**
   * The merge may go ahead.
   *
   * @param approvers who approved (sorted user ids; empty when none were needed)
   * @param ciCommit the thread's head whose CI is green, or null when CI was not asked for
   */
  record Accepted(SortedSet<String> approvers, String ciCommit) implements Decision {
    public Accepted {
      approvers = new TreeSet<>(approvers);
    }
  }

  /** The merge may not go ahead: {@code reason} says what is missing, for the asker. */
  record Refused(String reason) implements Decision {
    public Refused {
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** Decides {@code request}; never null. */
  Decision decide(Request request);

  /** No gate wired: a gated merge cannot be decided here, and the asker is told so. */
  MergeGate NONE =
      request ->
          new Refused(
              "this threadbare checks no approvals or CI, so it cannot accept a merge that main's"
                  + " threadbare.toml gates ([review] approvals)");
}
