package dev.threadbare.core.grammar;

import com.fasterxml.jackson.databind.JsonNode;
import dev.threadbare.core.chat.SlackMessages;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a Slack message as threadbare's chat grammar (DESIGN.md section 2): file blocks, {@code
 * rm}/{@code mv} and other commands, and the commit message. Pure and thread safe; the decisions it
 * makes where Slack is ambiguous are listed in {@code core/README.md}.
 *
 * <p>Every step is linear in the size of the message (no backtracking regular expressions), so a
 * hostile 5 MB message costs what reading it costs.
 */
public final class ChatGrammar {

  /** The default of {@code lint.max_lines}. */
  public static final int DEFAULT_MAX_LINES = 400;

  /** Slack's own limit on a message's text, which also bounds a code block. */
  public static final int SLACK_MESSAGE_LIMIT = 40_000;

  private static final String FENCE_MARK = "```";
  private static final int MAX_INFO_STRING = 32;
  private static final int MAX_PROBLEMS_PER_KIND = 20;

  private final int maxLines;

  private ChatGrammar(int maxLines) {
    if (maxLines < 1) {
      throw new IllegalArgumentException(
          "lint.max_lines = " + maxLines + " leaves no room for a file: use a positive number");
    }
    this.maxLines = maxLines;
  }

  /** A grammar with the default lint limit ({@code lint.max_lines} = 400). */
  public static ChatGrammar create() {
    return new ChatGrammar(DEFAULT_MAX_LINES);
  }

  /** A grammar whose code blocks may hold at most {@code maxLines} lines. */
  public static ChatGrammar withMaxLines(int maxLines) {
    return new ChatGrammar(maxLines);
  }

  /** The lint limit this grammar applies to code blocks. */
  public int maxLines() {
    return maxLines;
  }

  /**
   * Parses one Slack message object (the {@code event} of a {@code message} event, or an element of
   * an export's day file): its {@code text}, its {@code blocks} and the given attachments. A bot's
   * message (see {@link SlackMessages#isBot(JsonNode)}) yields {@link ParsedMessage#empty()}.
   *
   * @param message the Slack message object
   * @param attachments the files shared with the message, downloaded; may be empty
   */
  public ParsedMessage parse(JsonNode message, List<Attachment> attachments) {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(attachments, "attachments");
    if (SlackMessages.isBot(message)) {
      return ParsedMessage.empty();
    }
    return new Reading(SlackMessages.text(message), RichText.preformatted(message.get("blocks")))
        .read(attachments);
  }

  /**
   * Parses one line as a command ({@code rm PATH}, {@code mv OLD NEW}, {@code merge}, {@code
   * status}, {@code promote VERSION}, {@code rollback}, {@code deploy VERSION}, {@code token},
   * {@code help}), optionally after mentions such as {@code <@U123>}: the text of a {@code
   * /threadbare} slash command, say. Empty when the line is not a command.
   *
   * @throws BadPathException when {@code rm} or {@code mv} names a bad path
   */
  public static Optional<Command> parseCommand(String line) {
    Objects.requireNonNull(line, "line");
    return CommandLine.parse(line);
  }

  // ---------------------------------------------------------------- content

  /**
   * Whether the first line of a fence is an info string (a language), not content: a single word of
   * at most 32 characters that starts with a letter and holds only letters, digits and {@code _ + #
   * . -}, with more of the block after it.
   */
  static boolean isInfoString(String line) {
    if (line.isEmpty() || line.length() > MAX_INFO_STRING || !isAsciiLetter(line.charAt(0))) {
      return false;
    }
    for (int i = 1; i < line.length(); i++) {
      char c = line.charAt(i);
      boolean word =
          isAsciiLetter(c)
              || (c >= '0' && c <= '9')
              || c == '_'
              || c == '+'
              || c == '#'
              || c == '.'
              || c == '-';
      if (!word) {
        return false;
      }
    }
    return true;
  }

  private static boolean isAsciiLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  private static String firstLine(String text) {
    int newline = text.indexOf('\n');
    String line = newline < 0 ? text : text.substring(0, newline);
    if (line.endsWith("\r")) {
      line = line.substring(0, line.length() - 1);
    }
    return line;
  }

  /** The first non-blank line of a block, shortened to 60 characters, to name it in a message. */
  private static String preview(String text) {
    int start = 0;
    int n = text.length();
    while (start < n) {
      int end = start;
      while (end < n && text.charAt(end) != '\n') {
        end++;
      }
      String line = text.substring(start, Math.min(end, start + 200)).strip();
      if (!line.isEmpty()) {
        return line.length() > 60 ? line.substring(0, 60) + "…" : line;
      }
      start = end + 1;
    }
    return "(empty)";
  }

  /**
   * The content of every code block of a message, path or not, in order: the fence's text (from the
   * rich-text blocks when they match the fences one to one, else from the unescaped {@code text}),
   * without its info string, CRLF folded, with one trailing newline. For showing snippets; {@link
   * #parse} decides which blocks are files.
   */
  public List<String> codeBlocks(JsonNode message) {
    Objects.requireNonNull(message, "message");
    Reading reading =
        new Reading(SlackMessages.text(message), RichText.preformatted(message.get("blocks")));
    List<Fence> fences = reading.fences();
    boolean rich = !reading.preformatted.isEmpty() && reading.preformatted.size() == fences.size();
    List<String> blocks = new ArrayList<>();
    for (int k = 0; k < fences.size(); k++) {
      Fence fence = fences.get(k);
      String raw =
          rich
              ? reading.preformatted.get(k)
              : reading.plain.substring(fence.contentStart(), fence.contentEnd());
      blocks.add(blockContent(raw, rich));
    }
    return blocks;
  }

  /**
   * A fence's content: a newline right after the opening fence of {@code text} is dropped (Slack's
   * rich text has already dropped it); a first line that {@linkplain #isInfoString is an info
   * string} is dropped; then {@link Content#normalize}.
   */
  static String blockContent(String raw, boolean rich) {
    String body = raw;
    if (!rich && body.startsWith("\n")) {
      body = body.substring(1);
    } else if (!rich && body.startsWith("\r\n")) {
      body = body.substring(2);
    } else {
      int newline = body.indexOf('\n');
      if (newline >= 0 && isInfoString(firstLine(body))) {
        body = body.substring(newline + 1);
      }
    }
    return Content.normalize(body);
  }

  // ---------------------------------------------------------------- one reading

  /**
   * A code fence in a message's text: {@code open} at its first backtick, its content {@code
   * [contentStart, contentEnd)}, and {@code closeEnd} just after the closing backticks.
   */
  record Fence(int open, int contentStart, int contentEnd, int closeEnd) {}

  /** A line {@code [start, end)} of prose; {@code endWithNewline} takes blank lines after it. */
  private record LineSpan(int start, int end, int endWithNewline) {}

  /** The state of reading one message. Not thread safe; used once. */
  private final class Reading {
    private final String plain;
    private final List<String> preformatted;
    private final List<CommitMessage.Span> removed = new ArrayList<>();
    private final List<FileBlock> files = new ArrayList<>();
    private final List<Command> commands = new ArrayList<>();
    private final List<Problem> problems = new ArrayList<>();
    private final Map<RepoPath, String> claimed = new LinkedHashMap<>();
    private final Set<Integer> pathLineStarts = new HashSet<>();
    private int unterminatedAt = -1;

    Reading(String text, List<String> preformatted) {
      this.plain = SlackText.unescape(text);
      this.preformatted = preformatted;
    }

    /**
     * Records a problem. A hostile message could hold a million pathless blocks; at most {@value
     * #MAX_PROBLEMS_PER_KIND} problems of each kind (refusing or not) are kept, which still keeps
     * the refusal.
     */
    private void problem(Problem problem) {
      if (roomFor(problem.refusesChange())) {
        problems.add(problem);
      }
    }

    private boolean roomFor(boolean refusing) {
      long sameKind = problems.stream().filter(p -> p.refusesChange() == refusing).count();
      return sameKind < MAX_PROBLEMS_PER_KIND;
    }

    ParsedMessage read(List<Attachment> attachments) {
      List<Fence> fences = fences();
      boolean rich = !preformatted.isEmpty() && preformatted.size() == fences.size();
      int proseStart = 0;
      // Commands come from prose lines; path lines are taken first so they are not commands.
      List<CommitMessage.Span> prose = new ArrayList<>();
      for (int k = 0; k < fences.size(); k++) {
        Fence fence = fences.get(k);
        prose.add(new CommitMessage.Span(proseStart, fence.open()));
        String raw =
            rich ? preformatted.get(k) : plain.substring(fence.contentStart(), fence.contentEnd());
        block(fence, proseStart, raw, rich);
        proseStart = fence.closeEnd();
      }
      int proseEnd = unterminatedAt < 0 ? plain.length() : unterminatedAt;
      if (proseStart < proseEnd) {
        prose.add(new CommitMessage.Span(proseStart, proseEnd));
      }
      for (CommitMessage.Span span : prose) {
        commandLines(span.start(), span.end());
      }
      for (Attachment attachment : attachments) {
        attachment(attachment);
      }
      String commitMessage = CommitMessage.of(plain, removed);
      boolean refused = problems.stream().anyMatch(Problem::refusesChange);
      if (refused) {
        return new ParsedMessage(List.of(), List.of(), commitMessage, problems);
      }
      return new ParsedMessage(files, commands, commitMessage, problems);
    }

    /**
     * The fences of the text. A run of more than three backticks closes with its last three, so
     * content may end with a backtick.
     */
    private List<Fence> fences() {
      List<Fence> fences = new ArrayList<>();
      int pos = 0;
      int n = plain.length();
      while (true) {
        int open = plain.indexOf(FENCE_MARK, pos);
        if (open < 0) {
          return fences;
        }
        int contentStart = open + 3;
        int close = plain.indexOf(FENCE_MARK, contentStart);
        if (close < 0) {
          String near = preview(plain.substring(contentStart));
          problem(GrammarProblems.unterminatedFence(near));
          removed.add(new CommitMessage.Span(open, n));
          unterminatedAt = open;
          return fences;
        }
        int runEnd = close;
        while (runEnd < n && plain.charAt(runEnd) == '`') {
          runEnd++;
        }
        fences.add(new Fence(open, contentStart, runEnd - 3, runEnd));
        pos = runEnd;
      }
    }

    private void block(Fence fence, int proseStart, String raw, boolean rich) {
      String content = blockContent(raw, rich);

      LineSpan lineSpan = pathLineSpan(proseStart, fence.open());
      PathLine named = null;
      if (lineSpan != null) {
        named = PathLine.read(plain.substring(lineSpan.start(), lineSpan.end()));
      }
      if (named == null) {
        String fromComment = PathLine.fromComment(firstLine(content));
        if (fromComment != null) {
          named = new PathLine(fromComment, true);
          lineSpan = null;
        }
      } else {
        removed.add(
            new CommitMessage.Span(
                lineSpan.start(), Math.min(lineSpan.endWithNewline(), fence.open())));
        pathLineStarts.add(lineSpan.start());
      }
      if (named == null) {
        if (!roomFor(false)) {
          return;
        }
        String near = preview(content);
        problem(GrammarProblems.noPath(near));
        return;
      }
      removed.add(new CommitMessage.Span(fence.open(), fence.closeEnd()));
      RepoPath path;
      try {
        path = RepoPath.of(named.path());
      } catch (BadPathException e) {
        problem(e.toProblem());
        return;
      }
      int lines = countLines(content);
      if (lines > maxLines) {
        problem(GrammarProblems.tooManyLines(path, lines, maxLines));
        return;
      }
      if (content.length() > SLACK_MESSAGE_LIMIT) {
        problem(GrammarProblems.tooManyCharacters(path, content.length(), SLACK_MESSAGE_LIMIT));
        return;
      }
      if (claim(path, "a code block")) {
        files.add(new FileBlock(path, content));
      }
    }

    /**
     * The last non-empty line before the fence in the prose {@code [from, fenceOpen)}, or null.
     * Text on the fence's own line counts as that line.
     */
    private LineSpan pathLineSpan(int from, int fenceOpen) {
      int end = fenceOpen;
      int endWithNewline = fenceOpen;
      while (end > from) {
        // Search back no further than the prose starts, so that many fences on one long line
        // stay linear.
        int lineStart = end;
        while (lineStart > from && plain.charAt(lineStart - 1) != '\n') {
          lineStart--;
        }
        if (!plain.substring(lineStart, end).isBlank()) {
          return new LineSpan(lineStart, end, endWithNewline);
        }
        if (lineStart == from) {
          return null;
        }
        end = lineStart - 1;
        endWithNewline = lineStart;
      }
      return null;
    }

    private void commandLines(int from, int to) {
      int lineStart = from;
      while (lineStart < to) {
        int lineEnd = lineStart;
        while (lineEnd < to && plain.charAt(lineEnd) != '\n') {
          lineEnd++;
        }
        // Once the change is refused many times over, further commands cannot matter.
        if (mayBeCommand(lineStart, lineEnd)
            && !pathLineStarts.contains(lineStart)
            && roomFor(true)) {
          String line = plain.substring(lineStart, lineEnd);
          try {
            Optional<Command> command = CommandLine.parse(line);
            if (command.isPresent()) {
              commands.add(command.get());
              removed.add(new CommitMessage.Span(lineStart, Math.min(lineEnd + 1, to)));
              claim(command.get());
            }
          } catch (BadPathException e) {
            problem(e.toProblem());
            removed.add(new CommitMessage.Span(lineStart, Math.min(lineEnd + 1, to)));
          }
        }
        lineStart = lineEnd + 1;
      }
    }

    /**
     * A cheap test before the real one: a command line starts with a command's first letter or a
     * mention, and is not longer than {@code mv} with two of the longest paths.
     */
    private boolean mayBeCommand(int lineStart, int lineEnd) {
      if (lineEnd - lineStart > 2 * PathRules.MAX_PATH_BYTES + 100) {
        return false;
      }
      int i = lineStart;
      while (i < lineEnd && Character.isWhitespace(plain.charAt(i))) {
        i++;
      }
      return i < lineEnd && "rmsptdhu<".indexOf(plain.charAt(i)) >= 0;
    }

    private void claim(Command command) {
      switch (command) {
        case Command.Remove remove -> claim(remove.path(), "`rm`");
        case Command.Move move -> {
          claim(move.from(), "`mv`");
          claim(move.to(), "`mv`");
        }
        case Command.Action action -> {}
      }
    }

    private boolean claim(RepoPath path, String by) {
      String earlier = claimed.putIfAbsent(path, by);
      if (earlier == null) {
        return true;
      }
      if (!roomFor(true)) {
        return false;
      }
      problem(GrammarProblems.duplicatePath(path, earlier, by));
      return false;
    }

    private void attachment(Attachment attachment) {
      String title = attachment.title();
      String rawPath =
          title != null && title.indexOf('/') >= 0
              ? title
              : attachment.name() != null ? attachment.name() : title;
      String shown = rawPath == null ? attachment.id() : rawPath;
      String mimetype =
          attachment.mimetype() == null ? "" : attachment.mimetype().toLowerCase(Locale.ROOT);
      String binaryType = binaryMimetype(mimetype);
      if (binaryType != null) {
        binary(shown, "is " + binaryType + " (" + mimetype + ")");
        return;
      }
      String text = Content.utf8(attachment.content());
      if (text == null) {
        binary(shown, "is not UTF-8 text");
        return;
      }
      if (text.indexOf('\0') >= 0) {
        binary(shown, "holds NUL bytes, so it is binary");
        return;
      }
      if (rawPath == null) {
        problem(GrammarProblems.unnamedAttachment(attachment.id()));
        return;
      }
      RepoPath path;
      try {
        path = RepoPath.of(rawPath);
      } catch (BadPathException e) {
        problem(e.toProblem());
        return;
      }
      if (claim(path, "an attachment")) {
        // An upload is the way to get exact bytes in (CRLF, no final newline, a long file):
        // unlike a code block, whose text Slack's composer reshapes, its content is kept as is.
        files.add(new FileBlock(path, text));
      }
    }

    private void binary(String shown, String why) {
      problem(GrammarProblems.binaryAttachment(shown, why));
    }
  }

  /**
   * What a mimetype says about a file that cannot be a text file (an image other than SVG, audio,
   * video, a font, a PDF, an archive, an office document, a Slack canvas), or null when only its
   * bytes can tell.
   */
  static String binaryMimetype(String mimetype) {
    if (mimetype.startsWith("image/")) {
      return mimetype.startsWith("image/svg") ? null : "an image";
    }
    if (mimetype.startsWith("audio/") || mimetype.startsWith("video/")) {
      return "audio or video";
    }
    if (mimetype.startsWith("font/")) {
      return "a font";
    }
    return switch (mimetype) {
      case "application/pdf" -> "a PDF document";
      case "application/zip",
          "application/gzip",
          "application/x-gzip",
          "application/x-tar",
          "application/x-7z-compressed",
          "application/x-bzip2",
          "application/java-archive" ->
          "an archive";
      case "application/vnd.slack-docs" -> "a Slack canvas, not a file";
      default ->
          mimetype.startsWith("application/vnd.openxmlformats")
                  || mimetype.startsWith("application/vnd.ms-")
                  || mimetype.startsWith("application/vnd.oasis.opendocument")
              ? "an office document"
              : null;
    };
  }

  private static int countLines(String content) {
    int lines = 0;
    for (int i = 0; i < content.length(); i++) {
      if (content.charAt(i) == '\n') {
        lines++;
      }
    }
    return lines;
  }
}
