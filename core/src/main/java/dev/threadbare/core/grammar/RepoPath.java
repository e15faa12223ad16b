package dev.threadbare.core.grammar;

/**
 * A validated repository path: relative, POSIX, NFC-normalised, obeying every path rule of
 * DESIGN.md section 2 (see {@link PathRules}). Immutable. Construct with {@link #of(String)}, which
 * names the rule a bad path breaks; the canonical constructor normalises and checks the same way.
 */
public record RepoPath(String value) implements Comparable<RepoPath> {

  public RepoPath {
    value = PathRules.normalize(value);
    PathRules.check(value);
  }

  /** Validates and NFC-normalises {@code raw}; throws {@link BadPathException} naming the rule. */
  public static RepoPath of(String raw) {
    return new RepoPath(raw);
  }

  /** The last segment: the file's name. */
  public String fileName() {
    return value.substring(value.lastIndexOf('/') + 1);
  }

  @Override
  public int compareTo(RepoPath other) {
    return value.compareTo(other.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
