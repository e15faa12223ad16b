package dev.threadbare.gitimport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadbare.core.grammar.ChatGrammar;
import dev.threadbare.gitimport.internal.Rendering.FileBlockSpec;
import dev.threadbare.gitimport.internal.Rendering.Outgoing;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RenderingTest {

  private final Rendering rendering = new Rendering(ChatGrammar.create());

  private boolean alone(String path, String content) {
    return rendering.readsBack(
        rendering.render("", List.of(), List.of(new FileBlockSpec(path, content))));
  }

  @Test
  void writesWhatASlackClientSends() {
    Outgoing message =
        rendering.render(
            "Import of x",
            List.of("old file.txt"),
            List.of(new FileBlockSpec("a/b.py", "x < 1\n")));

    assertThat(message.text())
        .isEqualTo("Import of x\nrm `old file.txt`\n`a/b.py`\n```\nx &lt; 1\n```");
    assertThat(message.blocksJson())
        .contains("\"type\":\"rich_text_preformatted\"")
        .contains("\"text\":\"x < 1\"");
    assertThat(rendering.readsBack(message)).isTrue();
  }

  @Test
  void keepsAFirstLineThatLooksLikeALanguage() {
    Outgoing message =
        rendering.render("", List.of(), List.of(new FileBlockSpec("hello.py", "hello\nworld\n")));

    assertThat(message.text()).isEqualTo("`hello.py`\n```\npython\nhello\nworld\n```");
    assertThat(rendering.readsBack(message)).isTrue();
  }

  @Test
  void contentTheGrammarCannotCarryAsABlockIsRefused() {
    assertThat(alone("a.md", "```\ncode\n```\n")).isFalse(); // a fence inside
    assertThat(alone("crlf.txt", "a\r\nb\r\n")).isFalse(); // read back as LF
    assertThat(alone("a.txt", "no newline")).isFalse();
    assertThat(alone("long.txt", "x\n".repeat(401))).isFalse(); // over lint.max_lines
    assertThat(alone("ok.txt", "x\n".repeat(400))).isTrue();
    assertThat(alone("markup.txt", "<http://x|y> &amp; <@U1> :smile:\n")).isTrue();
    assertThat(alone("empty.py", "")).isTrue();
  }

  @Test
  void uploadsKeepTheirExactBytes() {
    assertThat(
            rendering.readsBackAsUpload("a/b.txt", "one\r\ntwo".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("one\r\ntwo");
    assertThat(rendering.readsBackAsUpload("a/logo.png", "text".getBytes(StandardCharsets.UTF_8)))
        .isNull(); // an image type is refused whatever it holds
  }

  @Test
  void proseThatReadsAsCommandsOrFencesIsQuoted() {
    assertThat(rendering.safeProse("Fix the parser")).isEqualTo("Fix the parser");
    assertThat(rendering.safeProse("Fix it\nmerge\n```")).isEqualTo("> Fix it\n> merge\n> '''");
  }
}
