package dev.threadbare.gitimport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadbare.core.grammar.ChatGrammar;
import dev.threadbare.core.grammar.Content;
import dev.threadbare.gitimport.internal.Rendering.FileBlockSpec;
import dev.threadbare.gitimport.internal.Rendering.Outgoing;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The laws the importer relies on: every UTF-8 text reaches the chat either as a block the grammar
 * reads back exactly or as an upload read back as the same normalised content; and packing blocks
 * the grammar accepts alone into one message keeps each of them exact.
 */
class RenderingProperties {

  private final Rendering rendering = new Rendering(ChatGrammar.create());

  @Provide
  Arbitrary<String> texts() {
    Arbitrary<String> pieces =
        Arbitraries.of(
            "a",
            "word",
            "x = 1;",
            " ",
            "\t",
            "\n",
            "\r\n",
            "\r",
            "`",
            "```",
            "````",
            "<",
            ">",
            "&",
            "&amp;",
            "&lt;",
            "<http://x.org|label>",
            "<@U123>",
            "<!here>",
            ":smile:",
            "é",
            "日本",
            "😀",
            "file: a.txt",
            "`b.txt`",
            "python",
            "rm a.txt",
            "merge",
            "#",
            "//",
            "\\");
    return pieces.list().ofMaxSize(40).map(l -> String.join("", l));
  }

  @Property(tries = 400)
  void everyTextReachesTheChatBlockOrUpload(@ForAll("texts") String text) {
    String normalized = Content.normalize(text);
    Outgoing block =
        rendering.render("", List.of(), List.of(new FileBlockSpec("dir/file.txt", normalized)));
    String upload =
        rendering.readsBackAsUpload("dir/file.txt", text.getBytes(StandardCharsets.UTF_8));

    assertThat(rendering.readsBack(block) || text.equals(upload))
        .as("neither a block nor an upload carries %s", text)
        .isTrue();
    assertThat(upload).isEqualTo(text);
  }

  @Property(tries = 200)
  void blocksThatReadBackAloneReadBackTogether(
      @ForAll("texts") String a, @ForAll("texts") String b) {
    List<FileBlockSpec> files = new ArrayList<>();
    for (FileBlockSpec file :
        List.of(
            new FileBlockSpec("a.txt", Content.normalize(a)),
            new FileBlockSpec("b/c.txt", Content.normalize(b)))) {
      if (rendering.readsBack(rendering.render("", List.of(), List.of(file)))) {
        files.add(file);
      }
    }
    assertThat(rendering.readsBack(rendering.render("Import of x", List.of(), files))).isTrue();
  }
}
