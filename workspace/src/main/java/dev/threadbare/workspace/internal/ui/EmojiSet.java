package dev.threadbare.workspace.internal.ui;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The emoji the UI shows, shipped with the application (Twemoji SVGs under Slack's short names; see
 * {@code workspace/vendor/emoji.sh}), so reactions and {@code :codes:} look the same on every
 * machine whatever its fonts. Read from the class path on first use. Thread-safe.
 */
final class EmojiSet {

  private final String resource;
  private volatile Map<String, byte[]> byName;

  EmojiSet(String resource) {
    this.resource = resource;
  }

  /** The SVG of the emoji Slack calls {@code name} ({@code thumbsup}, {@code +1}), if known. */
  Optional<byte[]> svg(String name) {
    return Optional.ofNullable(load().get(name));
  }

  private Map<String, byte[]> load() {
    Map<String, byte[]> loaded = byName;
    if (loaded != null) {
      return loaded;
    }
    synchronized (this) {
      if (byName == null) {
        byName = read();
      }
      return byName;
    }
  }

  private Map<String, byte[]> read() {
    Map<String, byte[]> files = new HashMap<>();
    String names = "";
    try (InputStream raw = EmojiSet.class.getClassLoader().getResourceAsStream(resource)) {
      if (raw == null) {
        throw new IllegalStateException("the emoji set " + resource + " is not on the class path");
      }
      try (ZipInputStream zip = new ZipInputStream(raw)) {
        for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
          byte[] bytes = zip.readAllBytes();
          if (entry.getName().equals("names.tsv")) {
            names = new String(bytes, StandardCharsets.UTF_8);
          } else {
            files.put(entry.getName(), bytes);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the emoji set " + resource, e);
    }
    Map<String, byte[]> result = new HashMap<>();
    for (String line : names.split("\n")) {
      int tab = line.indexOf('\t');
      if (tab > 0 && files.containsKey(line.substring(tab + 1))) {
        result.put(line.substring(0, tab), files.get(line.substring(tab + 1)));
      }
    }
    return Map.copyOf(result);
  }
}
