package dev.threadbare.core.grammar;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A message's commit message: its prose without what the grammar read as files and commands.
 * Stateless.
 */
final class CommitMessage {

  /** A span {@code [start, end)} of the message's text that is not commit message. */
  record Span(int start, int end) {}

  private CommitMessage() {}

  /**
   * What is left of {@code plain} once the {@code removed} spans (path lines, fences, commands) are
   * taken out: trailing blanks dropped, runs of blank lines made one, stripped.
   */
  static String of(String plain, List<Span> removed) {
    List<Span> spans = new ArrayList<>(removed);
    spans.sort(Comparator.comparingInt(Span::start));
    StringBuilder kept = new StringBuilder(plain.length());
    int pos = 0;
    for (Span span : spans) {
      if (span.start() > pos) {
        kept.append(plain, pos, span.start());
      }
      pos = Math.max(pos, span.end());
    }
    if (pos < plain.length()) {
      kept.append(plain, pos, plain.length());
    }
    // Trailing blanks go, runs of blank lines become one; no per-line strings are made.
    StringBuilder message = new StringBuilder(kept.length());
    boolean blank = false;
    int i = 0;
    int n = kept.length();
    while (i <= n) {
      int newline = kept.indexOf("\n", i);
      int end = newline < 0 ? n : newline;
      int trimmedEnd = end;
      while (trimmedEnd > i && Character.isWhitespace(kept.charAt(trimmedEnd - 1))) {
        trimmedEnd--;
      }
      if (trimmedEnd == i) {
        blank = true;
      } else {
        if (!message.isEmpty()) {
          message.append(blank ? "\n\n" : "\n");
        }
        message.append(kept, i, trimmedEnd);
        blank = false;
      }
      if (newline < 0) {
        break;
      }
      i = newline + 1;
    }
    return message.toString().strip();
  }
}
