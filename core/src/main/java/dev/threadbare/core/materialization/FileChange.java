package dev.threadbare.core.materialization;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * One file a commit changed, with a unified diff for a new version of an existing file. The diff is
 * rendered from the git store the first time {@link #diff()} is asked for (most consumers never
 * ask), then kept. Immutable once rendered; thread safe.
 */
public final class FileChange {

  /** How a file changed. */
  public enum Kind {
    /** The path is new. */
    ADDED,
    /** The path has a new version. */
    MODIFIED,
    /** The path is gone. */
    REMOVED
  }

  private final String path;
  private final Kind kind;
  private final Supplier<String> render;
  private volatile String diff;

  private FileChange(String path, Kind kind, String diff, Supplier<String> render) {
    this.path = Objects.requireNonNull(path, "path");
    this.kind = Objects.requireNonNull(kind, "kind");
    this.diff = diff;
    this.render = render;
  }

  /** A change with its diff at hand ({@code ""} for none). */
  public static FileChange of(String path, Kind kind, String diff) {
    return new FileChange(path, kind, diff == null ? "" : diff, null);
  }

  /** A change whose diff {@code render} makes when first asked for (only for {@code MODIFIED}). */
  public static FileChange rendered(String path, Kind kind, Supplier<String> render) {
    Objects.requireNonNull(render, "render");
    return kind == Kind.MODIFIED ? new FileChange(path, kind, null, render) : of(path, kind, "");
  }

  /** The path after the change. */
  public String path() {
    return path;
  }

  /** How it changed. */
  public Kind kind() {
    return kind;
  }

  /** A unified diff against the previous version; empty for a new or removed file. */
  public String diff() {
    String text = diff;
    if (text == null) {
      synchronized (this) {
        text = diff;
        if (text == null) {
          text = Objects.requireNonNullElse(render.get(), "");
          diff = text;
        }
      }
    }
    return text;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof FileChange that
        && path.equals(that.path)
        && kind == that.kind
        && diff().equals(that.diff());
  }

  @Override
  public int hashCode() {
    return Objects.hash(path, kind);
  }

  @Override
  public String toString() {
    return kind + " " + path;
  }
}
