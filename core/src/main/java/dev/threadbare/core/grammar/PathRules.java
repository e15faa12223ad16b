package dev.threadbare.core.grammar;

import java.text.Normalizer;

/**
 * The path rules of DESIGN.md section 2: a repository path is relative and POSIX; its segments are
 * non-empty, at most 255 bytes of UTF-8, made of printable characters other than {@code / \ : * ? "
 * < > |}; no segment is {@code .} or {@code ..}; no segment names git's own directory ({@code .git}
 * in any case, including the spellings Windows and macOS file systems treat as {@code .git}); the
 * whole path is at most 4096 bytes and NFC-normalised. Stateless and thread safe.
 *
 * <p>Every refusal is a {@link BadPathException} whose {@link BadPathException#rule() rule} is one
 * of the {@code RULE_*} constants and whose message names the path and the rule.
 */
public final class PathRules {

  /** Rule name: the path is empty. */
  public static final String RULE_EMPTY = "empty-path";

  /** Rule name: the path starts with {@code /}. */
  public static final String RULE_ABSOLUTE = "absolute-path";

  /** Rule name: the path has an empty segment ({@code a//b} or a trailing {@code /}). */
  public static final String RULE_EMPTY_SEGMENT = "empty-segment";

  /** Rule name: a segment is {@code .} or {@code ..}. */
  public static final String RULE_DOT_SEGMENT = "dot-segment";

  /** Rule name: a segment names git's own directory. */
  public static final String RULE_GIT_DIR = "git-directory";

  /** Rule name: a character that is not allowed in a path segment. */
  public static final String RULE_FORBIDDEN_CHAR = "forbidden-character";

  /** Rule name: a control character (or an unpaired surrogate). */
  public static final String RULE_CONTROL_CHAR = "control-character";

  /** Rule name: a segment is longer than 255 bytes of UTF-8. */
  public static final String RULE_SEGMENT_TOO_LONG = "segment-too-long";

  /** Rule name: the path is longer than 4096 bytes of UTF-8. */
  public static final String RULE_PATH_TOO_LONG = "path-too-long";

  /** The longest segment, in bytes of UTF-8. */
  public static final int MAX_SEGMENT_BYTES = 255;

  /** The longest path, in bytes of UTF-8. */
  public static final int MAX_PATH_BYTES = 4096;

  private static final String FORBIDDEN = "\\:*?\"<>|";

  private PathRules() {}

  /**
   * The problem of a file {@code path} that cannot be taken because {@code other}, defined by an
   * older message, is in the way: a file where {@code path} needs a directory, or a directory (a
   * file under it) where {@code path} would be a file. Names both and the fix.
   */
  public static Problem conflict(String path, String other) {
    boolean otherIsDirectory = other.startsWith(path + "/");
    String why =
        otherIsDirectory
            ? "`" + path + "` is already a directory (it holds `" + other + "`)"
            : "`"
                + other
                + "` is already a file, so it cannot be a directory holding `"
                + path
                + "`";
    String fix =
        otherIsDirectory
            ? "remove what is under it first (`rm "
                + other
                + "`, and any other file in `"
                + path
                + "/`), or pick another name"
            : "remove it first (`rm " + other + "`), or pick another name";
    return new Problem(
        path,
        Problem.PATH_CONFLICT,
        "file `"
            + path
            + "` was not saved: "
            + why
            + " and git cannot hold a file and a directory"
            + " of the same name. To save it, "
            + fix
            + ", then post it again.");
  }

  /** Whether {@code rule} is one of the path rules' names. */
  public static boolean isPathRule(String rule) {
    return switch (rule) {
      case RULE_EMPTY,
          RULE_ABSOLUTE,
          RULE_EMPTY_SEGMENT,
          RULE_DOT_SEGMENT,
          RULE_GIT_DIR,
          RULE_FORBIDDEN_CHAR,
          RULE_CONTROL_CHAR,
          RULE_SEGMENT_TOO_LONG,
          RULE_PATH_TOO_LONG ->
          true;
      default -> false;
    };
  }

  /** NFC-normalises {@code raw}; rejects null. */
  static String normalize(String raw) {
    if (raw == null) {
      throw new BadPathException("null", RULE_EMPTY, "a path is required: got none");
    }
    return Normalizer.normalize(raw, Normalizer.Form.NFC);
  }

  /**
   * Checks every rule on an already normalised path; throws {@link BadPathException} naming the
   * first rule broken. Linear in the length of the path.
   */
  static void check(String path) {
    if (path == null || path.isEmpty()) {
      throw bad(String.valueOf(path), RULE_EMPTY, "is empty: name the file, as `src/app.py`");
    }
    // Characters first, so that a path with a newline or NUL is reported as such even when it
    // also breaks a structural rule.
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
        throw bad(
            path,
            RULE_CONTROL_CHAR,
            String.format(
                "holds the control character U+%04X: paths are printable text only", (int) c));
      }
      if (Character.isSurrogate(c)) {
        boolean paired =
            Character.isHighSurrogate(c)
                && i + 1 < path.length()
                && Character.isLowSurrogate(path.charAt(i + 1));
        if (!paired) {
          throw bad(
              path,
              RULE_CONTROL_CHAR,
              String.format(
                  "holds the unpaired surrogate U+%04X: paths must be valid Unicode", (int) c));
        }
        i++;
        continue;
      }
      if (FORBIDDEN.indexOf(c) >= 0) {
        throw bad(
            path,
            RULE_FORBIDDEN_CHAR,
            "holds `"
                + c
                + "`: path segments may not contain any of \\ : * ? \" < > | (use / to separate"
                + " folders)");
      }
    }
    if (path.charAt(0) == '/') {
      throw bad(
          path,
          RULE_ABSOLUTE,
          "is absolute: paths are relative to the repository root, drop the leading `/`");
    }
    int total = 0;
    int start = 0;
    while (start <= path.length()) {
      int slash = path.indexOf('/', start);
      int end = slash < 0 ? path.length() : slash;
      String segment = path.substring(start, end);
      checkSegment(path, segment);
      total += utf8Length(segment) + (slash < 0 ? 0 : 1);
      if (slash < 0) {
        break;
      }
      start = slash + 1;
    }
    if (total > MAX_PATH_BYTES) {
      throw bad(
          path,
          RULE_PATH_TOO_LONG,
          "is "
              + total
              + " bytes long: a path may be at most "
              + MAX_PATH_BYTES
              + " bytes of UTF-8");
    }
  }

  private static void checkSegment(String path, String segment) {
    if (segment.isEmpty()) {
      throw bad(
          path,
          RULE_EMPTY_SEGMENT,
          "has an empty segment: no `//` and no trailing `/` (name a file, not a folder)");
    }
    if (segment.equals("..")) {
      throw bad(path, RULE_DOT_SEGMENT, "leaves the repository: `..` segments are not allowed");
    }
    if (segment.equals(".")) {
      throw bad(path, RULE_DOT_SEGMENT, "has a `.` segment: write the path without `./`");
    }
    if (namesGitDirectory(segment)) {
      throw bad(
          path,
          RULE_GIT_DIR,
          "is inside git's own `.git` directory: that folder belongs to git, choose another"
              + " name");
    }
    int bytes = utf8Length(segment);
    if (bytes > MAX_SEGMENT_BYTES) {
      throw bad(
          path,
          RULE_SEGMENT_TOO_LONG,
          "has a segment of "
              + bytes
              + " bytes: each folder or file name may be at most "
              + MAX_SEGMENT_BYTES
              + " bytes of UTF-8");
    }
  }

  /**
   * Whether a segment is {@code .git} as some file system would see it: any case, ignoring trailing
   * dots and spaces (Windows), ignorable format characters (macOS HFS+) and the short name {@code
   * GIT~1}. JGit's {@code ObjectChecker} refuses the same spellings.
   */
  private static boolean namesGitDirectory(String segment) {
    if (segment.length() > 64 || (segment.indexOf('g') < 0 && segment.indexOf('G') < 0)) {
      return false;
    }
    StringBuilder visible = new StringBuilder(segment.length());
    segment
        .codePoints()
        .filter(cp -> Character.getType(cp) != Character.FORMAT)
        .forEach(visible::appendCodePoint);
    int end = visible.length();
    while (end > 0 && (visible.charAt(end - 1) == '.' || visible.charAt(end - 1) == ' ')) {
      end--;
    }
    String name = visible.substring(0, end);
    return name.equalsIgnoreCase(".git") || name.equalsIgnoreCase("git~1");
  }

  static int utf8Length(String s) {
    int bytes = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  /** The path as shown in a message: control characters escaped, at most 120 characters. */
  static String display(String path) {
    StringBuilder out = new StringBuilder();
    int limit = Math.min(path.length(), 120);
    for (int i = 0; i < limit; i++) {
      char c = path.charAt(i);
      if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
        out.append(String.format("\\u%04X", (int) c));
      } else {
        out.append(c);
      }
    }
    if (path.length() > limit) {
      out.append("… (").append(path.length()).append(" characters)");
    }
    return out.toString();
  }

  private static BadPathException bad(String path, String rule, String why) {
    return new BadPathException(path, rule, "path `" + display(path) + "` " + why);
  }
}
