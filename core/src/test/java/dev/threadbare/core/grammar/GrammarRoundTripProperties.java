package dev.threadbare.core.grammar;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Grammar round trip: files rendered as Slack sends them (escaped {@code text} with auto-links,
 * with or without rich-text blocks; every path-line form; info strings or not) parse back to the
 * same paths and contents.
 */
class GrammarRoundTripProperties {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ChatGrammar GRAMMAR = ChatGrammar.create();

  /** A piece of content: plain text, or a URL Slack auto-links (typed as {@code typed}). */
  record Piece(String text, String url) {
    boolean isLink() {
      return url != null;
    }
  }

  /** One file to send: its path, the way its path is written, and its content in pieces. */
  record Spec(String path, String form, String lang, boolean richText, List<Piece> pieces) {
    String content() {
      StringBuilder s = new StringBuilder();
      pieces.forEach(p -> s.append(p.text()));
      return s.toString();
    }
  }

  @Provide
  Arbitrary<String> paths() {
    Arbitrary<String> segment =
        Arbitraries.strings()
            .withChars("abcxyz019_-.&+=,;'()[]{}@$%!~é日😀")
            .withChars('e', '\u0301')
            .ofMinLength(1)
            .ofMaxLength(8)
            .map(s -> s.startsWith("\u0301") ? "e" + s : s)
            .filter(s -> !s.equals(".") && !s.equals(".."));
    Arbitrary<String> spaced = Combinators.combine(segment, segment).as((a, b) -> a + " " + b);
    return Arbitraries.oneOf(segment, spaced)
        .list()
        .ofMinSize(1)
        .ofMaxSize(3)
        .map(segments -> String.join("/", segments))
        .filter(GrammarRoundTripProperties::valid);
  }

  private static boolean valid(String path) {
    try {
      RepoPath.of(path);
      return true;
    } catch (BadPathException e) {
      return false;
    }
  }

  @Provide
  Arbitrary<List<Piece>> contents() {
    Arbitrary<Piece> text =
        Arbitraries.strings()
            .withChars("abc XYZ 0123 {}();=+-*/\\'\"`#@!?.:,|_\t&<>éü漢字😀\u0301")
            .ofMaxLength(20)
            .map(s -> new Piece(s, null));
    Arbitrary<Piece> newline = Arbitraries.of(new Piece("\n", null), new Piece("\r\n", null));
    Arbitrary<Piece> link =
        Arbitraries.of(
            new Piece("http://example.com/a?b=1&c=2", "http://example.com/a?b=1&c=2"),
            new Piece("https://x.org", "https://x.org"),
            new Piece("example.com", "http://example.com"),
            new Piece("mailto:a@b.io", "mailto:a@b.io"));
    return Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(6, text),
            net.jqwik.api.Tuple.of(3, newline),
            net.jqwik.api.Tuple.of(1, link))
        .list()
        .ofMaxSize(25)
        .filter(pieces -> !concat(pieces).contains("```"));
  }

  private static String concat(List<Piece> pieces) {
    StringBuilder s = new StringBuilder();
    pieces.forEach(p -> s.append(p.text()));
    return s.toString();
  }

  @Provide
  Arbitrary<List<Spec>> messages() {
    Arbitrary<Spec> spec =
        Combinators.combine(
                paths(),
                Arbitraries.of("backtick", "backtick-colon", "file", "bare", "comment"),
                Arbitraries.of("", "", "python", "js", "c++", "objective-c"),
                Arbitraries.of(true, false),
                contents())
            .as(Spec::new);
    return spec.list()
        .ofMinSize(1)
        .ofMaxSize(3)
        .filter(specs -> specs.stream().map(s -> nfc(s.path())).distinct().count() == specs.size());
  }

  @Property(tries = 400)
  void rendered_files_parse_back_to_the_same_paths_and_contents(
      @ForAll("messages") List<Spec> specs, @ForAll boolean withRichText) {
    StringBuilder text = new StringBuilder("Here are the files &amp; a note\n\n");
    List<List<Piece>> preformatted = new ArrayList<>();
    List<FileBlock> expected = new ArrayList<>();
    for (Spec spec : specs) {
      String path = spec.path();
      List<Piece> pieces = new ArrayList<>(spec.pieces());
      if (spec.form().equals("comment")) {
        pieces.add(0, new Piece("// file: " + path + "\n", null));
      } else {
        text.append(pathLine(spec)).append('\n');
      }
      String content = concat(pieces);
      // The sender names a language when the first line could be read as one (or at will).
      String firstLine = content.split("\n", -1)[0].replace("\r", "");
      String lang = !spec.lang().isEmpty() || ChatGrammar.isInfoString(firstLine) ? lang(spec) : "";
      boolean wysiwyg = withRichText && spec.richText();
      text.append("```");
      if (!lang.isEmpty()) {
        text.append(lang).append('\n');
      } else if (!wysiwyg || content.startsWith("\n") || content.startsWith("\r\n")) {
        // In text Slack keeps the newline after the fence; rich text has dropped it, so a
        // leading blank line is only unambiguous with a language line.
        if (wysiwyg) {
          lang = "text";
          text.append("text\n");
        } else {
          text.append('\n');
        }
      }
      pieces.forEach(p -> text.append(escaped(p)));
      text.append("```\n");
      List<Piece> pre = new ArrayList<>();
      if (!lang.isEmpty()) {
        pre.add(new Piece(lang + "\n", null));
      }
      pre.addAll(pieces);
      preformatted.add(pre);
      expected.add(new FileBlock(RepoPath.of(path), normalized(content)));
    }
    ObjectNode message = JSON.createObjectNode();
    message.put("type", "message").put("user", "U1").put("ts", "1700000000.000100");
    message.put("text", text.toString());
    if (withRichText) {
      ArrayNode elements = JSON.createArrayNode();
      elements
          .addObject()
          .put("type", "rich_text_section")
          .putArray("elements")
          .addObject()
          .put("type", "text")
          .put("text", "Here are the files & a note");
      for (List<Piece> pre : preformatted) {
        ArrayNode inline =
            elements.addObject().put("type", "rich_text_preformatted").putArray("elements");
        for (Piece p : pre) {
          if (p.isLink()) {
            ObjectNode link = inline.addObject().put("type", "link").put("url", p.url());
            if (!p.url().equals(p.text())) {
              link.put("text", p.text());
            }
          } else if (!p.text().isEmpty()) {
            inline.addObject().put("type", "text").put("text", p.text());
          }
        }
      }
      message.putArray("blocks").addObject().put("type", "rich_text").set("elements", elements);
    }

    ParsedMessage parsed = GRAMMAR.parse(message, List.of());

    assertThat(parsed.problems()).isEmpty();
    assertThat(parsed.files()).containsExactlyElementsOf(expected);
    assertThat(parsed.commitMessage()).isEqualTo("Here are the files & a note");
  }

  private static String lang(Spec spec) {
    return spec.lang().isEmpty() ? "text" : spec.lang();
  }

  private static String pathLine(Spec spec) {
    String path = escape(spec.path());
    boolean bareable =
        spec.path().chars().noneMatch(Character::isWhitespace)
            && (spec.path().contains("/") || spec.path().contains("."));
    return switch (spec.form()) {
      case "backtick" -> "`" + path + "`";
      case "backtick-colon" -> "`" + path + "`:";
      case "file" -> "file: " + path;
      default -> bareable ? path + ":" : "`" + path + "`";
    };
  }

  /** A piece as Slack writes it in {@code text}: entities escaped, URLs auto-linked. */
  private static String escaped(Piece piece) {
    if (!piece.isLink()) {
      return escape(piece.text());
    }
    String url = escape(piece.url());
    return piece.url().equals(piece.text())
        ? "<" + url + ">"
        : "<" + url + "|" + escape(piece.text()) + ">";
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private static String nfc(String s) {
    return Normalizer.normalize(s, Normalizer.Form.NFC);
  }

  /** The content rule, written out independently: LF only, exactly one final newline. */
  private static String normalized(String content) {
    String lf = content.replace("\r\n", "\n").replace("\r", "\n");
    String trimmed = lf.replaceAll("\n+$", "");
    return trimmed.isEmpty() ? "" : trimmed + "\n";
  }
}
