package dev.threadbare.workspace.internal.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.threadbare.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Slack's text escaping and the rich-text blocks built from it, checked against real captures. */
class SlackTextTest {

  static final Path FIXTURES = Fixtures.root();
  static final ObjectMapper JSON = new ObjectMapper();

  static JsonNode event(String path) throws Exception {
    return JSON.readTree(Files.readString(FIXTURES.resolve(path))).path("event");
  }

  static List<String> preformatted(JsonNode blocks) {
    List<String> out = new ArrayList<>();
    for (JsonNode block : blocks) {
      for (JsonNode element : block.path("elements")) {
        if (element.path("type").asText().equals("rich_text_preformatted")) {
          StringBuilder text = new StringBuilder();
          element
              .path("elements")
              .forEach(e -> text.append(e.path("text").asText(e.path("url").asText())));
          out.add(text.toString());
        }
      }
    }
    return out;
  }

  @Test
  void codeBlocksMatchTheRealZulipCapture() throws Exception {
    JsonNode captured =
        event("zulip-slack/zerver/webhooks/slack/fixtures/message_with_code_block.json");
    String text = captured.path("text").asText();
    assertThat(SlackText.normalize(text)).isEqualTo(text);
    assertThat(preformatted(SlackText.richTextBlocks(text)))
        .isEqualTo(preformatted(captured.path("blocks")));
    assertThat(preformatted(SlackText.richTextBlocks(text)).get(0)).contains("-> bool:");
  }

  @Test
  void mentionsChannelsAndLinksBecomeTheirOwnElementsAsInTheCapture() throws Exception {
    JsonNode captured = event("slack-web-events/message_rich_text.json");
    String text = captured.path("text").asText();
    assertThat(SlackText.normalize(text)).isEqualTo(text);
    JsonNode section = SlackText.richTextBlocks(text).get(0).path("elements").get(0);
    List<String> types = new ArrayList<>();
    section.path("elements").forEach(e -> types.add(e.path("type").asText()));
    assertThat(types).containsSubsequence("channel", "user", "link");
    JsonNode capturedSection = captured.path("blocks").get(0).path("elements").get(0);
    assertThat(section.path("elements").get(0)).isEqualTo(capturedSection.path("elements").get(0));
  }

  @Test
  void typedTextIsEscapedAndUrlsLinked() {
    assertThat(SlackText.fromTyped("a < b & c > d, see https://x.dev/?a=1&b=2."))
        .isEqualTo("a &lt; b &amp; c &gt; d, see <https://x.dev/?a=1&amp;b=2>.");
    assertThat(SlackText.unescape(SlackText.fromTyped("if a<b: print(\"<&>\")")))
        .isEqualTo("if a<b: print(\"<&>\")");
  }

  @Test
  void apiTextKeepsMarkupAndEntitiesAndEscapesTheRest() {
    assertThat(
            SlackText.normalize("<@U123> said 1 < 2 &amp; 3 > 2 <https://a.b|ok> & <not markup>"))
        .isEqualTo(
            "<@U123> said 1 &lt; 2 &amp; 3 &gt; 2 <https://a.b|ok> &amp; &lt;not markup&gt;");
  }

  @Test
  void aLinkLabelMayHoldSpaces() {
    String text = "see <https://example.com/a?b=1&amp;c=2|the site> or <https://x.y/|a b c>";
    assertThat(SlackText.normalize(text)).isEqualTo(text);
    assertThat(SlackText.unescape(text)).isEqualTo("see the site or a b c");
    assertThat(SlackText.normalize("<not a|link>")).isEqualTo("&lt;not a|link&gt;");
  }

  @Test
  void fencesWithNewlinesDropThemAndProseKeepsInlineCode() {
    JsonNode elements =
        SlackText.richTextBlocks("`src/a.py`\n```\nx = 1\n```\nafter").get(0).path("elements");
    assertThat(elements).hasSize(3);
    JsonNode path = elements.get(0).path("elements").get(0);
    assertThat(path.path("text").asText()).isEqualTo("src/a.py");
    assertThat(path.path("style").path("code").asBoolean()).isTrue();
    assertThat(preformatted(SlackText.richTextBlocks("```\nx = 1\n```"))).containsExactly("x = 1");
    assertThat(elements.get(2).path("elements").get(0).path("text").asText()).isEqualTo("after");
  }
}
