package dev.threadbare.workspace.internal.api;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/** Slack's file types and MIME types by file name. Stateless. */
final class FileTypes {

  private static final Map<String, String[]> BY_EXTENSION =
      Map.ofEntries(
          Map.entry("txt", new String[] {"text", "text/plain", "Plain Text"}),
          Map.entry("md", new String[] {"markdown", "text/plain", "Markdown (raw)"}),
          Map.entry("py", new String[] {"python", "text/plain", "Python"}),
          Map.entry("java", new String[] {"java", "text/plain", "Java"}),
          Map.entry("js", new String[] {"javascript", "text/plain", "JavaScript"}),
          Map.entry("ts", new String[] {"typescript", "text/plain", "TypeScript"}),
          Map.entry("json", new String[] {"json", "application/json", "JSON"}),
          Map.entry("csv", new String[] {"csv", "text/csv", "CSV"}),
          Map.entry("svg", new String[] {"svg", "image/svg+xml", "SVG"}),
          Map.entry("sh", new String[] {"shell", "text/plain", "Shell"}),
          Map.entry("sql", new String[] {"sql", "text/plain", "SQL"}),
          Map.entry("html", new String[] {"html", "text/html", "HTML"}),
          Map.entry("css", new String[] {"css", "text/css", "CSS"}),
          Map.entry("go", new String[] {"go", "text/plain", "Go"}),
          Map.entry("rs", new String[] {"rust", "text/plain", "Rust"}),
          Map.entry("toml", new String[] {"toml", "text/plain", "TOML"}),
          Map.entry("yml", new String[] {"yaml", "text/plain", "YAML"}),
          Map.entry("yaml", new String[] {"yaml", "text/plain", "YAML"}),
          Map.entry("png", new String[] {"png", "image/png", "PNG"}),
          Map.entry("jpg", new String[] {"jpg", "image/jpeg", "JPEG"}),
          Map.entry("gif", new String[] {"gif", "image/gif", "GIF"}),
          Map.entry("pdf", new String[] {"pdf", "application/pdf", "PDF"}),
          Map.entry("zip", new String[] {"zip", "application/zip", "Zip"}));

  private FileTypes() {}

  /** {@code {filetype, mimetype}} for {@code name} with {@code content}. */
  static String[] of(String name, byte[] content) {
    int dot = name.lastIndexOf('.');
    String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    String[] known = BY_EXTENSION.get(ext);
    if (known != null) {
      return new String[] {known[0], known[1]};
    }
    return isUtf8(content)
        ? new String[] {"text", "text/plain"}
        : new String[] {"binary", "application/octet-stream"};
  }

  static String pretty(String filetype) {
    for (String[] known : BY_EXTENSION.values()) {
      if (known[0].equals(filetype)) {
        return known[2];
      }
    }
    return filetype.equals("binary") ? "Binary" : "Plain Text";
  }

  static boolean isText(String mimetype) {
    return mimetype.startsWith("text/")
        || mimetype.equals("application/json")
        || mimetype.equals("image/svg+xml");
  }

  static boolean isUtf8(byte[] content) {
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(content));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }
}
