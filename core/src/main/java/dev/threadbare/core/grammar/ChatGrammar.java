package dev.threadbare.core.grammar;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Reads a Slack message as threadbare's chat grammar (DESIGN.md section 2): file blocks, {@code
 * rm}/{@code mv} and other commands, and the commit message. Pure and thread safe.
 */
public final class ChatGrammar {

  private final int maxLines;

  private ChatGrammar(int maxLines) {
    this.maxLines = maxLines;
  }

  /** A grammar with the default lint limit ({@code lint.max_lines} = 400). */
  public static ChatGrammar create() {
    return new ChatGrammar(400);
  }

  /** A grammar whose code blocks may hold at most {@code maxLines} lines. */
  public static ChatGrammar withMaxLines(int maxLines) {
    return new ChatGrammar(maxLines);
  }

  /**
   * Parses one Slack message object (the {@code event} of a {@code message} event, or an element of
   * an export's day file): its {@code text}, its {@code blocks} and the given attachments.
   */
  public ParsedMessage parse(JsonNode message, List<Attachment> attachments) {
    throw new UnsupportedOperationException("grammar: not written yet (max " + maxLines + ")");
  }
}
