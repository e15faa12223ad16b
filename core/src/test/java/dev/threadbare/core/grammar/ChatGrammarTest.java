package dev.threadbare.core.grammar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChatGrammarTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ChatGrammar GRAMMAR = ChatGrammar.create();

  static ObjectNode message(String text) {
    ObjectNode message = JSON.createObjectNode();
    message.put("type", "message");
    message.put("user", "U1");
    message.put("ts", "1700000000.000100");
    message.put("text", text);
    return message;
  }

  /** A message whose blocks carry {@code code} as rich-text preformatted elements. */
  static ObjectNode withRichText(ObjectNode message, String... code) {
    ArrayNode elements = JSON.createArrayNode();
    for (String c : code) {
      ObjectNode pre = elements.addObject();
      pre.put("type", "rich_text_preformatted");
      pre.putArray("elements").addObject().put("type", "text").put("text", c);
    }
    ObjectNode block = message.putArray("blocks").addObject();
    block.put("type", "rich_text");
    block.set("elements", elements);
    return message;
  }

  static ParsedMessage parse(String text) {
    return GRAMMAR.parse(message(text), List.of());
  }

  static List<String> paths(ParsedMessage parsed) {
    return parsed.files().stream().map(f -> f.path().value()).toList();
  }

  @Test
  void backtickedPathLineThenFenceIsAFile() {
    ParsedMessage parsed = parse("`src/app.py`\n```python\nprint(\"hi\")\n```");

    assertThat(parsed.files())
        .extracting(f -> f.path().value(), FileBlock::content)
        .containsExactly(tuple("src/app.py", "print(\"hi\")\n"));
    assertThat(parsed.problems()).isEmpty();
    // Nothing else is said: the materializer writes the subject from what the commit does.
    assertThat(parsed.commitMessage()).isEmpty();
    assertThat(parsed.changesTree()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "`src/app.py`",
        "`src/app.py`:",
        " `src/app.py` : ",
        "src/app.py:",
        "app.py:",
        "file: src/app.py",
        "File: `src/app.py`",
      })
  void every_path_line_form_names_the_file(String line) {
    ParsedMessage parsed = parse(line + "\n```\nx = 1\n```");
    assertThat(paths(parsed)).containsExactly(line.contains("src") ? "src/app.py" : "app.py");
  }

  @ParameterizedTest
  @ValueSource(strings = {"Here is the fix:", "Notes:", "see foo.py:", "just text", "Run `make`:"})
  void linesThatAreNotPathLinesLeaveTheBlockWithoutAPath(String line) {
    ParsedMessage parsed = parse(line + "\n```\nx = 1\n```");

    assertThat(parsed.files()).isEmpty();
    assertThat(parsed.problems()).extracting(Problem::rule).containsExactly(Problem.NO_PATH);
    assertThat(parsed.problems().get(0).message())
        .contains("x = 1", "names no file", "`src/app.py`", "// file: src/app.py");
    assertThat(parsed.refused()).isFalse();
    assertThat(parsed.commitMessage()).isEqualTo(line.strip() + "\n```\nx = 1\n```");
  }

  @Test
  void pathLineIsTheLastNonEmptyLineAndTheRestIsTheCommitMessage() {
    ParsedMessage parsed = parse("Fix the greeting\n\n`app.py`\n\n  \n```\nprint('hi')```");

    assertThat(paths(parsed)).containsExactly("app.py");
    assertThat(parsed.commitMessage()).isEqualTo("Fix the greeting");
  }

  @Test
  void pathBeforeTheFenceOnTheSameLineCounts() {
    ParsedMessage parsed = parse("`a.txt` ```hello world```");
    assertThat(parsed.files()).containsExactly(file("a.txt", "hello world\n"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "// file: src/x.js",
        "# file: src/x.js",
        "-- file: src/x.js",
        "/* file: src/x.js */",
        "<!-- file: src/x.js -->",
        "//file:src/x.js",
      })
  void comment_on_the_first_line_names_the_file_and_stays_content(String comment) {
    String escaped = comment.replace("<", "&lt;").replace(">", "&gt;");
    ParsedMessage parsed = parse("new helper\n```" + escaped + "\nlet x = 1;\n```");

    assertThat(parsed.files()).containsExactly(file("src/x.js", comment + "\nlet x = 1;\n"));
    assertThat(parsed.commitMessage()).isEqualTo("new helper");
  }

  @Test
  void pathLineWinsOverAComment() {
    ParsedMessage parsed = parse("`a.py`\n```# file: b.py\npass```");
    assertThat(parsed.files()).containsExactly(file("a.py", "# file: b.py\npass\n"));
  }

  @Test
  void infoStringIsNotContentButAFirstLineWithSpacesIs() {
    assertThat(parse("`a.py`\n```python\npass\n```").files().get(0).content()).isEqualTo("pass\n");
    assertThat(parse("`a.py`\n```def f():\n    pass```").files().get(0).content())
        .isEqualTo("def f():\n    pass\n");
    assertThat(parse("`a.txt`\n```single```").files().get(0).content()).isEqualTo("single\n");
    assertThat(parse("`a.txt`\n```\nfirst\nsecond```").files().get(0).content())
        .isEqualTo("first\nsecond\n");
    assertThat(parse("`a.txt`\n```{\n}```").files().get(0).content()).isEqualTo("{\n}\n");
    assertThat(parse("`a.txt`\n```---\nk: v```").files().get(0).content()).isEqualTo("---\nk: v\n");
  }

  @Test
  void contentFoldsCrlfAndEndsWithExactlyOneNewline() {
    assertThat(parse("`a.txt`\n```\r\na\r\nb\r\rc\n\n\n```").files().get(0).content())
        .isEqualTo("a\nb\n\nc\n");
    assertThat(parse("`__init__.py`\n``````").files().get(0).content()).isEmpty();
    assertThat(parse("`a.txt`\n```\n\n\n```").files().get(0).content()).isEmpty();
  }

  @Test
  void backtickRunsLongerThanAFenceKeepTheirExtraBackticksAsContent() {
    assertThat(parse("`a.md`\n````x````").files().get(0).content()).isEqualTo("`x`\n");
  }

  @Test
  void slackEscapingIsUndoneInCode() {
    ParsedMessage parsed =
        parse(
            """
            `a.sh`
            ```
            if [ 1 -lt 2 ] &amp;&amp; echo "&lt;b&gt;" &gt; out
            curl <http://example.com/a?b=1&amp;c=2>
            dig <http://example.org|example.org>
            echo <@U123> <#C1|general> &amp;lt;
            ```""");

    assertThat(parsed.files().get(0).content())
        .isEqualTo(
            """
            if [ 1 -lt 2 ] && echo "<b>" > out
            curl http://example.com/a?b=1&c=2
            dig example.org
            echo <@U123> <#C1|general> &lt;
            """);
  }

  @Test
  void richTextIsTheAuthorityForTheFencesInOrder() {
    ObjectNode message = message("`a.txt`\n```text says one```\n`b.txt`\n```text says two```");
    withRichText(message, "rich one &amp; <x>", "rich two");

    ParsedMessage parsed = GRAMMAR.parse(message, List.of());

    assertThat(parsed.files())
        .containsExactly(file("a.txt", "rich one &amp; <x>\n"), file("b.txt", "rich two\n"));
  }

  @Test
  void richTextLinksAndMentionsRenderAsTyped() {
    ObjectNode message = message("`a.txt`\n```see x.com```");
    ArrayNode elements = JSON.createArrayNode();
    elements.addObject().put("type", "text").put("text", "see ");
    elements.addObject().put("type", "link").put("url", "http://x.com").put("text", "x.com");
    elements.addObject().put("type", "text").put("text", " and ");
    elements.addObject().put("type", "link").put("url", "https://y.org/p?q=1&r=2");
    elements.addObject().put("type", "text").put("text", " ");
    elements.addObject().put("type", "user").put("user_id", "U9");
    ObjectNode pre = JSON.createObjectNode().put("type", "rich_text_preformatted");
    pre.set("elements", elements);
    ObjectNode block = message.putArray("blocks").addObject().put("type", "rich_text");
    block.putArray("elements").add(pre);

    assertThat(GRAMMAR.parse(message, List.of()).files().get(0).content())
        .isEqualTo("see x.com and https://y.org/p?q=1&r=2 <@U9>\n");
  }

  @Test
  void richTextThatDoesNotMatchTheFencesIsIgnored() {
    ObjectNode message = message("`a.txt`\n```from text```\n`b.txt`\n```also text```");
    withRichText(message, "only one");

    assertThat(GRAMMAR.parse(message, List.of()).files())
        .containsExactly(file("a.txt", "from text\n"), file("b.txt", "also text\n"));
  }

  @Test
  void pathsAreNfcNormalised() {
    ParsedMessage parsed = parse("`docs/cafe\u0301.md`\n```x```");
    assertThat(paths(parsed)).containsExactly("docs/caf\u00e9.md");
  }

  @Test
  void aBlockWithoutPathIsSkippedButTheOtherBlocksCount() {
    ParsedMessage parsed = parse("```stack trace```\n`a.py`\n```pass```");

    assertThat(paths(parsed)).containsExactly("a.py");
    assertThat(parsed.problems()).extracting(Problem::rule).containsExactly(Problem.NO_PATH);
    assertThat(parsed.refused()).isFalse();
    assertThat(parsed.changesTree()).isTrue();
    assertThat(parsed.commitMessage()).isEqualTo("```stack trace```");
  }

  @Test
  void badPathRefusesTheWholeChange() {
    ParsedMessage parsed = parse("`ok.py`\n```pass```\n`../evil.py`\n```pass```\nrm old.py");

    assertThat(parsed.files()).isEmpty();
    assertThat(parsed.commands()).isEmpty();
    assertThat(parsed.refused()).isTrue();
    assertThat(parsed.changesTree()).isFalse();
    assertThat(parsed.problems())
        .extracting(Problem::input, Problem::rule)
        .containsExactly(tuple("../evil.py", PathRules.RULE_DOT_SEGMENT));
    assertThat(parsed.problems().get(0).message())
        .isEqualTo("path `../evil.py` leaves the repository: `..` segments are not allowed");
  }

  @Test
  void duplicatePathRefusesTheWholeChange() {
    ParsedMessage parsed = parse("`a.py`\n```one```\n`a.py`\n```two```");

    assertThat(parsed.refused()).isTrue();
    assertThat(parsed.files()).isEmpty();
    assertThat(parsed.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.rule()).isEqualTo(Problem.DUPLICATE_PATH);
              assertThat(p.message()).contains("`a.py`", "named twice");
            });
    assertThat(parse("`a.py`\n```one```\nrm a.py").refused()).isTrue();
  }

  @Test
  void blockOverTheLintLimitRefusesTheChangeAndSaysToAttachIt() {
    ChatGrammar grammar = ChatGrammar.withMaxLines(3);
    ParsedMessage parsed =
        grammar.parse(message("`ok.txt`\n```1\n2\n3```\n`big.txt`\n```1\n2\n3\n4```"), List.of());

    assertThat(parsed.refused()).isTrue();
    assertThat(parsed.files()).isEmpty();
    assertThat(parsed.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.rule()).isEqualTo(Problem.TOO_LONG);
              assertThat(p.message()).contains("`big.txt`", "4 lines", "lint.max_lines", "attach");
            });
  }

  @Test
  void blockOverSlacksMessageLimitIsTooLong() {
    String line = "x".repeat(999) + "\n";
    ParsedMessage parsed = parse("`a.txt`\n```" + line.repeat(41) + "```");
    assertThat(parsed.problems()).extracting(Problem::rule).containsExactly(Problem.TOO_LONG);
    assertThat(parsed.problems().get(0).message()).contains("40000");
  }

  @Test
  void unterminatedFenceIsAProblemAndNothingIsSaved() {
    ParsedMessage parsed = parse("`a.py`\n```pass```\n`b.py`\n```def f():\n  return 1\n");

    assertThat(parsed.files()).isEmpty();
    assertThat(parsed.refused()).isTrue();
    assertThat(parsed.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.rule()).isEqualTo(Problem.UNTERMINATED_FENCE);
              assertThat(p.message()).contains("def f():", "never closed");
            });
  }

  @Test
  void problemsNameABlockByItsFirstNonBlankLine() {
    assertThat(parse("```\n\n  first words here\nmore```").problems().get(0).input())
        .isEqualTo("first words here");
    assertThat(parse("``````").problems().get(0).input()).isEqualTo("(empty)");
    assertThat(parse("```" + "x".repeat(500)).problems().get(0).input())
        .isEqualTo("x".repeat(60) + "…");
  }

  @Test
  void commandsEachOnTheirOwnLine() {
    ParsedMessage parsed =
        parse(
            "merge\nstatus\npromote abc123\nrollback\ndeploy thread/1.2@3\ntoken\nhelp\n"
                + "<@U0BOT> status\n<@U0BOT>: merge");

    assertThat(parsed.commands())
        .containsExactly(
            action("merge"),
            action("status"),
            action("promote", "abc123"),
            action("rollback"),
            action("deploy", "thread/1.2@3"),
            action("token"),
            action("help"),
            action("status"),
            action("merge"));
    assertThat(parsed.commitMessage()).isEmpty();
    assertThat(parsed.changesTree()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "help me please",
        "merge it now",
        "rm -rf is dangerous",
        "mv a",
        "status?",
        "deploy",
        "Merge",
        "we should merge"
      })
  void lines_that_only_look_like_commands_are_text(String line) {
    ParsedMessage parsed = parse(line);
    assertThat(parsed.commands()).isEmpty();
    assertThat(parsed.commitMessage()).isEqualTo(line);
  }

  @Test
  void rmMvAndFilesAreOneChange() {
    ParsedMessage parsed = parse("rm old.py\n`new.py`\n```pass```\nmv `a b.txt` docs/a.txt");

    assertThat(paths(parsed)).containsExactly("new.py");
    assertThat(parsed.commands())
        .containsExactly(
            new Command.Remove(RepoPath.of("old.py")),
            new Command.Move(RepoPath.of("a b.txt"), RepoPath.of("docs/a.txt")));
    assertThat(parsed.changesTree()).isTrue();
    assertThat(parsed.commitMessage()).isEmpty();
    assertThat(parse("rm x.py").commitMessage()).isEmpty();
  }

  @Test
  void rmOfABadPathRefusesTheChange() {
    ParsedMessage parsed = parse("rm .git/config");
    assertThat(parsed.refused()).isTrue();
    assertThat(parsed.commands()).isEmpty();
    assertThat(parsed.problems()).extracting(Problem::rule).containsExactly(PathRules.RULE_GIT_DIR);
  }

  @Test
  void slashCommandTextParsesAsACommand() {
    assertThat(ChatGrammar.parseCommand("deploy abc")).contains(action("deploy", "abc"));
    assertThat(ChatGrammar.parseCommand("hello")).isEmpty();
    assertThatThrownBy(() -> ChatGrammar.parseCommand("rm /etc/passwd"))
        .isInstanceOf(BadPathException.class)
        .hasMessageContaining("/etc/passwd")
        .hasMessageContaining("absolute");
  }

  @Test
  void botMessagesAreNeverCode() {
    ObjectNode bot = message("`a.py`\n```pass```");
    bot.put("bot_id", "B1");
    assertThat(GRAMMAR.parse(bot, List.of())).isEqualTo(ParsedMessage.empty());
    ObjectNode botMessage = message("`a.py`\n```pass```");
    botMessage.put("subtype", "bot_message");
    assertThat(GRAMMAR.parse(botMessage, List.of()).files()).isEmpty();
  }

  @Test
  void attachmentsAreFilesNamedByTitleWithASlashElseByName() {
    List<Attachment> attachments =
        List.of(
            attachment("F1", "big.py", "src/big.py", "text/x-python", "print(1)\r\n"),
            attachment("F2", "data.csv", "Quarterly numbers", "text/csv", "a,b\n1,2\n"),
            attachment("F3", "logo.svg", "logo.svg", "image/svg+xml", "<svg/>"));

    ParsedMessage parsed = GRAMMAR.parse(message("new files"), attachments);

    assertThat(parsed.files())
        .containsExactly(
            file("src/big.py", "print(1)\r\n"),
            file("data.csv", "a,b\n1,2\n"),
            file("logo.svg", "<svg/>"));
    assertThat(parsed.commitMessage()).isEqualTo("new files");
  }

  @Test
  void attachmentsOverTheLintLimitAreAccepted() {
    String big = "line\n".repeat(1000);
    ParsedMessage parsed =
        GRAMMAR.parse(
            message(""), List.of(attachment("F1", "big.txt", "big.txt", "text/plain", big)));
    assertThat(parsed.files()).containsExactly(file("big.txt", big));
    assertThat(parsed.commitMessage()).isEmpty();
  }

  @Test
  void binaryAttachmentsAreRefusedWithAReasonWithoutBlockingTheRest() {
    Attachment png =
        new Attachment("F1", "shot.png", "shot.png", "image/png", new byte[] {(byte) 0x89, 'P'});
    Attachment latin1 =
        new Attachment(
            "F2",
            "old.txt",
            "old.txt",
            "text/plain",
            "caf\u00e9".getBytes(StandardCharsets.ISO_8859_1));
    Attachment nul = new Attachment("F3", "x.bin", "x.bin", null, new byte[] {'a', 0, 'b'});

    ParsedMessage parsed = GRAMMAR.parse(message("`a.py`\n```pass```"), List.of(png, latin1, nul));

    assertThat(paths(parsed)).containsExactly("a.py");
    assertThat(parsed.refused()).isFalse();
    assertThat(parsed.problems())
        .extracting(Problem::input, Problem::rule)
        .containsExactly(
            tuple("shot.png", Problem.BINARY_ATTACHMENT),
            tuple("old.txt", Problem.BINARY_ATTACHMENT),
            tuple("x.bin", Problem.BINARY_ATTACHMENT));
    assertThat(parsed.problems())
        .extracting(Problem::message)
        .containsExactly(
            "the attached file `shot.png` is an image (image/png), so it was not saved: only"
                + " UTF-8 text, CSV and SVG files are kept in the repository",
            "the attached file `old.txt` is not UTF-8 text, so it was not saved: only UTF-8"
                + " text, CSV and SVG files are kept in the repository",
            "the attached file `x.bin` holds NUL bytes, so it is binary, so it was not saved:"
                + " only UTF-8 text, CSV and SVG files are kept in the repository");
  }

  @Test
  void attachmentWithABadPathRefusesTheChange() {
    ParsedMessage parsed =
        GRAMMAR.parse(
            message("`a.py`\n```pass```"),
            List.of(attachment("F1", "x.py", "../../etc/x.py", "text/plain", "x")));
    assertThat(parsed.refused()).isTrue();
    assertThat(parsed.files()).isEmpty();
  }

  @Test
  void codeBlocksAreListedWithOrWithoutPath() {
    assertThat(GRAMMAR.codeBlocks(message("a\n```one```\n`p.txt`\n```python\ntwo```")))
        .containsExactly("one\n", "two\n");
  }

  static FileBlock file(String path, String content) {
    return new FileBlock(RepoPath.of(path), content);
  }

  static Command action(String name, String... args) {
    return new Command.Action(name, List.of(args));
  }

  static Attachment attachment(String id, String name, String title, String type, String text) {
    return new Attachment(id, name, title, type, text.getBytes(StandardCharsets.UTF_8));
  }
}
