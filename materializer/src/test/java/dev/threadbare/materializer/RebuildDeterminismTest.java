package dev.threadbare.materializer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadbare.core.journal.Journal;
import dev.threadbare.core.journal.JournalEntry;
import dev.threadbare.core.materialization.EntryOutcome;
import dev.threadbare.journal.Journals;
import dev.threadbare.testing.JournalEntries;
import dev.threadbare.testing.TestDatabase;
import dev.threadbare.testing.TestPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deleting the git store and rebuilding it from the journal alone gives the same commit ids, on
 * SQLite and on PostgreSQL, and both journals give the same ids.
 */
class RebuildDeterminismTest {

  @TempDir Path dir;

  /**
   * A busy channel: posts, thread replies, edits, deletions, late messages, attachments, merges.
   */
  static List<JournalEntry> history() {
    Random random = new Random(42);
    List<JournalEntry> entries = new ArrayList<>();
    entries.add(JournalEntries.user("T1", "U1", "Ada", Instant.parse("2023-01-01T00:00:00Z")));
    entries.add(
        JournalEntries.channel(
            "T1", "C1", "general", false, Instant.parse("2023-01-01T00:00:00Z")));
    List<String> roots = new ArrayList<>();
    for (int i = 1; i <= 120; i++) {
      String ts = String.format(Locale.ROOT, "17000%05d.000100", i);
      String path = "src/m" + random.nextInt(8) + "/f" + random.nextInt(6) + ".py";
      String text = "change " + i + "\n`" + path + "`\n```\nprint(" + i + ")\n```";
      JournalEntries.MessageBuilder message =
          JournalEntries.message("T1", "C1", ts).user("U" + (1 + random.nextInt(3))).text(text);
      if (!roots.isEmpty() && random.nextInt(4) == 0) {
        message.thread(roots.get(random.nextInt(roots.size())));
      } else {
        roots.add(ts);
      }
      if (i % 17 == 0) {
        message.file("F" + i, "up" + i + ".txt", "docs/up" + i + ".txt", "text/plain");
        entries.add(message.build());
        entries.add(
            JournalEntries.fileContent(
                "T1",
                "C1",
                ts,
                "F" + i,
                "up" + i + ".txt",
                "docs/up" + i + ".txt",
                "text/plain",
                ("upload " + i + "\n").getBytes(StandardCharsets.UTF_8)));
        continue;
      }
      entries.add(message.build());
      if (i % 9 == 0) {
        // A merge of some thread: clean, conflicting or with nothing to merge, all replayed alike.
        entries.add(
            JournalEntries.message("T1", "C1", String.format(Locale.ROOT, "17000%05d.000200", i))
                .user("U2")
                .thread(roots.get(random.nextInt(roots.size())))
                .text("merge")
                .build());
      }
      if (i % 7 == 0) {
        String old = String.format(Locale.ROOT, "17000%05d.000100", 1 + random.nextInt(i));
        entries.add(
            JournalEntries.message("T1", "C1", old)
                .user("U1")
                .text("`src/m1/f1.py`\n```\nedited " + i + "\n```")
                .edited(String.format(Locale.ROOT, "17001%05d.000000", i))
                .build());
      }
      if (i % 11 == 0) {
        String victim = String.format(Locale.ROOT, "17000%05d.000100", 1 + random.nextInt(i));
        entries.add(
            JournalEntries.deletion(
                "T1", "C1", victim, String.format(Locale.ROOT, "17002%05d.000000", i)));
      }
    }
    return entries;
  }

  private static Map<String, String> materializeInSteps(Journal journal, Path store) {
    List<JournalEntry> history = history();
    try (Materializer materializer = Materializer.open(journal, store)) {
      for (int i = 0; i < history.size(); i += 25) {
        journal.append(history.subList(i, Math.min(history.size(), i + 25)));
        materializer.catchUp();
      }
    }
    return refs(store);
  }

  private static Map<String, String> refs(Path store) {
    GitStore git = GitStore.open(store);
    Map<String, String> refs = new TreeMap<>();
    for (String branch : git.branches("C1")) {
      refs.put(branch, git.resolve("C1", branch).name());
    }
    return refs;
  }

  private static int mergeCommits(Path store) {
    GitStore git = GitStore.open(store);
    try (Repository repo = git.repository("C1");
        RevWalk walk = new RevWalk(repo)) {
      walk.markStart(walk.parseCommit(git.resolve("C1", "main")));
      int merges = 0;
      for (RevCommit commit : walk) {
        if (commit.getParentCount() == 2) {
          merges++;
        }
      }
      return merges;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Map<String, String> rebuildTwiceAndCompare(Journal journal, Path store) {
    Map<String, String> incremental = materializeInSteps(journal, store);
    assertThat(incremental).containsKey("main");
    assertThat(incremental.keySet()).anyMatch(b -> b.startsWith("thread/"));
    assertThat(mergeCommits(store)).as("merge commits on main").isPositive();
    long processed = Materializer.rebuild(journal, store);
    assertThat(processed).isEqualTo(journal.lastSeq());
    assertThat(refs(store)).isEqualTo(incremental);
    assertThat(GitStore.open(store).channelId("general")).isEqualTo("C1");
    // A restart over an up-to-date store (dry replay) then more entries stays consistent.
    try (Materializer again = Materializer.open(journal, store)) {
      again.catchUp();
    }
    assertThat(refs(store)).isEqualTo(incremental);
    return incremental;
  }

  @Test
  void aCrashBeforeTheCursorIsSavedIsReplayedIdempotently() {
    try (Journal journal = Journals.sqlite(dir.resolve("journal.db"))) {
      Path store = dir.resolve("git");
      Map<String, String> done = materializeInSteps(journal, store);
      // As if the process died after moving the refs but before saving the cursor.
      journal.saveCursor(Materializer.CURSOR, journal.lastSeq() / 3);
      List<EntryOutcome> replayed = new ArrayList<>();
      List<EntryOutcome> returned;
      try (Materializer again = Materializer.open(journal, store)) {
        again.addListener(replayed::addAll);
        returned = again.catchUp();
      }
      assertThat(returned).isEqualTo(replayed);
      assertThat(refs(store)).isEqualTo(done);
      assertThat(replayed).isNotEmpty();
      assertThat(journal.cursor(Materializer.CURSOR)).isEqualTo(journal.lastSeq());
    }
  }

  @Test
  void rebuildGivesIdenticalCommitIdsOnSqliteAndPostgres() {
    Map<String, String> onSqlite;
    try (Journal journal = Journals.sqlite(dir.resolve("journal.db"))) {
      onSqlite = rebuildTwiceAndCompare(journal, dir.resolve("git-sqlite"));
    }
    TestDatabase database = TestPostgres.newDatabase();
    try (Journal journal =
        Journals.postgres(database.jdbcUrl(), database.user(), database.password())) {
      Map<String, String> onPostgres = rebuildTwiceAndCompare(journal, dir.resolve("git-pg"));
      assertThat(onPostgres).isEqualTo(onSqlite);
    }
  }
}
