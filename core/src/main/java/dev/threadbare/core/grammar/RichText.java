package dev.threadbare.core.grammar;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the {@code rich_text_preformatted} elements of a message's {@code blocks}
 * (https://api.slack.com/reference/block-kit/blocks#rich_text), in order: they carry the code of
 * each fence unescaped, and are the authority for it. Stateless.
 */
final class RichText {
  private RichText() {}

  /** The text of every preformatted element of every {@code rich_text} block, in order. */
  static List<String> preformatted(JsonNode blocks) {
    List<String> found = new ArrayList<>();
    if (blocks == null || !blocks.isArray()) {
      return found;
    }
    for (JsonNode block : blocks) {
      if (!"rich_text".equals(block.path("type").asText())) {
        continue;
      }
      for (JsonNode element : block.path("elements")) {
        if ("rich_text_preformatted".equals(element.path("type").asText())) {
          StringBuilder text = new StringBuilder();
          for (JsonNode inline : element.path("elements")) {
            appendInline(inline, text);
          }
          found.add(text.toString());
        }
      }
    }
    return found;
  }

  /** Renders one inline element as the sender typed it. */
  private static void appendInline(JsonNode inline, StringBuilder out) {
    String type = inline.path("type").asText();
    switch (type) {
      case "text" -> out.append(inline.path("text").asText());
      case "link" -> {
        // A link's text is what the sender typed (x.com), its url what Slack made of it.
        String label = inline.path("text").asText("");
        out.append(label.isEmpty() ? inline.path("url").asText() : label);
      }
      case "user" -> out.append("<@").append(inline.path("user_id").asText()).append('>');
      case "channel" -> out.append("<#").append(inline.path("channel_id").asText()).append('>');
      case "usergroup" ->
          out.append("<!subteam^").append(inline.path("usergroup_id").asText()).append('>');
      case "broadcast" -> out.append("<!").append(inline.path("range").asText()).append('>');
      case "emoji" -> out.append(':').append(inline.path("name").asText()).append(':');
      default -> {
        if (inline.hasNonNull("text")) {
          out.append(inline.path("text").asText());
        } else if (inline.hasNonNull("fallback")) {
          out.append(inline.path("fallback").asText());
        }
      }
    }
  }
}
