package dev.threadbare.gitimport;

import static dev.threadbare.gitimport.SourceRepos.commitAll;
import static dev.threadbare.gitimport.SourceRepos.gitAs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.threadbare.workspace.RateLimits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Imports real repositories through the Slack SDK into a local workspace, lets the real chat
 * endpoint, journal and materializer turn the channel back into git, exports it and compares tree
 * ids with the source.
 */
class GitImportEndToEndTest {

  @TempDir Path dir;
  private ImportHarness chat;
  private final List<String> progress = new ArrayList<>();

  @BeforeEach
  void start() {
    chat = new ImportHarness(dir.resolve("chat"), RateLimits.unlimited());
  }

  @AfterEach
  void stop() {
    chat.close();
  }

  private ImportReport importInto(Path source, ImportOptions options) {
    return GitImport.connect(chat.apiUrl, chat.userToken)
        .run(source.toString(), options, progress::add);
  }

  private static ImportOptions fast() {
    // The harness runs no bot: nothing would answer.
    return ImportOptions.into("general").withMessagesPerSecond(500).withAwaitBot(Duration.ZERO);
  }

  private static Set<String> paths(List<SkippedFile> files) {
    return files.stream().map(SkippedFile::path).collect(Collectors.toSet());
  }

  @Test
  void aRealLibraryRoundTripsToTheSameTree() throws Exception {
    Path source = SourceRepos.realLibrary(dir.resolve("library"));

    ImportReport report = importInto(source, fast());

    assertThat(report.skipped()).isEmpty();
    assertThat(report.blocks()).isGreaterThan(10);
    chat.materialize(chat.general, report.messages(), report.uploads());
    List<RevCommit> exported = chat.export(chat.general, "library");
    ObjectId expected = SourceRepos.expectedTree(source, Set.of(), paths(report.altered()));
    assertThat(exported.getLast().getTree().getId()).isEqualTo(expected);
    if (report.altered().isEmpty()) {
      assertThat(expected).isEqualTo(SourceRepos.trees(source, "HEAD").getLast());
    }
    assertThat(progress).anyMatch(line -> line.contains("files as blocks"));
  }

  @Test
  void aGeneratedRepositoryRoundTripsExceptWhatTheChatCannotCarryAndReimportPostsNothing()
      throws Exception {
    Path source = dir.resolve("generated");
    Files.createDirectories(source);
    List<String> written = new ArrayList<>();
    for (int i = 0; i < 180; i++) {
      String path = "src/pkg" + (i % 7) + "/deep/er" + (i % 3) + "/File" + i + ".java";
      write(source, path, "package pkg" + i + ";\n\nclass File" + i + " { int x = " + i + "; }\n");
      written.add(path);
    }
    write(source, "docs/ünïcødé/naïve café.md", "# Café\n\nCrème brûlée & <b>bold</b> → ✓\n");
    write(source, "日本語/ファイル.txt", "こんにちは\n世界\n");
    StringBuilder longFile = new StringBuilder();
    for (int i = 0; i < 450; i++) {
      longFile.append("line ").append(i).append(" of a long file\n");
    }
    write(source, "big/Long.txt", longFile.toString());
    write(source, "crlf.txt", "one\r\ntwo\r\n");
    write(source, "no-newline.txt", "no newline at the end");
    write(source, "bare-word.txt", "hello\nworld\n");
    write(source, "fenced.md", "Example:\n```\ncode\n```\n");
    write(source, "slack-markup.txt", "<http://example.com|label> &amp; <@U123> :smile:\n");
    write(source, "commands.txt", "merge\nrm a.txt\ndeploy main\n");
    write(source, "empty/__init__.py", "");
    Files.write(source.resolve("logo.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 1, 2});
    write(source, "run.sh", "#!/bin/sh\necho hi\n");
    Files.setPosixFilePermissions(
        source.resolve("run.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.createSymbolicLink(source.resolve("link.txt"), Path.of("crlf.txt"));
    SourceRepos.git(source, "init", "-q");
    commitAll(source, "Generated");

    ImportReport report = importInto(source, fast());

    assertThat(paths(report.skipped())).containsExactlyInAnyOrder("logo.png", "link.txt");
    // Uploads keep exact bytes, so CRLF and a missing final newline survive as uploads.
    assertThat(paths(report.altered())).isEmpty();
    assertThat(report.modesLost()).containsExactly("run.sh");
    // Long.txt, fenced.md, crlf.txt and no-newline.txt
    assertThat(report.uploads()).isGreaterThanOrEqualTo(4);
    assertThat(report.summary()).contains("skipped logo.png: binary", "skipped link.txt");
    chat.materialize(chat.general, report.messages(), report.uploads());
    List<RevCommit> exported = chat.export(chat.general, "generated");
    assertThat(exported.getLast().getTree().getId())
        .isEqualTo(SourceRepos.expectedTree(source, Set.of("logo.png", "link.txt"), Set.of()));
    int messagesBefore = chat.history(chat.general).size();

    ImportReport again = importInto(source, fast());

    assertThat(again.messages()).isZero();
    assertThat(again.unchanged()).isEqualTo(written.size() + 11);
    assertThat(chat.history(chat.general)).hasSize(messagesBefore);
  }

  @Test
  void historyPostsOneMessagePerCommitWithTheSameTreesInOrder() throws Exception {
    Path source = dir.resolve("history");
    Files.createDirectories(source);
    SourceRepos.git(source, "init", "-q");
    write(source, "README.md", "# Project\n");
    write(source, "src/app.py", "print('hi')\n");
    gitAs(source, "Ada Lovelace", "ada@example.com", "add", "-A");
    gitAs(source, "Ada Lovelace", "ada@example.com", "commit", "-q", "-m", "Start the project");
    write(source, "src/app.py", "print('hello')\n");
    write(source, "src/util.py", "def f():\n    return 1\n");
    commitAll(source, "Greet properly\n\nmerge\n```\nnot a block\n");
    Files.delete(source.resolve("README.md"));
    write(source, "docs/README.md", "# Project\n\nMoved.\n");
    commitAll(source, "Move the readme");
    write(source, "src/util.py", "def f():\n    return 2\n");
    commitAll(source, "Return two");

    // Events reach threadbare concurrently, as Slack's do: at 500 messages a second two commits'
    // events may arrive swapped, which gives the same final tree but other trees in between.
    // One message every 100 ms (Slack's pace is one a second) keeps the order this test checks.
    ImportReport report = importInto(source, fast().withHistory(true).withMessagesPerSecond(10));

    assertThat(report.commits()).isEqualTo(4);
    assertThat(report.messages()).isEqualTo(4);
    assertThat(report.removals()).isEqualTo(1);
    chat.materialize(chat.general, 4, 0);
    List<RevCommit> exported = chat.export(chat.general, "history");
    assertThat(exported.stream().map(c -> c.getTree().getId()).toList())
        .isEqualTo(SourceRepos.trees(source, "HEAD"));
    List<JsonNode> messages = chat.history(chat.general);
    assertThat(messages.get(0).path("text").asText())
        .contains("Original author: Ada Lovelace &lt;ada@example.com&gt;, 2024-03-01T10:00:00Z")
        .contains("Start the project");
    // A commit message line reading `merge` or opening a fence is quoted, not obeyed.
    assertThat(exported.get(1).getFullMessage()).contains("Greet properly").contains("> merge");

    // Again, from a URL JGit clones: every commit is already there.
    ImportReport again =
        GitImport.connect(chat.apiUrl, chat.userToken)
            .run(source.toUri().toString(), fast().withHistory(true), progress::add);

    assertThat(again.messages()).isZero();
    assertThat(again.commitsAlreadyThere()).isEqualTo(4);
  }

  @Test
  void historyWithUploadsEndsAtTheSameTree() throws Exception {
    Path source = dir.resolve("uploads");
    Files.createDirectories(source);
    SourceRepos.git(source, "init", "-q");
    write(source, "a.txt", "a\n");
    commitAll(source, "Small start");
    write(source, "long/One.txt", "one\n".repeat(450));
    write(source, "long/Two.txt", "two\n".repeat(500));
    write(source, "a.txt", "b\n");
    commitAll(source, "Two long files and a small change");
    Files.delete(source.resolve("long/One.txt"));
    commitAll(source, "Drop one");

    ImportReport report = importInto(source, fast().withHistory(true));

    assertThat(report.commits()).isEqualTo(3);
    assertThat(report.uploads()).isEqualTo(2);
    // Commit 2 is a message with its block, then a file share with the two uploads.
    assertThat(report.messages()).isEqualTo(4);
    chat.materialize(chat.general, 4, 2);
    List<ObjectId> materialized =
        chat.export(chat.general, "uploads").stream().map(c -> c.getTree().getId()).toList();
    List<ObjectId> original = SourceRepos.trees(source, "HEAD");
    // The bot journals a share's files after the message, as their downloads land (possibly
    // after the next commit's message): the trees in between depend on that timing, but the
    // head rule makes the first and the last exact.
    assertThat(materialized.getFirst()).isEqualTo(original.getFirst());
    assertThat(materialized.getLast()).isEqualTo(original.getLast());
  }

  @Test
  void badInputIsNamedAndPostsNothing() throws Exception {
    GitImport importer = GitImport.connect(chat.apiUrl, chat.userToken);
    Path missing = dir.resolve("nowhere");
    assertThatThrownBy(() -> importer.run(missing.toString(), fast(), progress::add))
        .isInstanceOf(SourceUnreadableException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("does not exist");
    Path empty = dir.resolve("empty");
    Files.createDirectories(empty);
    SourceRepos.git(empty, "init", "-q");
    assertThatThrownBy(() -> importer.run(empty.toString(), fast(), progress::add))
        .isInstanceOf(SourceUnreadableException.class)
        .hasMessageContaining("no commit at HEAD");
    Path source = dir.resolve("one");
    write(source, "a.txt", "a\n");
    SourceRepos.git(source, "init", "-q");
    commitAll(source, "one file");
    assertThatThrownBy(
            () -> importer.run(source.toString(), ImportOptions.into("nosuch"), progress::add))
        .isInstanceOf(ChatCallFailedException.class)
        .hasMessageContaining("no channel named `nosuch`");
    assertThatThrownBy(
            () ->
                GitImport.connect(chat.apiUrl, "xoxp-wrong")
                    .run(source.toString(), fast(), progress::add))
        .isInstanceOf(ChatCallFailedException.class)
        .hasMessageContaining("--token");
    assertThat(chat.history(chat.general)).isEmpty();
  }

  private static void write(Path root, String path, String content) throws IOException {
    Path file = root.resolve(path);
    Files.createDirectories(file.getParent());
    Files.write(file, content.getBytes(StandardCharsets.UTF_8));
  }
}
