package dev.threadbare.core.grammar;

/**
 * A validated repository path: relative, POSIX, NFC-normalised, obeying every path rule of
 * DESIGN.md section 2. Immutable. Construct with {@link #of(String)}, which names the rule a bad
 * path breaks.
 */
public record RepoPath(String value) implements Comparable<RepoPath> {

  public RepoPath {
    PathRules.check(value);
  }

  /** Validates and NFC-normalises {@code raw}; throws {@link BadPathException} naming the rule. */
  public static RepoPath of(String raw) {
    return new RepoPath(PathRules.normalize(raw));
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
