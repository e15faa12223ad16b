package dev.threadbare.chat.bot;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The bot's help as people read it in the chat: no stray runs of spaces from the source. */
class BotRepliesHelpTest {

  @Test
  void helpHasNoRunOfSpacesInsideALine() {
    String help = BotReplies.help();
    // Only the indented example lines start with spaces; inside a line words are one space apart
    // (a text block joined across a source line once left nine spaces in the middle of one).
    assertThat(help.lines()).noneMatch(line -> line.matches(".*\\S {2,}.*"));
    assertThat(help)
        .contains("`status`, `promote VERSION`, `rollback`")
        .startsWith("*threadbare*: this channel is a repository");
  }
}
