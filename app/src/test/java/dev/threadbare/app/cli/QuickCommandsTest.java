package dev.threadbare.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.threadbare.app.Main;
import dev.threadbare.core.chat.SlackEvents;
import dev.threadbare.core.journal.Journal;
import dev.threadbare.journal.Journals;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The quick path of {@code tree}, {@code show} and {@code log}: the same bytes and status as the
 * picocli commands, arguments it leaves to picocli, and the journal stamp that lets it skip the
 * journal never hiding entries the git store lacks.
 */
class QuickCommandsTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path root;

  record Run(int status, String out, String err) {}

  static Run picocli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int status = cli.execute(args);
    return new Run(status, out.toString(), err.toString());
  }

  static Run quick(String... args) {
    QuickCommands.Arguments parsed = QuickCommands.parse(args);
    assertThat(parsed).as("plain arguments %s", List.of(args)).isNotNull();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = QuickCommands.run(parsed, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(status, out.toString(), err.toString());
  }

  static String message(String ts, String text) {
    ObjectNode event = JSON.createObjectNode();
    event.put("type", "message");
    event.put("channel", "C1");
    event.put("user", "U1");
    event.put("text", text);
    event.put("ts", ts);
    event.put("event_ts", ts);
    ObjectNode envelope = JSON.createObjectNode();
    envelope.put("type", "event_callback");
    envelope.put("team_id", "T1");
    envelope.put("api_app_id", "A1");
    envelope.set("event", event);
    envelope.put("event_id", "Ev" + ts.replace(".", ""));
    envelope.put("event_time", Long.parseLong(ts.substring(0, ts.indexOf('.'))));
    return envelope.toString();
  }

  static String block(String path, String content) {
    return "`" + path + "`\n```\n" + content + "\n```";
  }

  private Path ingest(String... lines) throws IOException {
    Path events = root.resolve("events.jsonl");
    Files.write(events, List.of(lines), StandardCharsets.UTF_8);
    Path data = root.resolve("data");
    assertThat(picocli("ingest", "--data", data.toString(), events.toString()).status()).isZero();
    return data;
  }

  @Test
  void plainArgumentsAreParsedAndEverythingElseIsLeftToPicocli() {
    assertThat(QuickCommands.parse(new String[] {"tree", "--data", "d", "--channel", "C1"}))
        .isEqualTo(new QuickCommands.Arguments("tree", Path.of("d"), "C1", "main", null));
    assertThat(
            QuickCommands.parse(
                new String[] {"show", "--data=d", "--ref", "main@2", "--channel=general", "a.py"}))
        .isEqualTo(new QuickCommands.Arguments("show", Path.of("d"), "general", "main@2", "a.py"));
    for (String[] other :
        List.of(
            new String[] {},
            new String[] {"tree"},
            new String[] {"tree", "--data", "d"},
            new String[] {"tree", "--help", "--data", "d", "--channel", "C1"},
            new String[] {"tree", "-h"},
            new String[] {"tree", "--data", "d", "--channel", "C1", "--data", "e"},
            new String[] {"tree", "--data", "d", "--channel", "C1", "extra"},
            new String[] {"tree", "--data", "d", "--channel", "C1", "--journal-url", "jdbc:x"},
            new String[] {"tree", "--data", "d", "--channel"},
            new String[] {"tree", "@args.txt"},
            new String[] {"show", "--data", "d", "--channel", "C1"},
            new String[] {"log", "--data", "--channel", "C1"},
            new String[] {"ingest", "--data", "d", "x.jsonl"},
            new String[] {"serve"})) {
      assertThat(QuickCommands.parse(other)).as("%s", List.of(other)).isNull();
    }
  }

  @Test
  void theQuickPathPrintsWhatPicocliPrints() throws IOException {
    Path data =
        ingest(
            message("1700000001.000100", "Add the app\n" + block("src/app.py", "print(1)")),
            message("1700000002.000100", block("README.md", "# hi ünïcode")),
            message("1700000003.000100", block("src/app.py", "print(2)")));
    String dir = data.toString();
    for (String[] args :
        List.of(
            new String[] {"tree", "--data", dir, "--channel", "C1"},
            new String[] {"tree", "--data", dir, "--channel", "C1", "--ref", "main@1"},
            new String[] {"show", "--data", dir, "--channel", "C1", "README.md"},
            new String[] {
              "show", "--data", dir, "--channel", "C1", "--ref", "main@1", "src/app.py"
            },
            new String[] {"log", "--data", dir, "--channel", "C1"},
            new String[] {"show", "--data", dir, "--channel", "C1", "nope.txt"},
            new String[] {"tree", "--data", dir, "--channel", "C9"},
            new String[] {"log", "--data", dir, "--channel", "C1", "--ref", "main@7"},
            new String[] {"tree", "--data", root.resolve("none").toString(), "--channel", "C1"})) {
      Run slow = picocli(args);
      Run fast = quick(args);
      assertThat(fast).as("%s", List.of(args)).isEqualTo(slow);
    }
    assertThat(quick("show", "--data", dir, "--channel", "C1", "README.md").out())
        .isEqualTo("# hi ünïcode\n");
    assertThat(quick("tree", "--data", dir, "--channel", "C9").err())
        .startsWith("threadbare: no channel `C9`");
  }

  @Test
  void aStampedJournalThatMovesOnIsCaughtUpAndStampedAgain() throws IOException {
    Path data = ingest(message("1700000001.000100", block("a.py", "print(1)")));
    Path journal = data.resolve("journal.db");
    Path stamp = data.resolve("git").resolve("journal-stamp");
    // As if the last write were an hour old: settled, so a read may stamp it.
    backdate(journal);
    assertThat(quick("tree", "--data", data.toString(), "--channel", "C1").out())
        .startsWith("a.py\t");
    assertThat(stamp).exists();

    // An entry the git store lacks (as a writer killed before materializing would leave it).
    try (Journal direct = Journals.sqlite(journal)) {
      direct.append(
          SlackEvents.toEntries(
              JSON.readTree(message("1700000002.000100", block("b.py", "print(2)")))));
    }
    Run tree = quick("tree", "--data", data.toString(), "--channel", "C1");
    assertThat(tree.out()).contains("a.py\t").contains("b.py\t");
    assertThat(quick("show", "--data", data.toString(), "--channel", "C1", "b.py").out())
        .isEqualTo("print(2)\n");

    // Caught up just now, so not stamped until the journal's last write is settled.
    assertThat(stamp).doesNotExist();
    backdate(journal);
    assertThat(quick("log", "--data", data.toString(), "--channel", "C1").out().lines()).hasSize(2);
    assertThat(stamp).exists();
    assertThat(quick("tree", "--data", data.toString(), "--channel", "C1")).isEqualTo(tree);
  }

  private static void backdate(Path journal) throws IOException {
    FileTime hourAgo = FileTime.from(Instant.now().minus(1, ChronoUnit.HOURS));
    for (Path part : List.of(journal, journal.resolveSibling("journal.db-wal"))) {
      if (Files.exists(part)) {
        Files.setLastModifiedTime(part, hourAgo);
      }
    }
  }
}
