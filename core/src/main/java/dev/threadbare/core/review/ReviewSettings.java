package dev.threadbare.core.review;

import java.util.Objects;
import org.tomlj.Toml;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlTable;

/**
 * The {@code [review]} section of a repository's {@code threadbare.toml} (DESIGN.md section 6): how
 * many approvals a merge (and a promotion) needs, and whether code reaches {@code main} only by
 * merge. A merge is gated by the settings on {@code main}, never by the thread's own file, so a
 * change cannot lower its own bar. Immutable.
 *
 * @param approvals the 👍 a merge needs (0: none, and then no green CI either)
 * @param protectMain whether a top-level message with code is refused: code reaches {@code main}
 *     only by {@code merge}
 */
public record ReviewSettings(int approvals, boolean protectMain) {

  /** The file that configures a repository. */
  public static final String FILE = "threadbare.toml";

  /** No approvals, main open: what a repository without {@code [review]} gets. */
  public static final ReviewSettings DEFAULTS = new ReviewSettings(0, false);

  /** More approvals than this is surely a typo. */
  static final int MAX_APPROVALS = 100;

  public ReviewSettings {
    if (approvals < 0 || approvals > MAX_APPROVALS) {
      throw new ReviewSettingsException(
          FILE
              + ": [review] approvals = "
              + approvals
              + " is out of range: from 0 to "
              + MAX_APPROVALS);
    }
  }

  /** Whether a merge needs approvals and green CI. */
  public boolean gated() {
    return approvals > 0;
  }

  /**
   * The review settings of {@code toml} ({@link #DEFAULTS} for what it leaves out).
   *
   * @throws ReviewSettingsException naming the key and the rule when the file or a value is
   *     malformed
   */
  public static ReviewSettings parse(String toml) {
    return parse(toml, DEFAULTS);
  }

  /**
   * The review settings of {@code toml}, taking what it leaves out from {@code defaults} (a
   * promotion's bar defaults to one approval where a merge's is none).
   *
   * @throws ReviewSettingsException naming the key and the rule when the file or a value is
   *     malformed
   */
  public static ReviewSettings parse(String toml, ReviewSettings defaults) {
    Objects.requireNonNull(toml, "toml");
    Objects.requireNonNull(defaults, "defaults");
    TomlParseResult result = Toml.parse(toml);
    if (result.hasErrors()) {
      throw new ReviewSettingsException(
          FILE + " is not valid TOML: " + result.errors().get(0).toString());
    }
    if (!result.contains("review")) {
      return defaults;
    }
    if (!result.isTable("review")) {
      throw new ReviewSettingsException(FILE + ": `review` must be a table ([review])");
    }
    TomlTable review = Objects.requireNonNull(result.getTable("review"));
    int approvals = defaults.approvals();
    if (review.contains("approvals")) {
      if (!review.isLong("approvals")) {
        throw new ReviewSettingsException(
            FILE + ": [review] approvals must be a whole number, like approvals = 1");
      }
      long value = Objects.requireNonNull(review.getLong("approvals"));
      if (value < 0 || value > MAX_APPROVALS) {
        throw new ReviewSettingsException(
            FILE
                + ": [review] approvals = "
                + value
                + " is out of range: from 0 to "
                + MAX_APPROVALS);
      }
      approvals = (int) value;
    }
    boolean protectMain = defaults.protectMain();
    if (review.contains("protect_main")) {
      if (!review.isBoolean("protect_main")) {
        throw new ReviewSettingsException(
            FILE + ": [review] protect_main must be true or false, like protect_main = true");
      }
      protectMain = Objects.requireNonNull(review.getBoolean("protect_main"));
    }
    return new ReviewSettings(approvals, protectMain);
  }
}
