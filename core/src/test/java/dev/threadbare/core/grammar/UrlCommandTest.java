package dev.threadbare.core.grammar;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code url [VERSION]}: asks for a deployment's URL, of the message's version or the one named.
 */
class UrlCommandTest {

  @Test
  void urlTakesAtMostOneVersion() {
    assertThat(ChatGrammar.parseCommand("url")).contains(new Command.Action("url", List.of()));
    assertThat(ChatGrammar.parseCommand("<@U0BOT> url main@2"))
        .contains(new Command.Action("url", List.of("main@2")));
    assertThat(ChatGrammar.parseCommand("url of the app please")).isEmpty();
    assertThat(ChatGrammar.parseCommand("URL")).isEmpty();
  }

  @Test
  void urlIsACommandLineOfAMessage() {
    ParsedMessage parsed = ChatGrammarTest.parse("the link please\nurl\n");
    assertThat(parsed.commands()).containsExactly(new Command.Action("url", List.of()));
    assertThat(parsed.commitMessage()).isEqualTo("the link please");
  }
}
