package dev.threadbare.materializer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadbare.core.journal.Journal;
import dev.threadbare.journal.Journals;
import dev.threadbare.testing.JournalEntries;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store is repacked in the background while the materializer writes: packs end up few and
 * delta-compressed (with a bitmap), and {@code git fsck} is clean at every step. Real SQLite
 * journal, real JGit store, the real git command line.
 */
class RepackerTest {
  @TempDir Path dir;

  static String file(int version) {
    StringBuilder out = new StringBuilder();
    for (int line = 0; line < 120; line++) {
      out.append("line ").append(line).append(line == version % 120 ? " changed " + version : "");
      out.append(" of a file that changes one line a version\n");
    }
    return out.toString();
  }

  @Test
  void packsStayFewDeltifiedAndFsckCleanWhileMessagesArrive() throws Exception {
    Path git = dir.resolve("git");
    try (Journal journal = Journals.sqlite(dir.resolve("journal.db"));
        Materializer materializer = Materializer.open(journal, git)) {
      journal.append(
          List.of(JournalEntries.user("T1", "U1", "Ada", Instant.parse("2023-01-01T00:00:00Z"))));
      File repo = git.resolve("C1.git").toFile();
      for (int i = 1; i <= 120; i++) {
        String ts = (1_700_000_000L + i) + ".000100";
        journal.append(
            List.of(
                JournalEntries.message("T1", "C1", ts)
                    .user("U1")
                    .text(
                        "`src/big.txt`\n```\n" + file(i) + "```\n`src/n.txt`\n```\n" + i + "\n```")
                    .build()));
        materializer.catchUp();
        if (i % 30 == 0) {
          // fsck --full lists the packs, then opens each: a pack a running repack deletes in
          // between reads as "index not opened" (as under a concurrent `git gc`), so check at rest.
          Repacker.INSTANCE.awaitIdle(repo);
          assertThat(git(repo, "fsck", "--full", "--no-dangling")).as("fsck after %d", i).isEmpty();
        }
      }
      // An edit of a message that is not the newest definition writes a blob no commit names;
      // a full repack keeps it, because deleting the newer message brings that version back.
      journal.append(
          List.of(
              JournalEntries.message("T1", "C1", "1700000001.000100")
                  .user("U1")
                  .text("`src/n.txt`\n```\nedited while not the newest\n```")
                  .edited("1700000500.000000")
                  .build()));
      materializer.catchUp();
      Repacker.INSTANCE.awaitIdle(repo);
      Repacker.INSTANCE.repack(repo);
      for (int i = 2; i <= 120; i++) {
        journal.append(
            List.of(
                JournalEntries.deletion(
                    "T1",
                    "C1",
                    (1_700_000_000L + i) + ".000100",
                    (1_700_001_000L + i) + ".000000")));
      }
      materializer.catchUp();
      assertThat(
              new String(
                  materializer.store().read("C1", "main", "src/n.txt"), StandardCharsets.UTF_8))
          .isEqualTo("edited while not the newest\n");
      Repacker.INSTANCE.awaitIdle(repo);
      assertThat(git(repo, "fsck", "--full", "--no-dangling")).isEmpty();
      Repacker.INSTANCE.repack(repo);
      assertThat(git(repo, "fsck", "--full", "--no-dangling")).isEmpty();
      List<Path> packs = packs(repo, ".pack");
      assertThat(packs).hasSizeLessThanOrEqualTo(8);
      assertThat(packs(repo, ".bitmap")).isNotEmpty();
      int deltas = deltas(repo, packs);
      assertThat(deltas).as("deltified objects").isGreaterThan(100);

      // export-git writes one deltified pack with a bitmap, fsck clean.
      Path exported = dir.resolve("exported");
      materializer.store().exportGit("C1", exported);
      File exportedGit = exported.resolve(".git").toFile();
      assertThat(git(exportedGit, "fsck", "--full", "--no-dangling")).isEmpty();
      assertThat(packs(exportedGit, ".pack")).hasSize(1);
      assertThat(packs(exportedGit, ".bitmap")).hasSize(1);
      assertThat(deltas(exportedGit, packs(exportedGit, ".pack"))).isGreaterThan(100);
    }
  }

  /** How many objects of {@code packs} are stored as deltas ({@code git verify-pack -v}). */
  private static int deltas(File repo, List<Path> packs) throws Exception {
    int deltas = 0;
    for (Path pack : packs) {
      for (String line : git(repo, "verify-pack", "-v", pack.toString()).split("\n")) {
        String[] fields = line.trim().split("\\s+");
        // sha type size size-in-pack offset depth base: a delta has seven fields
        if (fields.length == 7 && fields[0].length() == 40) {
          deltas++;
        }
      }
    }
    return deltas;
  }

  private static List<Path> packs(File repo, String ext) throws IOException {
    try (Stream<Path> files = Files.list(repo.toPath().resolve("objects/pack"))) {
      return new ArrayList<>(files.filter(p -> p.toString().endsWith(ext)).toList());
    }
  }

  /** Runs git in {@code repo}; returns stdout; fails with stderr on a non-zero exit. */
  private static String git(File repo, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("git", "--git-dir=" + repo));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new AssertionError(String.join(" ", command) + " failed:\n" + out);
    }
    return out;
  }
}
