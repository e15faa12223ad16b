package dev.threadbare.workspace.internal.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.threadbare.workspace.internal.store.Ids;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Slack's message text format: the {@code text} field escapes {@code & < >} and marks links,
 * mentions and fences in mrkdwn; {@code rich_text} blocks carry the same content unescaped, with
 * code blocks as {@code rich_text_preformatted} elements.
 *
 * @see <a href="https://api.slack.com/reference/surfaces/formatting#escaping">Escaping text</a>
 * @see <a href="https://api.slack.com/reference/block-kit/blocks#rich_text">Rich text blocks</a>
 */
public final class SlackText {

  private static final Pattern URL = Pattern.compile("https?://[^\\s<>\"`]+[^\\s<>\"`.,;:!?)\\]]");
  private static final Pattern MARKUP =
      Pattern.compile("^(@[UWB][A-Z0-9]+|#C[A-Z0-9]+|![a-z^]|https?://|mailto:)");
  private static final String FENCE = "```";

  private SlackText() {}

  /**
   * What a Slack client sends for text a person typed: {@code & < >} escaped and bare URLs made
   * into links ({@code <http://…>}).
   */
  public static String fromTyped(String typed) {
    StringBuilder out = new StringBuilder(typed.length() + 16);
    Matcher url = URL.matcher(typed);
    int at = 0;
    while (url.find()) {
      out.append(escape(typed.substring(at, url.start())));
      out.append('<').append(url.group().replace("&", "&amp;")).append('>');
      at = url.end();
    }
    out.append(escape(typed.substring(at)));
    return out.toString();
  }

  /** Escapes ampersand, less-than and greater-than as Slack does (as HTML entities). */
  public static String escape(String raw) {
    return raw.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  /**
   * Text an app sent through the Web API as Slack stores it: markup ({@code <@U…>}, {@code <#C…>},
   * {@code <http…>}) and existing entities are kept, stray {@code & < >} are escaped. Idempotent.
   */
  public static String normalize(String text) {
    StringBuilder out = new StringBuilder(text.length() + 16);
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '&') {
        out.append(
            text.startsWith("amp;", i + 1)
                    || text.startsWith("lt;", i + 1)
                    || text.startsWith("gt;", i + 1)
                ? "&"
                : "&amp;");
      } else if (c == '<') {
        int close = markupEnd(text, i);
        if (close > 0) {
          out.append(text, i, close + 1);
          i = close + 1;
          continue;
        }
        out.append("&lt;");
      } else if (c == '>') {
        out.append("&gt;");
      } else {
        out.append(c);
      }
      i++;
    }
    return out.toString();
  }

  private static int markupEnd(String text, int open) {
    boolean label = false;
    for (int j = open + 1; j < text.length(); j++) {
      char c = text.charAt(j);
      if (c == '>') {
        return MARKUP.matcher(text.substring(open + 1, j)).find() ? j : -1;
      }
      // a link's label (after `|`) may hold spaces, as in <https://example.com|the docs>
      label |= c == '|';
      if (c == '<' || c == '\n' || (c == ' ' && !label)) {
        return -1;
      }
    }
    return -1;
  }

  /** {@code text} without Slack's escaping and link markup: what a reader sees. */
  public static String unescape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '<') {
        int close = markupEnd(text, i);
        if (close > 0) {
          String inner = text.substring(i + 1, close);
          int bar = inner.indexOf('|');
          out.append(entities(bar >= 0 ? inner.substring(bar + 1) : inner));
          i = close + 1;
          continue;
        }
      }
      out.append(c);
      i++;
    }
    return entities(out.toString());
  }

  private static String entities(String s) {
    return s.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
  }

  /**
   * The {@code rich_text} block a Slack client sends along with {@code text}: sections for prose
   * (mentions, channels and links as their own elements, inline code styled) and one {@code
   * rich_text_preformatted} element per fenced block, carrying the code unescaped.
   */
  public static ArrayNode richTextBlocks(String text) {
    JsonNodeFactory json = JsonNodeFactory.instance;
    ArrayNode elements = json.arrayNode();
    int at = 0;
    while (at < text.length()) {
      int open = text.indexOf(FENCE, at);
      int close = open < 0 ? -1 : text.indexOf(FENCE, open + FENCE.length());
      if (open < 0 || close < 0) {
        addSection(elements, text.substring(at));
        break;
      }
      addSection(elements, trimTrailingNewline(text.substring(at, open)));
      String code = text.substring(open + FENCE.length(), close);
      if (code.startsWith("\n")) {
        code = code.substring(1);
      }
      code = trimTrailingNewline(code);
      ObjectNode pre = elements.addObject();
      pre.put("type", "rich_text_preformatted");
      pre.putArray("elements").addObject().put("type", "text").put("text", unescape(code));
      pre.put("border", 0);
      at = close + FENCE.length();
      if (at < text.length() && text.charAt(at) == '\n') {
        at++;
      }
    }
    ArrayNode blocks = json.arrayNode();
    ObjectNode block = blocks.addObject();
    block.put("type", "rich_text");
    block.put(
        "block_id",
        Ids.random("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/+=", 5));
    block.set("elements", elements);
    return blocks;
  }

  private static String trimTrailingNewline(String s) {
    return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
  }

  private static void addSection(ArrayNode elements, String prose) {
    if (prose.isEmpty()) {
      return;
    }
    ObjectNode section = elements.addObject();
    section.put("type", "rich_text_section");
    ArrayNode parts = section.putArray("elements");
    StringBuilder plain = new StringBuilder();
    int i = 0;
    while (i < prose.length()) {
      char c = prose.charAt(i);
      int close = c == '<' ? markupEnd(prose, i) : -1;
      int tick = c == '`' ? prose.indexOf('`', i + 1) : -1;
      if (close > 0) {
        flush(parts, plain);
        String inner = prose.substring(i + 1, close);
        int bar = inner.indexOf('|');
        String target = bar >= 0 ? inner.substring(0, bar) : inner;
        ObjectNode part = parts.addObject();
        if (target.startsWith("@")) {
          part.put("type", "user").put("user_id", target.substring(1));
        } else if (target.startsWith("#")) {
          part.put("type", "channel").put("channel_id", target.substring(1));
        } else if (target.startsWith("!")) {
          part.put("type", "broadcast").put("range", target.substring(1));
        } else {
          part.put("type", "link").put("url", entities(target));
          if (bar >= 0) {
            part.put("text", entities(inner.substring(bar + 1)));
          }
        }
        i = close + 1;
      } else if (tick > i + 1 && prose.substring(i, tick).indexOf('\n') < 0) {
        flush(parts, plain);
        ObjectNode part = parts.addObject();
        part.put("type", "text").put("text", entities(prose.substring(i + 1, tick)));
        part.putObject("style").put("code", true);
        i = tick + 1;
      } else {
        plain.append(c);
        i++;
      }
    }
    flush(parts, plain);
  }

  private static void flush(ArrayNode parts, StringBuilder plain) {
    if (!plain.isEmpty()) {
      parts.addObject().put("type", "text").put("text", entities(plain.toString()));
      plain.setLength(0);
    }
  }
}
