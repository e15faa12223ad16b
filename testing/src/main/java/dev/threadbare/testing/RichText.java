package dev.threadbare.testing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Derives Slack {@code rich_text} blocks from message text, for {@link JournalEntries}. */
final class RichText {

  private static final String FENCE = "```";

  private RichText() {}

  static ArrayNode blocks(String slackText, String ts) {
    ArrayNode blocks = JournalEntries.JSON.createArrayNode();
    ObjectNode block = blocks.addObject();
    block.put("type", "rich_text");
    block.put("block_id", Integer.toHexString(ts.hashCode()));
    ArrayNode elements = block.putArray("elements");
    String text = unescape(slackText);
    int position = 0;
    boolean inFence = false;
    while (position <= text.length()) {
      int fence = text.indexOf(FENCE, position);
      String part = fence < 0 ? text.substring(position) : text.substring(position, fence);
      if (inFence) {
        if (part.startsWith("\n")) {
          part = part.substring(1);
        }
        if (part.endsWith("\n")) {
          part = part.substring(0, part.length() - 1);
        }
        ObjectNode pre = elements.addObject();
        pre.put("type", "rich_text_preformatted");
        pre.putArray("elements").addObject().put("type", "text").put("text", part);
        pre.put("border", 0);
      } else if (!part.isEmpty()) {
        ObjectNode section = elements.addObject();
        section.put("type", "rich_text_section");
        section.putArray("elements").addObject().put("type", "text").put("text", part);
      }
      if (fence < 0) {
        break;
      }
      position = fence + FENCE.length();
      inFence = !inFence;
    }
    return blocks;
  }

  private static String unescape(String slackText) {
    return slackText.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
  }
}
