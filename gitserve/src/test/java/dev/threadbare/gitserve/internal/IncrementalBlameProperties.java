package dev.threadbare.gitserve.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadbare.gitserve.ChannelRepos;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.eclipse.jgit.blame.BlameGenerator;
import org.eclipse.jgit.blame.BlameResult;
import org.eclipse.jgit.diff.RawTextComparator;
import org.eclipse.jgit.revwalk.RevCommit;

/** The incremental blame agrees with JGit's own blame, version by version. */
class IncrementalBlameProperties {

  @Property(tries = 10)
  void agreesWithJGitBlameOnEveryVersion(
      @ForAll long seed, @ForAll @IntRange(min = 2, max = 25) int versions) throws Exception {
    Path dir = Files.createTempDirectory("blame-prop");
    Random random = new Random(seed);
    List<RevCommit> commits = new ArrayList<>();
    try (ChannelRepos repos = ChannelRepos.createBare(dir.resolve("r.git"))) {
      List<String> lines = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        lines.add("line " + random.nextInt(8)); // duplicates on purpose
      }
      for (int v = 0; v < versions; v++) {
        if (v > 0) {
          int edits = 1 + random.nextInt(3);
          for (int e = 0; e < edits; e++) {
            int k = random.nextInt(lines.size());
            switch (random.nextInt(4)) {
              case 0 -> lines.add(k, "new " + v + " " + random.nextInt(5));
              case 1 -> {
                if (lines.size() > 3) {
                  lines.remove(k);
                }
              }
              default -> lines.set(k, "edit " + v + " " + random.nextInt(5));
            }
          }
        }
        Map<String, String> files =
            random.nextInt(5) == 0 && v > 0
                ? Map.of("other.txt", "v" + v + "\n") // a version that leaves the file alone
                : Map.of("f.txt", String.join("\n", lines) + "\n");
        commits.add(repos.commit("main", "U" + (v % 3), "User " + (v % 3), "v" + v, files));
      }
      IncrementalBlame incremental = new IncrementalBlame(1000);
      // Ask newest first (one long walk), then check every version against JGit's blame.
      incremental.blame(repos.repository(), commits.get(commits.size() - 1), "f.txt");
      IncrementalBlame fresh = new IncrementalBlame(1000);
      for (RevCommit commit : commits) {
        List<String> expected = jgitBlame(repos, commit);
        assertThat(
                IncrementalBlame.describe(incremental.blame(repos.repository(), commit, "f.txt")))
            .as("cached walk at %s", commit.name())
            .isEqualTo(expected);
        assertThat(IncrementalBlame.describe(fresh.blame(repos.repository(), commit, "f.txt")))
            .as("one step at a time at %s", commit.name())
            .isEqualTo(expected);
      }
    }
  }

  @org.junit.jupiter.api.Test
  void aMergeKeepsTheThreadsLinesOnTheThreadsVersions() throws Exception {
    Path dir = Files.createTempDirectory("blame-merge");
    try (ChannelRepos repos = ChannelRepos.createBare(dir.resolve("r.git"))) {
      RevCommit root =
          repos.commit("main", "U0A", "A", "first", Map.of("f.txt", "1\n2\n3\n4\n5\n"));
      repos.fork("thread/1");
      RevCommit reply =
          repos.commit("thread/1", "U0B", "B", "reply", Map.of("f.txt", "1\ntwo\n3\n4\n5\n"));
      RevCommit onMain =
          repos.commit("main", "U0C", "C", "main", Map.of("f.txt", "1\n2\n3\nfour\n5\n"));
      RevCommit merge =
          repos.merge("main", "thread/1", "U0A", "A", Map.of("f.txt", "1\ntwo\n3\nfour\n5\nsix\n"));
      List<String> blame =
          IncrementalBlame.describe(
              new IncrementalBlame(100).blame(repos.repository(), merge, "f.txt"));
      assertThat(blame)
          .containsExactly(
              root.name() + ":0",
              reply.name() + ":1",
              root.name() + ":2",
              onMain.name() + ":3",
              root.name() + ":4",
              merge.name() + ":5");
      assertThat(blame).isEqualTo(jgitBlame(repos, merge));
    }
  }

  private static List<String> jgitBlame(ChannelRepos repos, RevCommit commit) throws Exception {
    try (BlameGenerator generator = new BlameGenerator(repos.repository(), "f.txt")) {
      generator.setTextComparator(RawTextComparator.DEFAULT);
      generator.push(null, commit);
      BlameResult result = BlameResult.create(generator);
      result.computeAll();
      List<String> out = new ArrayList<>();
      for (int i = 0; i < result.getResultContents().size(); i++) {
        out.add(result.getSourceCommit(i).name() + ":" + result.getSourceLine(i));
      }
      return out;
    }
  }
}
