package dev.threadbare.gitimport.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.threadbare.core.grammar.Attachment;
import dev.threadbare.core.grammar.ChatGrammar;
import dev.threadbare.core.grammar.Command;
import dev.threadbare.core.grammar.FileBlock;
import dev.threadbare.core.grammar.ParsedMessage;
import java.net.URLConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes messages as a Slack client sends what a person typed ({@code text} with {@code & < >}
 * escaped, plus a {@code rich_text} block whose preformatted elements carry each file unescaped)
 * and checks each one with the real {@link ChatGrammar}: a message is sent only if the grammar
 * reads back exactly the files and removals it was written for. Stateless and thread safe.
 */
public final class Rendering {

  /** A message ready to send: text and blocks, and what it must mean. */
  public record Outgoing(
      String text, String blocksJson, List<FileBlockSpec> files, List<String> removals) {}

  /** One file to post as a code block. */
  public record FileBlockSpec(String path, String content) {}

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final Map<String, String> LANGUAGES =
      Map.ofEntries(
          Map.entry("java", "java"),
          Map.entry("kt", "kotlin"),
          Map.entry("py", "python"),
          Map.entry("js", "javascript"),
          Map.entry("ts", "typescript"),
          Map.entry("md", "markdown"),
          Map.entry("xml", "xml"),
          Map.entry("json", "json"),
          Map.entry("yml", "yaml"),
          Map.entry("yaml", "yaml"),
          Map.entry("sh", "bash"),
          Map.entry("sql", "sql"),
          Map.entry("go", "go"),
          Map.entry("rs", "rust"),
          Map.entry("c", "c"),
          Map.entry("h", "c"),
          Map.entry("html", "html"),
          Map.entry("css", "css"),
          Map.entry("toml", "toml"));

  private final ChatGrammar grammar;

  public Rendering(ChatGrammar grammar) {
    this.grammar = grammar;
  }

  /**
   * The message holding {@code prose}, one {@code rm} line per removal, then the files as blocks.
   */
  public Outgoing render(String prose, List<String> removals, List<FileBlockSpec> files) {
    List<String> segments = new ArrayList<>(); // prose segments (raw) between code blocks
    List<String> codes = new ArrayList<>(); // each block's raw code, info line included
    StringBuilder head = new StringBuilder();
    if (!prose.isEmpty()) {
      head.append(prose).append('\n');
    }
    for (String path : removals) {
      head.append("rm ").append(hasSpace(path) ? "`" + path + "`" : path).append('\n');
    }
    StringBuilder segment = head;
    for (FileBlockSpec file : files) {
      segment.append('`').append(file.path()).append("`\n");
      segments.add(segment.toString());
      segment = new StringBuilder();
      String code = file.content();
      int newline = code.indexOf('\n');
      if (newline >= 0 && looksLikeInfoString(code, newline)) {
        code = language(file.path()) + "\n" + code;
      }
      codes.add(code);
    }
    segments.add(segment.toString());
    StringBuilder text = new StringBuilder();
    ArrayNode elements = JSON.arrayNode();
    for (int i = 0; i < segments.size(); i++) {
      String seg = segments.get(i);
      text.append(escape(seg));
      section(elements, trimNewline(seg));
      if (i < codes.size()) {
        String code = codes.get(i);
        text.append("```\n").append(escape(code)).append("```");
        if (i + 1 < segments.size()) {
          text.append('\n');
        }
        ObjectNode pre = elements.addObject();
        pre.put("type", "rich_text_preformatted");
        ArrayNode inner = pre.putArray("elements");
        String body = trimNewline(code);
        if (!body.isEmpty()) {
          inner.addObject().put("type", "text").put("text", body);
        }
      }
    }
    String plain = trimNewline(text.toString());
    ArrayNode blocks = JSON.arrayNode();
    ObjectNode block = blocks.addObject();
    block.put("type", "rich_text");
    block.set("elements", elements);
    return new Outgoing(plain, blocks.toString(), List.copyOf(files), List.copyOf(removals));
  }

  /** Whether the grammar reads {@code message} back as exactly its files and removals. */
  public boolean readsBack(Outgoing message) {
    if (message.text().length() > ChatGrammar.SLACK_MESSAGE_LIMIT) {
      return false;
    }
    ObjectNode event = JSON.objectNode();
    event.put("type", "message");
    event.put("user", "UIMPORTER");
    event.put("text", message.text());
    event.set("blocks", parseJson(message.blocksJson()));
    ParsedMessage parsed;
    try {
      parsed = grammar.parse(event, List.of());
    } catch (RuntimeException e) {
      return false;
    }
    if (parsed.refused() || parsed.files().size() != message.files().size()) {
      return false;
    }
    for (int i = 0; i < parsed.files().size(); i++) {
      FileBlock got = parsed.files().get(i);
      FileBlockSpec want = message.files().get(i);
      if (!got.path().value().equals(want.path()) || !got.content().equals(want.content())) {
        return false;
      }
    }
    List<String> removed = new ArrayList<>();
    for (Command command : parsed.commands()) {
      if (!(command instanceof Command.Remove remove)) {
        return false; // prose that reads as merge, deploy, mv…: never send that
      }
      removed.add(remove.path().value());
    }
    return removed.equals(message.removals());
  }

  /**
   * What the grammar makes of {@code bytes} uploaded with {@code path} as its title: the content it
   * reads, or null when it refuses the file or reads another path.
   */
  public String readsBackAsUpload(String path, byte[] bytes) {
    String name = fileName(path);
    ObjectNode event = JSON.objectNode();
    event.put("type", "message");
    event.put("user", "UIMPORTER");
    event.put("text", "");
    try {
      ParsedMessage parsed =
          grammar.parse(event, List.of(new Attachment("F1", name, path, mimetype(name), bytes)));
      if (parsed.refused()
          || parsed.files().size() != 1
          || !parsed.files().get(0).path().value().equals(path)) {
        return null;
      }
      return parsed.files().get(0).content();
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** Prose the grammar leaves alone: no fences, no line that reads as a command. */
  public String safeProse(String prose) {
    Outgoing plain = render(prose, List.of(), List.of());
    if (readsBack(plain)) {
      return prose;
    }
    StringBuilder quoted = new StringBuilder();
    for (String line : prose.split("\n", -1)) {
      quoted.append("> ").append(line.replace("`", "'")).append('\n');
    }
    String result = trimNewline(quoted.toString());
    return readsBack(render(result, List.of(), List.of())) ? result : "";
  }

  static String fileName(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  static String mimetype(String name) {
    String guess = URLConnection.getFileNameMap().getContentTypeFor(name);
    return guess == null ? "text/plain" : guess;
  }

  private static String language(String path) {
    String name = fileName(path);
    int dot = name.lastIndexOf('.');
    String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    return LANGUAGES.getOrDefault(ext, "text");
  }

  /** Mirrors the grammar's info-string rule (core/README.md), so such a first line is kept. */
  private static boolean looksLikeInfoString(String code, int newline) {
    String first = code.substring(0, newline);
    if (first.endsWith("\r")) {
      first = first.substring(0, first.length() - 1);
    }
    first = first.strip();
    if (first.isEmpty() || first.length() > 32) {
      return false;
    }
    char c = first.charAt(0);
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
      return false;
    }
    for (int i = 0; i < first.length(); i++) {
      char ch = first.charAt(i);
      if (!(Character.isLetterOrDigit(ch) || "_+#.-".indexOf(ch) >= 0)) {
        return false;
      }
    }
    return true;
  }

  private static boolean hasSpace(String path) {
    for (int i = 0; i < path.length(); i++) {
      if (Character.isWhitespace(path.charAt(i))) {
        return true;
      }
    }
    return false;
  }

  private static void section(ArrayNode elements, String prose) {
    if (prose.isEmpty()) {
      return;
    }
    ObjectNode section = elements.addObject();
    section.put("type", "rich_text_section");
    section.putArray("elements").addObject().put("type", "text").put("text", prose);
  }

  private static String trimNewline(String s) {
    return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
  }

  /** Slack's escaping of typed text: {@code & < >} as HTML entities. */
  static String escape(String raw) {
    return raw.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private static JsonNode parseJson(String json) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("rendered blocks are not JSON: " + e.getMessage(), e);
    }
  }
}
