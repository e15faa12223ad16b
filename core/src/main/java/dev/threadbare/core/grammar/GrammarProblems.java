package dev.threadbare.core.grammar;

/**
 * The catalog of what the grammar tells a sender, one factory per {@link Problem} rule, so that
 * every sentence is written (and reviewed) in one place. Path refusals live with their rules in
 * {@link PathRules}. Stateless.
 */
final class GrammarProblems {
  private GrammarProblems() {}

  static Problem unterminatedFence(String near) {
    return new Problem(
        near,
        Problem.UNTERMINATED_FENCE,
        "the code block starting `"
            + near
            + "` is never closed: end it with ``` on its last line (nothing in this message was"
            + " saved)");
  }

  static Problem noPath(String near) {
    return new Problem(
        near,
        Problem.NO_PATH,
        "the code block starting `"
            + near
            + "` names no file, so it was not saved. To save it, put the path on the line before"
            + " the block, as `src/app.py`, or `// file: src/app.py` as its first line.");
  }

  static Problem tooManyLines(RepoPath path, int lines, int maxLines) {
    return new Problem(
        path.value(),
        Problem.TOO_LONG,
        "file `"
            + path
            + "` is "
            + lines
            + " lines, over the limit of "
            + maxLines
            + " (lint.max_lines) for a code block: upload it as a file attachment instead");
  }

  static Problem tooManyCharacters(RepoPath path, int characters, int limit) {
    return new Problem(
        path.value(),
        Problem.TOO_LONG,
        "file `"
            + path
            + "` is "
            + characters
            + " characters, over Slack's limit of "
            + limit
            + " for a message: upload it as a file attachment instead");
  }

  static Problem duplicatePath(RepoPath path, String earlier, String later) {
    return new Problem(
        path.value(),
        Problem.DUPLICATE_PATH,
        "path `"
            + path
            + "` is named twice in one message (by "
            + earlier
            + " and by "
            + later
            + "): a message may define, remove or move each path once");
  }

  static Problem unnamedAttachment(String id) {
    return new Problem(
        id,
        Problem.NO_PATH,
        "the attached file "
            + id
            + " has neither a name nor a title, so it was not saved: give it a title such as"
            + " src/app.py");
  }

  static Problem binaryAttachment(String shown, String why) {
    return new Problem(
        shown,
        Problem.BINARY_ATTACHMENT,
        "the attached file `"
            + PathRules.display(shown)
            + "` "
            + why
            + ", so it was not saved: only UTF-8 text, CSV and SVG files are kept in the"
            + " repository");
  }
}
