package dev.threadbare.materializer;

import java.util.Locale;
import java.util.regex.Pattern;
import org.eclipse.jgit.errors.CorruptObjectException;
import org.eclipse.jgit.lib.ObjectChecker;

/**
 * The last line of defence before a path or channel id reaches git or the file system: what git
 * itself cannot hold or {@code git fsck} would reject. Stateless.
 */
final class GitPaths {

  private static final Pattern CHANNEL_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
  private static final ObjectChecker CHECKER = new ObjectChecker();

  private GitPaths() {}

  /** Null when git can hold {@code path}, else the reason it cannot. */
  static String problem(String path) {
    if (path.startsWith("/") || path.endsWith("/") || path.contains("//")) {
      return "path `" + path + "` is not relative or has an empty segment";
    }
    for (String segment : path.split("/", -1)) {
      String folded = segment.toLowerCase(Locale.ROOT).replaceAll("[ .]+$", "");
      if (folded.equals(".git") || folded.startsWith("git~")) {
        return "path `" + path + "` reaches into `.git`, which git keeps for itself";
      }
    }
    try {
      CHECKER.checkPath(path);
    } catch (CorruptObjectException e) {
      return "path `" + path + "` cannot be stored by git: " + e.getMessage();
    }
    return null;
  }

  /** Whether {@code channel} may name a repository directory (letters, digits, - and _). */
  static boolean isChannelId(String channel) {
    return channel != null && CHANNEL_ID.matcher(channel).matches();
  }
}
