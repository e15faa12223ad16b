package dev.threadbare.app.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadbare.app.Main;
import dev.threadbare.gitimport.GitImport;
import dev.threadbare.gitimport.ImportOptions;
import dev.threadbare.gitimport.ImportReport;
import dev.threadbare.workspace.LocalWorkspace;
import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code import-git --history} at a pace far above the chat's, into a running serve whose rate
 * limits were lifted with {@code workspace limits --unlimited}: every source commit's tree comes
 * back as a commit of the channel's {@code main}, in the source's order, also for commits that
 * carry uploads and removals.
 */
class ImportHistoryOrderTest {

  private static final int COMMITS = 16;

  @TempDir Path dir;

  /** A history where most commits touch several files, some need an upload, some remove one. */
  private static List<ObjectId> sourceHistory(Path source) throws Exception {
    Random random = new Random(11);
    List<ObjectId> trees = new ArrayList<>();
    try (Git git = Git.init().setDirectory(source.toFile()).setInitialBranch("main").call()) {
      for (int c = 0; c < COMMITS; c++) {
        for (int f = 0; f < 4; f++) {
          if (c == 0 || random.nextInt(3) > 0) {
            Files.writeString(
                source.resolve("src/f" + f + ".py"),
                "# commit " + c + " file " + f + "\nprint(" + random.nextInt() + ")\n",
                StandardCharsets.UTF_8);
          }
        }
        if (c % 5 == 2) {
          // Over lint.max_lines: goes as an upload, whose content lands after its message.
          Files.writeString(
              source.resolve("data/big.txt"),
              String.join("", Collections.nCopies(450, "line of commit " + c + "\n")),
              StandardCharsets.UTF_8);
        }
        if (c == 9) {
          Files.delete(source.resolve("src/f3.py"));
        }
        git.add().addFilepattern(".").call();
        git.add().addFilepattern(".").setUpdate(true).call();
        PersonIdent ada = new PersonIdent("Ada", "ada@example.com");
        RevCommit commit =
            git.commit().setMessage("change " + c).setAuthor(ada).setCommitter(ada).call();
        trees.add(commit.getTree().getId());
      }
    }
    return trees;
  }

  private static List<ObjectId> mainTrees(Path gitStore) throws Exception {
    File[] repositories = gitStore.toFile().listFiles((d, n) -> n.endsWith(".git"));
    assertThat(repositories).hasSize(1);
    try (Repository repository =
            new FileRepositoryBuilder().setGitDir(repositories[0]).setMustExist(true).build();
        RevWalk walk = new RevWalk(repository)) {
      List<ObjectId> trees = new ArrayList<>();
      RevCommit commit = walk.parseCommit(repository.resolve("refs/heads/main"));
      while (commit != null) {
        trees.add(commit.getTree().getId());
        commit = commit.getParentCount() == 0 ? null : walk.parseCommit(commit.getParent(0));
      }
      return trees.reversed();
    }
  }

  @Test
  void everySourceStateComesBackInOrderAtAHighRate() throws Exception {
    Imported imported = importHistory(ImportOptions.DEFAULT_AWAIT_BOT);

    assertThat(imported.report().commits()).isEqualTo(COMMITS);
    assertThat(imported.report().uploads()).isPositive();
    assertThat(imported.report().removals()).isPositive();
    assertThat(imported.progress())
        .noneMatch(line -> line.contains("no answer from threadbare's bot"));
    assertThat(imported.inOrder())
        .as("source states in main, in order: %s", imported.materialized())
        .isEqualTo(COMMITS);
  }

  /** What an import did, and how many source trees came back in order. */
  private record Imported(
      ImportReport report, List<String> progress, List<ObjectId> materialized, int inOrder) {}

  private Imported importHistory(Duration awaitBot) throws Exception {
    Path source = dir.resolve("source");
    Files.createDirectories(source.resolve("src"));
    Files.createDirectories(source.resolve("data"));
    List<ObjectId> sourceTrees = sourceHistory(source);
    Path data = dir.resolve("data");
    try (Server server = Server.start(Server.Settings.defaults(data))) {
      LocalWorkspace workspace = server.workspace().orElseThrow();
      StringWriter out = new StringWriter();
      CommandLine cli = Main.commandLine();
      cli.setOut(new PrintWriter(out));
      assertThat(cli.execute("workspace", "limits", "--data", data.toString(), "--unlimited"))
          .isZero();
      String token = workspace.addUser("importer", false);

      List<String> progress = Collections.synchronizedList(new ArrayList<>());
      ImportReport report =
          GitImport.connect(server.url() + "/api/", token)
              .run(
                  source.toString(),
                  ImportOptions.into("general")
                      .withHistory(true)
                      .withMessagesPerSecond(200)
                      .withAwaitBot(awaitBot),
                  progress::add);
      // Everything posted is in git once main holds the last source tree.
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      List<ObjectId> materialized = mainTrees(data.resolve("git"));
      while (!materialized.getLast().equals(sourceTrees.getLast())
          && System.nanoTime() < deadline) {
        Thread.sleep(200);
        materialized = mainTrees(data.resolve("git"));
      }
      // Each source tree, in the source's order (a commit of several messages may add steps).
      int at = 0;
      int inOrder = 0;
      for (ObjectId tree : sourceTrees) {
        int found = materialized.subList(at, materialized.size()).indexOf(tree);
        if (found >= 0) {
          inOrder++;
          at += found + 1;
        }
      }
      return new Imported(report, progress, materialized, inOrder);
    }
  }
}
