package dev.threadbare.gitserve.internal;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;

/** Small HTML helpers for the server-rendered pages. Stateless; thread safe. */
final class Html {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private static final Map<String, String> LANGUAGES =
      Map.ofEntries(
          Map.entry("py", "python"),
          Map.entry("java", "java"),
          Map.entry("kt", "kotlin"),
          Map.entry("js", "javascript"),
          Map.entry("mjs", "javascript"),
          Map.entry("ts", "typescript"),
          Map.entry("json", "json"),
          Map.entry("md", "markdown"),
          Map.entry("sql", "sql"),
          Map.entry("toml", "ini"),
          Map.entry("ini", "ini"),
          Map.entry("yml", "yaml"),
          Map.entry("yaml", "yaml"),
          Map.entry("sh", "bash"),
          Map.entry("go", "go"),
          Map.entry("rs", "rust"),
          Map.entry("rb", "ruby"),
          Map.entry("c", "c"),
          Map.entry("h", "c"),
          Map.entry("cpp", "cpp"),
          Map.entry("css", "css"),
          Map.entry("html", "xml"),
          Map.entry("xml", "xml"),
          Map.entry("svg", "xml"),
          Map.entry("csv", "plaintext"),
          Map.entry("txt", "plaintext"));

  private Html() {}

  /** Escapes text for HTML content and double-quoted attributes. */
  static String esc(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  /** Encodes a query parameter value, keeping {@code /} readable. */
  static String q(String value) {
    return URLEncoder.encode(value == null ? "" : value, StandardCharsets.UTF_8)
        .replace("%2F", "/");
  }

  /** A UTC time, never the server's zone. */
  static String time(Instant instant) {
    return TIME.format(instant);
  }

  /** The highlight.js language of a path, or null to let highlight.js guess. */
  static String language(String path) {
    String name = path.substring(path.lastIndexOf('/') + 1);
    if (name.equals("Dockerfile")) {
      return "dockerfile";
    }
    if (name.equals("Makefile")) {
      return "makefile";
    }
    int dot = name.lastIndexOf('.');
    return dot < 0 ? null : LANGUAGES.get(name.substring(dot + 1).toLowerCase(Locale.ROOT));
  }

  /** A whole page: the shared head (styles, highlight.js, code.js) around {@code body}. */
  static String layout(String title, String body) {
    return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        + "<title>"
        + esc(title)
        + " · threadbare</title>"
        + "<link rel=\"stylesheet\" href=\"/code/assets/github.min.css\">"
        + "<link rel=\"stylesheet\" href=\"/code/assets/code.css\">"
        + "<script src=\"/code/assets/highlight.min.js\"></script>"
        + "<script type=\"module\" src=\"/code/assets/code.js\"></script>"
        + "</head><body>"
        + body
        + "</body></html>";
  }
}
