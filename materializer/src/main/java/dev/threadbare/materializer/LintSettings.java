package dev.threadbare.materializer;

import dev.threadbare.core.grammar.ChatGrammar;
import dev.threadbare.core.grammar.Problem;
import dev.threadbare.core.review.ReviewSettings;
import java.util.Objects;
import org.tomlj.Toml;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlTable;

/**
 * The {@code [lint]} section of a repository's {@code threadbare.toml}: {@code max_lines}, the
 * longest code block a message may hold (DESIGN.md section 2; an attachment is exempt). Part of the
 * head rule's input: the limit a message meets is the one in its branch's tree when the journal
 * applies it (see {@code Materializer}). Stateless.
 */
final class LintSettings {

  /**
   * The rule of a {@code [lint]} section that cannot be used: the message defining it is refused.
   */
  static final String RULE = "lint-settings";

  private LintSettings() {}

  /**
   * The {@code max_lines} of {@code toml}: {@link ChatGrammar#DEFAULT_MAX_LINES} when the file
   * leaves it out or is not TOML at all (its other readers report that).
   *
   * @throws IllegalArgumentException naming the key and the rule when {@code [lint] max_lines} is
   *     present but not a positive whole number
   */
  static int maxLines(String toml) {
    Objects.requireNonNull(toml, "toml");
    TomlParseResult result = Toml.parse(toml);
    if (result.hasErrors() || !result.contains("lint")) {
      return ChatGrammar.DEFAULT_MAX_LINES;
    }
    if (!result.isTable("lint")) {
      throw new IllegalArgumentException(
          ReviewSettings.FILE + ": `lint` must be a table ([lint]), like [lint] max_lines = 400");
    }
    TomlTable lint = Objects.requireNonNull(result.getTable("lint"));
    if (!lint.contains("max_lines")) {
      return ChatGrammar.DEFAULT_MAX_LINES;
    }
    if (!lint.isLong("max_lines")) {
      throw new IllegalArgumentException(
          ReviewSettings.FILE
              + ": [lint] max_lines must be a whole number of lines, like max_lines = 400");
    }
    long value = Objects.requireNonNull(lint.getLong("max_lines"));
    if (value < 1 || value > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          ReviewSettings.FILE
              + ": [lint] max_lines = "
              + value
              + " is out of range: a code block may hold from 1 to "
              + Integer.MAX_VALUE
              + " lines (default "
              + ChatGrammar.DEFAULT_MAX_LINES
              + ")");
    }
    return (int) value;
  }

  /** The problem that refuses a message defining an unusable {@code [lint]}, or null. */
  static Problem problem(String toml) {
    try {
      maxLines(toml);
      return null;
    } catch (IllegalArgumentException e) {
      return new Problem(
          ReviewSettings.FILE, RULE, e.getMessage() + "; nothing of this message was taken");
    }
  }
}
