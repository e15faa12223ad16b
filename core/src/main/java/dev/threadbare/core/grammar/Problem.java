package dev.threadbare.core.grammar;

import java.util.Objects;

/**
 * Why part of a message was not taken: the offending input, the rule it breaks, and a sentence for
 * the sender. Immutable.
 *
 * <p>Most problems refuse the message's whole change (see {@link #refusesChange()}): a bad path, a
 * path named twice, a block over the lint limit or an unterminated fence would otherwise commit
 * part of what the sender meant. Two kinds only skip their own part: a code block without a path
 * ({@link #NO_PATH}: it is just a snippet in a conversation) and an attachment that is not text
 * ({@link #BINARY_ATTACHMENT}: screenshots travel with code all the time).
 *
 * @param input the offending input (a path, the first line of a block, a file name), as given
 * @param rule a short, stable rule name: one of the constants here or a {@code PathRules.RULE_*}
 * @param message a sentence for the sender naming the input and the likely fix
 */
public record Problem(String input, String rule, String message) {

  /** Rule: a code block names no file. Skips the block only. */
  public static final String NO_PATH = "no-path";

  /** Rule: an attachment is not UTF-8 text (nor CSV, nor SVG). Skips the attachment only. */
  public static final String BINARY_ATTACHMENT = "binary-attachment";

  /** Rule: one message names a path twice (two blocks, or a block and {@code rm}/{@code mv}). */
  public static final String DUPLICATE_PATH = "duplicate-path";

  /** Rule: a code block is longer than {@code lint.max_lines} or Slack's message limit. */
  public static final String TOO_LONG = "too-long";

  /**
   * Rule: a path is a file where another is a directory of the same name ({@code lib} beside {@code
   * lib/one.py}); git cannot hold both, so the newer definition is not taken.
   */
  public static final String PATH_CONFLICT = "path-conflict";

  /**
   * Rule: {@code merge} found paths changed on both {@code main} and the thread in the same lines;
   * the message holds the conflicting hunks. Nothing was merged.
   */
  public static final String MERGE_CONFLICT = "merge-conflict";

  /** Rule: {@code merge} found nothing in the thread that {@code main} does not already hold. */
  public static final String MERGE_NOTHING = "merge-nothing";

  /**
   * Rule: {@code merge} waits for the gate: main's {@code [review]} asks for approvals and green
   * CI, so the merge happens when the bot records its decision in the thread.
   */
  public static final String MERGE_GATED = "merge-gated";

  /** Rule: {@code merge} cannot read main's {@code threadbare.toml}; nothing was merged. */
  public static final String MERGE_SETTINGS = "merge-settings";

  /** Rule: {@code [review] protect_main = true}: code reaches {@code main} only by merge. */
  public static final String PROTECTED_MAIN = "protect-main";

  /** Rule: an opening {@code ```} has no closing one. */
  public static final String UNTERMINATED_FENCE = "unterminated-fence";

  public Problem {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(message, "message");
  }

  /**
   * Whether this problem refuses the message's whole change (no file, no {@code rm}/{@code mv}, no
   * command of the message takes effect). True for every rule except {@link #NO_PATH} and {@link
   * #BINARY_ATTACHMENT}.
   */
  public boolean refusesChange() {
    return !rule.equals(NO_PATH) && !rule.equals(BINARY_ATTACHMENT) && !isMerge();
  }

  /**
   * Whether this problem is about a {@code merge} (conflict, nothing to merge, waiting for the
   * gate, unreadable settings): answered in the thread or by the gate, not as a refusal.
   */
  public boolean isMerge() {
    return rule.startsWith("merge-");
  }
}
