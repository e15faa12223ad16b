package dev.threadbare.chat.bot;

import dev.threadbare.core.grammar.Problem;
import dev.threadbare.core.materialization.FileChange;
import dev.threadbare.core.materialization.RepositoryStatus;
import java.util.List;

/** The catalog of everything the bot says in the chat: one place for the wording. Stateless. */
public final class BotReplies {

  /** Reaction names (without colons) for the outcomes of DESIGN.md section 5. */
  static final String TAKEN = "white_check_mark";

  static final String NO_PATH = "question";

  /** The refusal reaction (a bad path, a refused file): with a private note saying why. */
  public static final String REFUSED = "x";

  /** Lines of diff shown in the thread before the rest is summarised. */
  static final int DIFF_LINES = 40;

  private BotReplies() {}

  static String help() {
    return """
        *threadbare*: this channel is a repository; code blocks are files.
        • A file: a line with the path in backticks, then a code block:
            `src/app.py`
            ```print("hi")```
          or a first line inside the block such as `# file: src/app.py`.
        • A newer block with the same path is a new version; a thread is a branch.
        • A code block holds at most `[lint] max_lines` lines (threadbare.toml, default 400);
          longer files: upload them as attachments (text, CSV or SVG).
        • Commands, each on its own line: `rm PATH`, `mv OLD NEW`, `merge`, `status`, \
        `promote VERSION`, `rollback`, `deploy VERSION`, `url [VERSION]`, `token`, `help`.
        I answer with ✅ (taken), ❓ (a code block without a path) or ❌ (refused).
        CI (`[ci] test` in threadbare.toml): 🔄 while a commit's tests wait or run, then 🟢 passed,
        🔴 failed, ⚠️ error (timeout or another limit) or ⏹️ cancelled by a newer commit.
        Deploys (`[deploy] run`): 🚀 once the version has its URL (after 🟢 when it has `[ci]`);
        `url` or `deploy VERSION` tells you the URL privately.""";
  }

  static String token(GitAccess.Grant grant) {
    return "Your personal git token (shown only to you; keep it secret): `"
        + grant.token()
        + "`\nClone with `git clone "
        + grant.cloneUrl()
        + "` and give any user name with the token as the password. `token` again gives a new"
        + " one; an admin can revoke them with `threadbare git revoke-token`.";
  }

  static String tokenUnavailable() {
    return "Git access is not served here, so there is no token to give.";
  }

  static String noPath() {
    return "That code block has no path, so it is not a file and nothing changed. Put the path on"
        + " the line before the block, in backticks (`src/app.py`), or as the block's first line"
        + " in a comment (`# file: src/app.py`). Say `help` for more.";
  }

  static String refused(List<Problem> problems) {
    StringBuilder text = new StringBuilder("Nothing changed: ");
    if (problems.isEmpty()) {
      return text.append("the change was refused.").toString();
    }
    if (problems.size() == 1) {
      return text.append(problems.get(0).message()).toString();
    }
    text.append("this message has ").append(problems.size()).append(" problems:");
    for (Problem problem : problems) {
      text.append("\n• ").append(problem.message());
    }
    return text.toString();
  }

  static String problems(List<Problem> problems) {
    StringBuilder text = new StringBuilder("Part of your message was not taken:");
    for (Problem problem : problems) {
      text.append("\n• ").append(problem.message());
    }
    return text.toString();
  }

  /** One compact diff message for the new versions in a commit, or null if there is none. */
  static String diff(List<FileChange> changes, String commit) {
    StringBuilder body = new StringBuilder();
    int shown = 0;
    int hidden = 0;
    for (FileChange change : changes) {
      if (change.kind() != FileChange.Kind.MODIFIED || change.diff().isBlank()) {
        continue;
      }
      for (String line : change.diff().split("\n", -1)) {
        if (shown < DIFF_LINES) {
          body.append(line).append('\n');
          shown++;
        } else {
          hidden++;
        }
      }
    }
    if (shown == 0) {
      return null;
    }
    String head = commit == null ? "New version:" : "New version (`" + abbreviate(commit) + "`):";
    String tail = hidden == 0 ? "" : "\n… " + hidden + " more diff lines in the repository.";
    return head + "\n```\n" + body.toString().stripTrailing() + "\n```" + tail;
  }

  /** Lines of a merge's conflict reply before the rest is summarised. */
  static final int CONFLICT_LINES = 80;

  /** The one thread reply for a merge that conflicts: each path and its conflicting hunks. */
  static String conflicts(List<Problem> conflicts) {
    StringBuilder text =
        new StringBuilder("Not merged: ")
            .append(
                conflicts.size() == 1 ? "1 file conflicts" : conflicts.size() + " files conflict")
            .append(" with `main`. Post the resolved file")
            .append(conflicts.size() == 1 ? "" : "s")
            .append(" in this thread, then say `merge` again.");
    int lines = 0;
    int hidden = 0;
    for (Problem conflict : conflicts) {
      text.append("\n• `").append(conflict.input()).append('`');
      String hunks = conflict.message();
      if (!hunks.contains("<<<<<<<")) {
        // A conflict of existence (changed on one side, removed on the other): a sentence.
        text.append(": ").append(hunks);
        continue;
      }
      StringBuilder block = new StringBuilder();
      for (String line : hunks.split("\n", -1)) {
        if (lines < CONFLICT_LINES) {
          block.append(line).append('\n');
          lines++;
        } else {
          hidden++;
        }
      }
      if (!block.isEmpty()) {
        text.append("\n```\n").append(block.toString().stripTrailing()).append("\n```");
      }
    }
    if (hidden > 0) {
      text.append("\n… ").append(hidden).append(" more lines of conflicts.");
    }
    return text.toString();
  }

  /** Why a gated merge was not accepted, for the asker alone. */
  static String mergeRefused(String gate, String reason) {
    return "Not merged: " + gate + " Missing: " + reason + " Say `merge` again once it is there.";
  }

  static String status(RepositoryStatus status) {
    String head =
        status.commit() == null ? "no commits yet" : "`" + abbreviate(status.commit()) + "`";
    return "*"
        + status.repository()
        + "* on `"
        + status.branch()
        + "`: "
        + head
        + ", "
        + status.files()
        + (status.files() == 1 ? " file" : " files")
        + (status.openBranches() == 0
            ? ""
            : ", "
                + status.openBranches()
                + " open thread"
                + (status.openBranches() == 1 ? "" : "s"))
        + ".";
  }

  static String statusUnavailable(String reason) {
    return "The repository's status is not available yet (" + reason + "); try again shortly.";
  }

  static String slashTreeCommand(String command) {
    return "`"
        + command
        + "` changes files, so it must be part of the chat history: post it as a message in the"
        + " channel (or its thread) instead of as a slash command.";
  }

  static String slashUnknown(String text) {
    return "I do not know `" + text + "`. Say `/threadbare help` for the commands.";
  }

  static String slashAccepted(String command) {
    return "`" + command + "` noted; post it in the channel to act on it with the team watching.";
  }

  // ---- why a shared file does not become a repository file (FileDownloader), told privately

  /** A shared file without an id. */
  public static String fileWithoutId() {
    return "a shared file has no id: it cannot be downloaded";
  }

  /** A file whose type is not text. */
  public static String fileTypeNotTaken(String file, String mimetype) {
    return "file `"
        + file
        + "` ("
        + (mimetype.isEmpty() ? "unknown type" : mimetype)
        + ") is not taken: only UTF-8 text, CSV and SVG files become repository files";
  }

  /** A file larger than a repository file may be. */
  public static String fileTooLarge(String file, long size, long maxBytes) {
    return "file `"
        + file
        + "` has "
        + size
        + " bytes, more than the "
        + maxBytes
        + " a repository file may have: keep large assets out of the chat";
  }

  /** A file the event gives no download URL for. */
  public static String fileWithoutUrl(String file) {
    return "file `" + file + "` has no url_private: the bot needs the files:read scope";
  }

  /** A file whose download URL is not a URL. */
  public static String fileUrlMalformed(String file, String url) {
    return "file `" + file + "` has a malformed url_private: " + url;
  }

  /** A download Slack answered with another status than 200. */
  public static String fileDownloadRefused(String file, int status) {
    return "file `"
        + file
        + "` could not be downloaded (HTTP "
        + status
        + "): check the bot's files:read scope";
  }

  /** A download that failed on the way. */
  public static String fileDownloadFailed(String file, String why) {
    return "file `" + file + "` could not be downloaded (" + why + "); share it again";
  }

  /** A download cut short by shutdown. */
  public static String fileDownloadInterrupted(String file) {
    return "file `" + file + "`: download interrupted";
  }

  /** A file whose bytes are not UTF-8. */
  public static String fileNotUtf8(String file) {
    return "file `" + file + "` is not UTF-8 text: only UTF-8 text, CSV and SVG files are taken";
  }

  private static String abbreviate(String commit) {
    return commit.length() > 10 ? commit.substring(0, 10) : commit;
  }
}
