package dev.threadbare.core.review;

import java.util.Objects;
import java.util.SortedSet;
import java.util.stream.Collectors;

/**
 * The bot's record, in the thread, that a gated {@code merge} was accepted (DESIGN.md section 3): a
 * bot reply whose text starts with {@link #MARKER}. When main's {@code [review]} asks for
 * approvals, the gates (approvals, green CI) are not facts of the journal at the time they are
 * checked, so the decision itself becomes one: a chat message, journaled like every other, kept by
 * a Slack export, and read by the materializer, which merges at that reply. Stateless.
 */
public final class MergeDecision {

  /** How a decision's text starts; nothing else a bot says starts so. */
  public static final String MARKER = "Merge accepted:";

  private MergeDecision() {}

  /**
   * The decision's text: {@code Merge accepted: thread/… into main (approved by <@U1>, <@U2>; CI
   * green on abc1234567).}
   */
  public static String text(String branch, SortedSet<String> approvers, String ciCommit) {
    Objects.requireNonNull(branch, "branch");
    Objects.requireNonNull(approvers, "approvers");
    String approved =
        approvers.isEmpty()
            ? "no approvals needed"
            : "approved by "
                + approvers.stream().map(u -> "<@" + u + ">").collect(Collectors.joining(", "));
    String ci =
        ciCommit == null
            ? ""
            : "; CI green on `" + ciCommit.substring(0, Math.min(10, ciCommit.length())) + "`";
    return MARKER + " `" + branch + "` into `main` (" + approved + ci + ").";
  }

  /** Whether a bot message's {@code text} records a merge decision. */
  public static boolean isDecision(String text) {
    return text != null && text.startsWith(MARKER);
  }
}
