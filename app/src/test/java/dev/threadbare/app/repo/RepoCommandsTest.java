package dev.threadbare.app.repo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.threadbare.app.Main;
import dev.threadbare.testing.TestDatabase;
import dev.threadbare.testing.TestPostgres;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The repository commands end to end through the CLI, on real files and the real git. */
class RepoCommandsTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path root;

  record Run(int status, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int status = cli.execute(args);
    return new Run(status, out.toString(), err.toString());
  }

  static String message(String ts, String text) {
    return message(ts, null, text);
  }

  static String message(String ts, String threadTs, String text) {
    ObjectNode event = JSON.createObjectNode();
    event.put("type", "message");
    event.put("channel", "C1");
    event.put("user", "U1");
    event.put("text", text);
    event.put("ts", ts);
    if (threadTs != null) {
      event.put("thread_ts", threadTs);
    }
    event.put("event_ts", ts);
    return envelope(event, ts);
  }

  static String edit(String ts, String editTs, String text) {
    ObjectNode event = JSON.createObjectNode();
    event.put("type", "message");
    event.put("subtype", "message_changed");
    event.put("channel", "C1");
    event.put("ts", editTs);
    event.put("event_ts", editTs);
    ObjectNode inner = event.putObject("message");
    inner.put("type", "message");
    inner.put("user", "U1");
    inner.put("text", text);
    inner.put("ts", ts);
    inner.putObject("edited").put("user", "U1").put("ts", editTs);
    return envelope(event, editTs);
  }

  static String deletion(String ts, String eventTs) {
    ObjectNode event = JSON.createObjectNode();
    event.put("type", "message");
    event.put("subtype", "message_deleted");
    event.put("channel", "C1");
    event.put("ts", eventTs);
    event.put("deleted_ts", ts);
    event.put("event_ts", eventTs);
    return envelope(event, eventTs);
  }

  private static String envelope(ObjectNode event, String ts) {
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

  private Path write(String name, List<String> lines) throws IOException {
    Path file = root.resolve(name);
    Files.write(file, lines, StandardCharsets.UTF_8);
    return file;
  }

  private List<String> everythingUnder(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.map(p -> root.relativize(p).toString()).sorted().toList();
    }
  }

  @Test
  void ingestTreeShowLogAndRebuild() throws IOException {
    Path events =
        write(
            "events.jsonl",
            List.of(
                message("1700000001.000100", "Add the app\n" + block("src/app.py", "print(1)")),
                message("1700000002.000100", block("README.md", "# hi")),
                message(
                    "1700000003.000100",
                    "1700000001.000100",
                    "try this\n" + block("src/app.py", "print(2)")),
                edit("1700000001.000100", "1700000010.000000", block("src/app.py", "print(3)")),
                deletion("1700000002.000100", "1700000011.000000")));
    Path data = root.resolve("data");
    Run ingest = run("ingest", "--data", data.toString(), events.toString());
    assertThat(ingest.err()).isEmpty();
    assertThat(ingest.status()).isZero();
    assertThat(ingest.out()).contains("ingested 5 lines: 5 new journal entries");

    Run tree = run("tree", "--data", data.toString(), "--channel", "C1");
    assertThat(tree.status()).isZero();
    assertThat(tree.out()).matches("src/app.py\t[0-9a-f]{40}\n");
    assertThat(run("show", "--data", data.toString(), "--channel", "C1", "src/app.py").out())
        .isEqualTo("print(3)\n");
    assertThat(
            run(
                    "show",
                    "--data",
                    data.toString(),
                    "--channel",
                    "C1",
                    "--ref",
                    "main@2",
                    "README.md")
                .out())
        .isEqualTo("# hi\n");
    assertThat(
            run(
                    "show",
                    "--data",
                    data.toString(),
                    "--channel",
                    "C1",
                    "--ref",
                    "thread/1700000001.000100",
                    "src/app.py")
                .out())
        .isEqualTo("print(2)\n");

    Run log = run("log", "--data", data.toString(), "--channel", "C1");
    assertThat(log.out().lines().toList()).hasSize(4);
    assertThat(log.out())
        .contains("main@1")
        .contains("Add the app")
        .contains("https://slack.com/archives/C1/p1700000001000100");

    // Rebuild from the journal alone gives the same history, ids included.
    Run rebuild = run("rebuild", "--data", data.toString());
    assertThat(rebuild.status()).isZero();
    assertThat(run("log", "--data", data.toString(), "--channel", "C1").out()).isEqualTo(log.out());
    assertThat(run("tree", "--data", data.toString(), "--channel", "C1").out())
        .isEqualTo(tree.out());

    // Ingesting the same file again adds nothing.
    Run again = run("ingest", "--data", data.toString(), events.toString());
    assertThat(again.out()).contains("0 new journal entries, 0 commits");
  }

  @Test
  void hostileInputIsRefusedClearlyAndNothingIsWrittenOutsideTheDataDirectory() throws IOException {
    String big = "x".repeat(5 * 1024 * 1024);
    List<String> lines = new ArrayList<>();
    lines.add(message("1700000001.000100", block("ok.py", "fine")));
    lines.add(message("1700000002.000100", block("../../escape.txt", "out")));
    lines.add(message("1700000003.000100", block("/etc/passwd", "root")));
    lines.add(message("1700000004.000100", block(".git/config", "[core]")));
    lines.add(message("1700000005.000100", block("a\u0001b.txt", "ctl")));
    lines.add(message("1700000006.000100", "`open.py`\n```\nno end"));
    lines.add(message("1700000007.000100", block("big.py", big)));
    lines.add("{not json");
    lines.add("[1, 2]");
    lines.add(message("1700000008.000100", block("src/.GIT/hooks/x", "y")));
    lines.add(message("1700000009.000100", block("later.py", "still ingested")));
    Path events = write("hostile.jsonl", lines);
    Path data = root.resolve("data");
    List<String> before;
    try (Stream<Path> list = Files.list(root)) {
      before = list.map(p -> p.getFileName().toString()).sorted().toList();
    }

    Run ingest = run("ingest", "--data", data.toString(), events.toString());

    assertThat(ingest.status()).isEqualTo(1);
    assertThat(ingest.err())
        .contains("hostile.jsonl:8: malformed JSON")
        .contains("hostile.jsonl:9:")
        .contains("../../escape.txt")
        .contains("/etc/passwd")
        .contains(".git/config")
        .contains("C1/1700000006.000100")
        .contains("C1/1700000007.000100");
    assertThat(ingest.err().lines().filter(l -> l.contains("refused")).count())
        .isGreaterThanOrEqualTo(6);
    assertThat(ingest.out()).contains("2 bad lines");
    assertThat(run("tree", "--data", data.toString(), "--channel", "C1").out())
        .matches("later\\.py\t[0-9a-f]{40}\nok\\.py\t[0-9a-f]{40}\n");
    List<String> after;
    try (Stream<Path> list = Files.list(root)) {
      after = list.map(p -> p.getFileName().toString()).sorted().toList();
    }
    assertThat(after).containsExactlyInAnyOrderElementsOf(concat(before, "data"));
    assertThat(everythingUnder(data)).noneMatch(p -> p.contains("escape") || p.contains("passwd"));
    assertThat(Files.exists(Path.of("/etc/passwd.threadbare"))).isFalse();
  }

  private static List<String> concat(List<String> list, String extra) {
    List<String> out = new ArrayList<>(list);
    out.add(extra);
    return out;
  }

  @Test
  void errorsAreOneClearLineAndNonZero() throws IOException {
    Run missing = run("tree", "--data", root.resolve("nope").toString(), "--channel", "C1");
    assertThat(missing.status()).isNotZero();
    assertThat(missing.err().strip()).contains("does not exist").doesNotContain("\n");
    Path data = root.resolve("data");
    run(
        "ingest",
        "--data",
        data.toString(),
        write("e.jsonl", List.of(message("1700000001.000100", block("a.py", "1")))).toString());
    Run channel = run("tree", "--data", data.toString(), "--channel", "general");
    assertThat(channel.status()).isNotZero();
    assertThat(channel.err().strip()).contains("no channel `general`").contains("C1");
    Run ref = run("tree", "--data", data.toString(), "--channel", "C1", "--ref", "main@9");
    assertThat(ref.err().strip()).contains("main@9").contains("has 1 commits");
    Run path = run("show", "--data", data.toString(), "--channel", "C1", "b.py");
    assertThat(path.err().strip()).contains("no file `b.py`");
  }

  @Test
  void exportGitIsACleanRepositoryWithTheSameTrees() throws Exception {
    Path events =
        write(
            "events.jsonl",
            List.of(
                message("1700000001.000100", block("src/app.py", "print(1)")),
                message("1700000002.000100", block("docs/guide.md", "read me")),
                message("1700000003.000100", "1700000001.000100", block("src/app.py", "t")),
                message("1700000004.000100", "rm docs/guide.md")));
    Path data = root.resolve("data");
    assertThat(run("ingest", "--data", data.toString(), events.toString()).status()).isZero();
    Path out = root.resolve("export");
    Run export = run("export-git", "--data", data.toString(), "--channel", "C1", out.toString());
    assertThat(export.status()).isZero();
    assertThat(git(out, "fsck", "--full", "--strict")).isEmpty();
    assertThat(git(out, "log", "--all", "--format=%H %s")).hasSize(4);
    for (String branch : List.of("main", "thread/1700000001.000100")) {
      List<String> lsTree =
          git(out, "ls-tree", "-r", branch).stream()
              .map(l -> l.substring(l.indexOf('\t') + 1) + "\t" + l.split(" ")[2].split("\t")[0])
              .toList();
      String ours =
          run("tree", "--data", data.toString(), "--channel", "C1", "--ref", branch).out();
      assertThat(lsTree).isEqualTo(ours.lines().toList());
    }
    assertThat(Files.readString(out.resolve("src/app.py"))).isEqualTo("print(1)\n");
    Run twice = run("export-git", "--data", data.toString(), "--channel", "C1", out.toString());
    assertThat(twice.err()).contains("not empty");
  }

  @Test
  void aPostgresJournalWorksThroughTheJournalUrl() throws IOException {
    TestDatabase db = TestPostgres.newDatabase();
    String url =
        db.jdbcUrl()
            + (db.jdbcUrl().contains("?") ? "&" : "?")
            + "user="
            + db.user()
            + "&password="
            + db.password();
    Path data = root.resolve("data");
    Path events =
        write("e.jsonl", List.of(message("1700000001.000100", block("pg.py", "on postgres"))));
    assertThat(
            run("ingest", "--data", data.toString(), "--journal-url", url, events.toString())
                .status())
        .isZero();
    assertThat(Files.exists(data.resolve("journal.db"))).isFalse();
    assertThat(
            run("show", "--data", data.toString(), "--journal-url", url, "--channel", "C1", "pg.py")
                .out())
        .isEqualTo("on postgres\n");
  }

  private static List<String> git(Path repo, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("git", "-C", repo.toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("git %s: %s", String.join(" ", args), output).isZero();
    return output.lines().collect(Collectors.toList());
  }
}
