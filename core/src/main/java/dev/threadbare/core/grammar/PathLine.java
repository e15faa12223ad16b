package dev.threadbare.core.grammar;

/**
 * How a code block names its file: the line before the fence ({@code `src/app.py`}, {@code file:
 * app.py}, {@code app.py:}) or a comment on its first line ({@code # file: app.py}). The path is
 * checked by {@link RepoPath} afterwards.
 *
 * @param path the path as written
 * @param explicit whether the sender clearly meant a path (then a bad path refuses the change)
 */
record PathLine(String path, boolean explicit) {

  /** The path named by an in-fence comment line ({@code // file: p} and kin), or null. */
  static String fromComment(String firstLine) {
    String t = firstLine.strip();
    String rest;
    String suffix = "";
    if (t.startsWith("<!--")) {
      rest = t.substring(4);
      suffix = "-->";
    } else if (t.startsWith("/*")) {
      rest = t.substring(2);
      suffix = "*/";
    } else if (t.startsWith("//") || t.startsWith("--")) {
      rest = t.substring(2);
    } else if (t.startsWith("#")) {
      rest = t.substring(1);
    } else {
      return null;
    }
    rest = rest.strip();
    if (!suffix.isEmpty()) {
      if (!rest.endsWith(suffix)) {
        return null;
      }
      rest = rest.substring(0, rest.length() - suffix.length()).strip();
    }
    if (!rest.regionMatches(true, 0, "file:", 0, 5)) {
      return null;
    }
    String path = unquote(rest.substring(5).strip());
    return path.isEmpty() ? null : path;
  }

  /** Reads a (trimmed) line before a fence as a path line, or null. */
  static PathLine read(String line) {
    String t = line.strip();
    if (t.isEmpty()) {
      return null;
    }
    if (t.charAt(0) == '`') {
      int close = t.indexOf('`', 1);
      if (close < 2) {
        return null;
      }
      String after = t.substring(close + 1).strip();
      if (!after.isEmpty() && !after.equals(":")) {
        return null;
      }
      String path = t.substring(1, close).strip();
      return path.isEmpty() ? null : new PathLine(path, true);
    }
    if (t.regionMatches(true, 0, "file:", 0, 5)) {
      String path = unquote(t.substring(5).strip());
      return path.isEmpty() ? null : new PathLine(path, true);
    }
    if (t.length() > 1 && t.charAt(t.length() - 1) == ':') {
      String path = t.substring(0, t.length() - 1);
      boolean plain =
          path.chars().noneMatch(c -> Character.isWhitespace(c) || c == '`')
              && (path.indexOf('/') >= 0 || path.indexOf('.') >= 0);
      if (plain && isValidPath(path)) {
        return new PathLine(path, false);
      }
    }
    return null;
  }

  private static boolean isValidPath(String path) {
    try {
      RepoPath.of(path);
      return true;
    } catch (BadPathException e) {
      return false;
    }
  }

  private static String unquote(String s) {
    if (s.length() >= 2 && s.charAt(0) == '`' && s.charAt(s.length() - 1) == '`') {
      return s.substring(1, s.length() - 1).strip();
    }
    return s;
  }
}
