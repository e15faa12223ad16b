package dev.threadbare.core.grammar;

import com.fasterxml.jackson.databind.JsonNode;
import dev.threadbare.core.chat.SlackMessages;
import java.util.ArrayList;
import java.util.Comparator;
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

  private static final String FENCE = "```";
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
    return command(line);
  }

  // ---------------------------------------------------------------- commands

  static Optional<Command> command(String line) {
    String rest = stripMentions(line);
    List<String> tokens = tokens(rest, 4);
    if (tokens.isEmpty() || tokens.size() > 3) {
      return Optional.empty();
    }
    String name = tokens.get(0);
    List<String> args = tokens.subList(1, tokens.size());
    return switch (name) {
      case "rm" ->
          args.size() == 1
              ? Optional.of(new Command.Remove(RepoPath.of(args.get(0))))
              : Optional.empty();
      case "mv" ->
          args.size() == 2
              ? Optional.of(new Command.Move(RepoPath.of(args.get(0)), RepoPath.of(args.get(1))))
              : Optional.empty();
      case "merge", "status", "rollback", "token", "help" ->
          args.isEmpty() ? Optional.of(new Command.Action(name, List.of())) : Optional.empty();
      case "promote", "deploy" ->
          args.size() == 1
                  && !args.get(0).isEmpty()
                  && args.get(0).codePoints().noneMatch(Character::isISOControl)
              ? Optional.of(new Command.Action(name, List.copyOf(args)))
              : Optional.empty();
      case "url" ->
          args.size() <= 1
                  && args.stream()
                      .allMatch(
                          a -> !a.isEmpty() && a.codePoints().noneMatch(Character::isISOControl))
              ? Optional.of(new Command.Action(name, List.copyOf(args)))
              : Optional.empty();
      default -> Optional.empty();
    };
  }

  /** Drops leading mentions ({@code <@U123>}, {@code <@U123|name>}) and a following : or ,. */
  private static String stripMentions(String line) {
    int n = line.length();
    int i = skipSpace(line, 0);
    boolean stripped = false;
    while (line.startsWith("<@", i)) {
      int close = line.indexOf('>', i);
      if (close < 0) {
        break;
      }
      i = skipSpace(line, close + 1);
      stripped = true;
    }
    if (stripped && i < n && (line.charAt(i) == ':' || line.charAt(i) == ',')) {
      i = skipSpace(line, i + 1);
    }
    return line.substring(i);
  }

  private static int skipSpace(String line, int from) {
    int i = from;
    while (i < line.length() && Character.isWhitespace(line.charAt(i))) {
      i++;
    }
    return i;
  }

  /**
   * Splits on whitespace; a token in backticks may hold spaces. Stops after {@code limit} tokens.
   */
  private static List<String> tokens(String line, int limit) {
    List<String> tokens = new ArrayList<>();
    int i = 0;
    int n = line.length();
    while (i < n && tokens.size() < limit) {
      char c = line.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '`') {
        int close = line.indexOf('`', i + 1);
        if (close < 0) {
          tokens.add(line.substring(i));
          return tokens;
        }
        tokens.add(line.substring(i + 1, close));
        i = close + 1;
      } else {
        int start = i;
        while (i < n && !Character.isWhitespace(line.charAt(i))) {
          i++;
        }
        tokens.add(line.substring(start, i));
      }
    }
    return tokens;
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

  /** The path named by an in-fence comment line ({@code // file: p} and kin), or null. */
  static String commentPath(String firstLine) {
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

  /** A path line's path and whether the sender clearly meant a path (then a bad path refuses). */
  record PathLine(String path, boolean explicit) {}

  /** Reads a (trimmed) line before a fence as a path line, or null. */
  static PathLine pathLine(String line) {
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
    List<int[]> fences = reading.fences();
    boolean rich = !reading.preformatted.isEmpty() && reading.preformatted.size() == fences.size();
    List<String> blocks = new ArrayList<>();
    for (int k = 0; k < fences.size(); k++) {
      int[] fence = fences.get(k);
      String raw = rich ? reading.preformatted.get(k) : reading.plain.substring(fence[1], fence[2]);
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

  /** The state of reading one message. Not thread safe; used once. */
  private final class Reading {
    private final String plain;
    private final List<String> preformatted;
    private final List<int[]> removed = new ArrayList<>();
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
      List<int[]> fences = fences();
      boolean rich = !preformatted.isEmpty() && preformatted.size() == fences.size();
      int proseStart = 0;
      // Commands come from prose lines; path lines are taken first so they are not commands.
      List<int[]> prose = new ArrayList<>();
      for (int k = 0; k < fences.size(); k++) {
        int[] fence = fences.get(k);
        prose.add(new int[] {proseStart, fence[0]});
        String raw = rich ? preformatted.get(k) : plain.substring(fence[1], fence[2]);
        block(fence, proseStart, raw, rich);
        proseStart = fence[3];
      }
      int proseEnd = unterminatedAt < 0 ? plain.length() : unterminatedAt;
      if (proseStart < proseEnd) {
        prose.add(new int[] {proseStart, proseEnd});
      }
      for (int[] span : prose) {
        commandLines(span[0], span[1]);
      }
      for (Attachment attachment : attachments) {
        attachment(attachment);
      }
      String commitMessage = commitMessage();
      boolean refused = problems.stream().anyMatch(Problem::refusesChange);
      if (refused) {
        return new ParsedMessage(List.of(), List.of(), commitMessage, problems);
      }
      return new ParsedMessage(files, commands, commitMessage, problems);
    }

    /**
     * The fences of the text as {@code [open, contentStart, contentEnd, closeEnd]}. A run of more
     * than three backticks closes with its last three, so content may end with a backtick.
     */
    private List<int[]> fences() {
      List<int[]> fences = new ArrayList<>();
      int pos = 0;
      int n = plain.length();
      while (true) {
        int open = plain.indexOf(FENCE, pos);
        if (open < 0) {
          return fences;
        }
        int contentStart = open + 3;
        int close = plain.indexOf(FENCE, contentStart);
        if (close < 0) {
          String near = preview(plain.substring(contentStart));
          problem(GrammarProblems.unterminatedFence(near));
          removed.add(new int[] {open, n});
          unterminatedAt = open;
          return fences;
        }
        int runEnd = close;
        while (runEnd < n && plain.charAt(runEnd) == '`') {
          runEnd++;
        }
        fences.add(new int[] {open, contentStart, runEnd - 3, runEnd});
        pos = runEnd;
      }
    }

    private void block(int[] fence, int proseStart, String raw, boolean rich) {
      String content = blockContent(raw, rich);

      int[] lineSpan = pathLineSpan(proseStart, fence[0]);
      PathLine named = null;
      if (lineSpan != null) {
        named = pathLine(plain.substring(lineSpan[0], lineSpan[1]));
      }
      if (named == null) {
        String fromComment = commentPath(firstLine(content));
        if (fromComment != null) {
          named = new PathLine(fromComment, true);
          lineSpan = null;
        }
      } else {
        removed.add(new int[] {lineSpan[0], Math.min(lineSpan[2], fence[0])});
        pathLineStarts.add(lineSpan[0]);
      }
      if (named == null) {
        if (!roomFor(false)) {
          return;
        }
        String near = preview(content);
        problem(GrammarProblems.noPath(near));
        return;
      }
      removed.add(new int[] {fence[0], fence[3]});
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
     * The span {@code [start, end, endWithNewline]} of the last non-empty line before the fence in
     * the prose {@code [from, fenceOpen)}, or null. Text on the fence's own line counts as that
     * line.
     */
    private int[] pathLineSpan(int from, int fenceOpen) {
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
          return new int[] {lineStart, end, endWithNewline};
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
            Optional<Command> command = command(line);
            if (command.isPresent()) {
              commands.add(command.get());
              removed.add(new int[] {lineStart, Math.min(lineEnd + 1, to)});
              claim(command.get());
            }
          } catch (BadPathException e) {
            problem(e.toProblem());
            removed.add(new int[] {lineStart, Math.min(lineEnd + 1, to)});
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

    private String commitMessage() {
      removed.sort(Comparator.comparingInt(span -> span[0]));
      StringBuilder kept = new StringBuilder(plain.length());
      int pos = 0;
      for (int[] span : removed) {
        if (span[0] > pos) {
          kept.append(plain, pos, span[0]);
        }
        pos = Math.max(pos, span[1]);
      }
      if (pos < plain.length()) {
        kept.append(plain, pos, plain.length());
      }
      // Trailing blanks go, runs of blank lines become one; no per-line strings are made.
      StringBuilder message = new StringBuilder(kept.length());
      boolean blank = false;
      int i = 0;
      int n = kept.length();
      while (i <= n) {
        int newline = kept.indexOf("\n", i);
        int end = newline < 0 ? n : newline;
        int trimmedEnd = end;
        while (trimmedEnd > i && Character.isWhitespace(kept.charAt(trimmedEnd - 1))) {
          trimmedEnd--;
        }
        if (trimmedEnd == i) {
          blank = true;
        } else {
          if (!message.isEmpty()) {
            message.append(blank ? "\n\n" : "\n");
          }
          message.append(kept, i, trimmedEnd);
          blank = false;
        }
        if (newline < 0) {
          break;
        }
        i = newline + 1;
      }
      String text = message.toString().strip();
      return text;
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
