package dev.threadbare.core.grammar;

/**
 * Undoes Slack's message-text formatting (https://api.slack.com/reference/surfaces/formatting): the
 * three entities Slack escapes (amp, lt and gt) become {@code & < >}; a link {@code <http://x>}
 * becomes {@code http://x} and {@code <http://x|label>} becomes {@code label} (the label is what
 * the sender typed, as the export capture {@code <tel:28919.8|28919.8>} inside a code block shows);
 * mentions {@code <@U1>}, channels {@code <#C1|name>} and specials {@code <!here>} stay as they
 * are. Stateless.
 *
 * <p>Runs in linear time on any input: the positions of the next {@code >}, {@code <} and newline
 * are remembered rather than searched again for every {@code <}.
 */
final class SlackText {
  private SlackText() {}

  static String unescape(String text) {
    int n = text.length();
    StringBuilder out = new StringBuilder(n);
    int nextGt = -1;
    int nextLt = -1;
    int nextNewline = -1;
    int i = 0;
    while (i < n) {
      char c = text.charAt(i);
      if (c == '&') {
        i = appendEntity(text, i, out);
      } else if (c == '<') {
        if (nextGt <= i) {
          nextGt = indexOrEnd(text, '>', i + 1);
        }
        if (nextLt <= i) {
          nextLt = indexOrEnd(text, '<', i + 1);
        }
        if (nextNewline <= i) {
          nextNewline = indexOrEnd(text, '\n', i + 1);
        }
        if (nextGt < n && nextGt < nextLt && nextGt < nextNewline && nextGt > i + 1) {
          appendToken(text, i + 1, nextGt, out);
          i = nextGt + 1;
        } else {
          out.append('<');
          i++;
        }
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  /** Unescapes only the three entities (for the parts of a link). */
  static String unescapeEntities(String text) {
    if (text.indexOf('&') < 0) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '&') {
        i = appendEntity(text, i, out);
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  private static int appendEntity(String text, int at, StringBuilder out) {
    if (text.startsWith("&amp;", at)) {
      out.append('&');
      return at + 5;
    }
    if (text.startsWith("&lt;", at)) {
      out.append('<');
      return at + 4;
    }
    if (text.startsWith("&gt;", at)) {
      out.append('>');
      return at + 4;
    }
    out.append('&');
    return at + 1;
  }

  private static void appendToken(String text, int from, int to, StringBuilder out) {
    char first = text.charAt(from);
    if (first == '@' || first == '#' || first == '!') {
      out.append(text, from - 1, to + 1);
      return;
    }
    int bar = -1;
    for (int i = from; i < to && bar < 0; i++) {
      if (text.charAt(i) == '|') {
        bar = i;
      }
    }
    if (bar >= 0) {
      out.append(unescapeEntities(text.substring(bar + 1, to)));
    } else {
      out.append(unescapeEntities(text.substring(from, to)));
    }
  }

  private static int indexOrEnd(String text, char c, int from) {
    int at = text.indexOf(c, from);
    return at < 0 ? text.length() : at;
  }
}
