package dev.threadbare.core.grammar;

import java.text.Normalizer;

/** The path rules of DESIGN.md section 2. Stateless; the grammar helper fills in every rule. */
final class PathRules {
  private PathRules() {}

  static String normalize(String raw) {
    if (raw == null) {
      throw new BadPathException("null", "missing", "a path is required");
    }
    return Normalizer.normalize(raw, Normalizer.Form.NFC);
  }

  static void check(String path) {
    if (path == null || path.isEmpty()) {
      throw new BadPathException(String.valueOf(path), "empty", "a path may not be empty");
    }
  }
}
