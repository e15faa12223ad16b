package dev.threadbare.app.serve;

import dev.threadbare.chat.bot.MergeGate;
import dev.threadbare.ci.CiConfig;
import dev.threadbare.ci.CiConfigException;
import dev.threadbare.ci.CiRun;
import dev.threadbare.ci.RunStatus;
import dev.threadbare.ci.RunStore;
import dev.threadbare.core.review.ReviewSettings;
import dev.threadbare.core.review.ReviewSettingsException;
import dev.threadbare.materializer.GitStore;
import dev.threadbare.materializer.UnknownPathException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import org.eclipse.jgit.lib.ObjectId;

/**
 * The merge gate of {@code serve} (DESIGN.md sections 3 and 6): a {@code merge} that main's {@code
 * [review] approvals = N} gates needs N approvals of the thread and, when main's {@code [ci]} runs
 * tests, a green run of the thread's head in CI's run store. Both are read from main, never from
 * the thread, so a thread cannot lower its own bar. What it decides is recorded in the thread by
 * the bot; that record, not this check, is the journal fact the merge follows from.
 *
 * <p>Approvals come through {@link ThreadApprovals}: until one is wired ({@link #approvalsFrom}),
 * none are required. Thread safe.
 */
final class MergeGates implements MergeGate {

  /** Who approves a thread: thumbs-up on its root from people who wrote none of its changes. */
  @FunctionalInterface
  interface ThreadApprovals {
    /** The approvers (user ids) of the thread rooted at {@code threadTs} in {@code channel}. */
    SortedSet<String> of(String channel, String threadTs);
  }

  private final GitStore store;
  private final RunStore ciRuns;
  private volatile ThreadApprovals approvals;

  /** A gate over the git store and CI's runs ({@code ciRuns} null: CI does not run here). */
  MergeGates(GitStore store, RunStore ciRuns) {
    this.store = Objects.requireNonNull(store, "store");
    this.ciRuns = ciRuns;
  }

  /** Counts approvals with {@code source} from now on. */
  MergeGates approvalsFrom(ThreadApprovals source) {
    this.approvals = Objects.requireNonNull(source, "source");
    return this;
  }

  @Override
  public Decision decide(Request request) {
    String channel = request.channel();
    Optional<String> toml = mainFile(channel);
    ReviewSettings review;
    try {
      review = toml.map(ReviewSettings::parse).orElse(ReviewSettings.DEFAULTS);
    } catch (ReviewSettingsException e) {
      return new Refused("main's threadbare.toml cannot be read: " + e.getMessage() + ".");
    }
    List<String> missing = new ArrayList<>();
    SortedSet<String> approvers = new TreeSet<>();
    ThreadApprovals source = approvals;
    if (review.approvals() > 0 && source != null) {
      approvers.addAll(source.of(channel, request.threadTs()));
      if (approvers.size() < review.approvals()) {
        missing.add(
            review.approvals()
                + (review.approvals() == 1 ? " approval" : " approvals")
                + " (a :+1: on the thread's first message from someone who wrote none of it);"
                + " it has "
                + approvers.size()
                + ".");
      }
    }
    String ciCommit = null;
    if (review.gated() && runsTests(toml)) {
      ObjectId head = store.resolve(channel, request.branch());
      String shortId = head.name().substring(0, 10);
      if (ciRuns == null) {
        missing.add("green CI, but CI does not run on this server (no usable sandbox).");
      } else {
        List<CiRun> runs = ciRuns.ofCommit(channel, head.name());
        if (runs.stream().anyMatch(r -> r.status() == RunStatus.PASSED)) {
          ciCommit = head.name();
        } else if (runs.stream()
            .anyMatch(r -> r.status() == RunStatus.QUEUED || r.status() == RunStatus.RUNNING)) {
          missing.add("green CI: the tests of `" + shortId + "` are still running.");
        } else if (runs.isEmpty()) {
          missing.add("green CI: `" + shortId + "` has not been tested yet.");
        } else {
          missing.add(
              "green CI: the tests of `"
                  + shortId
                  + "` ended "
                  + runs.get(0).status().label()
                  + "; post a fix in the thread.");
        }
      }
    }
    if (!missing.isEmpty()) {
      return new Refused(String.join(" ", missing));
    }
    return new Accepted(approvers, ciCommit);
  }

  /** Whether main's {@code threadbare.toml} asks CI to test commits. */
  private static boolean runsTests(Optional<String> toml) {
    try {
      return toml.flatMap(CiConfig::parse).isPresent();
    } catch (CiConfigException e) {
      // A broken [ci] runs nothing, so it cannot be green: the merge waits for main's fix.
      return true;
    }
  }

  private Optional<String> mainFile(String channel) {
    try {
      return Optional.of(
          new String(store.read(channel, "main", ReviewSettings.FILE), StandardCharsets.UTF_8));
    } catch (UnknownPathException e) {
      return Optional.empty();
    }
  }
}
