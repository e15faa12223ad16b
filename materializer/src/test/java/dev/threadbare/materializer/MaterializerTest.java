package dev.threadbare.materializer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.threadbare.core.journal.Journal;
import dev.threadbare.core.journal.JournalEntry;
import dev.threadbare.core.materialization.EntryOutcome;
import dev.threadbare.core.materialization.FileChange;
import dev.threadbare.journal.Journals;
import dev.threadbare.testing.JournalEntries;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The materializer with the real grammar and the SQLite journal, scenario by scenario. */
class MaterializerTest {

  static final String T = "T1";
  static final String C = "C1";

  @TempDir Path dir;

  static JournalEntry post(String ts, String path, String content) {
    return JournalEntries.message(T, C, ts)
        .user("U1")
        .text("`" + path + "`\n```\n" + content + "\n```")
        .build();
  }

  static JournalEntry reply(String ts, String root, String path, String content) {
    return JournalEntries.message(T, C, ts)
        .user("U2")
        .thread(root)
        .text("`" + path + "`\n```\n" + content + "\n```")
        .build();
  }

  static JournalEntry edit(String ts, String editTs, String path, String content) {
    return JournalEntries.message(T, C, ts)
        .user("U1")
        .text("`" + path + "`\n```\n" + content + "\n```")
        .edited(editTs)
        .build();
  }

  private String content(GitStore store, String ref, String path) {
    return new String(store.read(C, ref, path), StandardCharsets.UTF_8);
  }

  private Map<String, String> files(GitStore store, String ref) {
    Map<String, String> files = new TreeMap<>();
    store.tree(C, ref).forEach(e -> files.put(e.path(), content(store, ref, e.path())));
    return files;
  }

  @Test
  void editsDeletionsAndLateMessagesFollowTheHeadRule() {
    try (Journal journal = Journals.sqlite(dir.resolve("journal.db"));
        Materializer materializer = Materializer.open(journal, dir.resolve("git"))) {
      List<EntryOutcome> outcomes = new ArrayList<>();
      materializer.addListener(outcomes::addAll);
      journal.append(
          List.of(
              JournalEntries.user(T, "U1", "Ada Lovelace", Instant.parse("2023-01-01T00:00:00Z")),
              post("1700000001.000100", "app.py", "v1"),
              post("1700000002.000100", "app.py", "v2")));
      materializer.catchUp();
      GitStore store = materializer.store();
      assertThat(content(store, "main", "app.py")).isEqualTo("v2\n");

      // Editing the older definition changes nothing; editing the newest does.
      journal.append(List.of(edit("1700000001.000100", "1700000100.000000", "app.py", "v1b")));
      materializer.catchUp();
      assertThat(content(store, "main", "app.py")).isEqualTo("v2\n");
      assertThat(outcomes.get(outcomes.size() - 1).branches()).isEmpty();
      journal.append(List.of(edit("1700000002.000100", "1700000101.000000", "app.py", "v2b")));
      materializer.catchUp();
      assertThat(content(store, "main", "app.py")).isEqualTo("v2b\n");

      // An older edit arriving late does not override the newer one.
      journal.append(List.of(edit("1700000002.000100", "1700000099.000000", "app.py", "stale")));
      materializer.catchUp();
      assertThat(content(store, "main", "app.py")).isEqualTo("v2b\n");

      // A late message older than the newest definition does not override it.
      journal.append(List.of(post("1700000001.500000", "app.py", "late")));
      materializer.catchUp();
      assertThat(content(store, "main", "app.py")).isEqualTo("v2b\n");

      // Deleting the newest brings back the previous version: the late one, by ts.
      journal.append(
          List.of(JournalEntries.deletion(T, C, "1700000002.000100", "1700000200.000000")));
      materializer.catchUp();
      assertThat(content(store, "main", "app.py")).isEqualTo("late\n");
      EntryOutcome deletion = outcomes.get(outcomes.size() - 1);
      assertThat(deletion.branches())
          .singleElement()
          .satisfies(c -> assertThat(c.branch()).isEqualTo("main"));
      assertThat(deletion.branch()).isEqualTo("main");
      assertThat(deletion.changes())
          .singleElement()
          .satisfies(
              c -> {
                assertThat(c.path()).isEqualTo("app.py");
                assertThat(c.kind()).isEqualTo(FileChange.Kind.MODIFIED);
                assertThat(c.diff()).contains("-v2b").contains("+late");
              });

      assertThat(store.log(C, "main")).hasSize(4);
      assertThat(store.resolve(C, "main@1")).isEqualTo(store.log(C, "main").get(3).commit());
      assertThat(store.log(C, "main").get(0).event()).isEqualTo("delete");
    }
  }

  @Test
  void threadsForkFromMainAndFollowOlderMainChanges() throws Exception {
    try (Journal journal = Journals.sqlite(dir.resolve("journal.db"));
        Materializer materializer = Materializer.open(journal, dir.resolve("git"))) {
      journal.append(
          List.of(
              post("1700000001.000100", "lib.py", "lib1"),
              post("1700000002.000100", "app.py", "root"),
              post("1700000003.000100", "later.py", "after the root"),
              reply("1700000004.000100", "1700000002.000100", "app.py", "in thread")));
      materializer.catchUp();
      GitStore store = materializer.store();
      String thread = "thread/1700000002.000100";
      assertThat(store.branches(C)).containsExactly("main", thread);
      assertThat(files(store, thread))
          .isEqualTo(Map.of("lib.py", "lib1\n", "app.py", "in thread\n"));
      assertThat(files(store, "main"))
          .isEqualTo(
              Map.of("lib.py", "lib1\n", "app.py", "root\n", "later.py", "after the root\n"));
      // The fork point is main just after the root.
      assertThat(store.log(C, thread)).hasSize(1);
      try (Repository repo = store.repository(C);
          RevWalk walk = new RevWalk(repo)) {
        RevCommit first = walk.parseCommit(store.resolve(C, thread + "@1"));
        assertThat(first.getParent(0).getId()).isEqualTo(store.resolve(C, "main@2"));
        assertThat(first.getAuthorIdent().getEmailAddress()).isEqualTo("U2@T1.chat");
        assertThat(first.getAuthorIdent().getZoneOffset()).isEqualTo(ZoneOffset.UTC);
        assertThat(first.getFullMessage())
            .contains(
                "Chat-Message: https://slack.com/archives/C1/p1700000004000100"
                    + "?thread_ts=1700000002.000100&cid=C1")
            .contains("Chat-Event: post");
      }
      // An edit of a main message older than the root changes the thread too.
      journal.append(List.of(edit("1700000001.000100", "1700000050.000000", "lib.py", "lib2")));
      materializer.catchUp();
      assertThat(content(store, thread, "lib.py")).isEqualTo("lib2\n");
      assertThat(store.log(C, thread)).hasSize(2);
    }
  }

  @Test
  void refsNameCommitsByBranchNumberPrefixAndPermalink() {
    try (Journal journal = Journals.sqlite(dir.resolve("journal.db"));
        Materializer materializer = Materializer.open(journal, dir.resolve("git"))) {
      journal.append(
          List.of(
              post("1700000001.000100", "a.py", "1"),
              post("1700000002.000100", "b.py", "2"),
              reply("1700000003.000100", "1700000001.000100", "a.py", "t")));
      materializer.catchUp();
      GitStore store = materializer.store();
      String second = store.resolve(C, "main").name();
      assertThat(store.resolve(C, "main@2").name()).isEqualTo(second);
      assertThat(store.resolve(C, second.substring(0, 8)).name()).isEqualTo(second);
      assertThat(store.resolve(C, "https://slack.com/archives/C1/p1700000002000100").name())
          .isEqualTo(second);
      assertThat(store.resolve(C, "thread/1700000001.000100@1"))
          .isEqualTo(store.resolve(C, "thread/1700000001.000100"));
      assertThat(store.tree(C, "main@1")).extracting(TreeEntry::path).containsExactly("a.py");
      assertThatThrownBy(() -> store.resolve(C, "main@3"))
          .isInstanceOf(UnknownRefException.class)
          .hasMessageContaining("has 2 commits");
      assertThatThrownBy(() -> store.resolve(C, "nope"))
          .isInstanceOf(UnknownRefException.class)
          .hasMessageContaining("`nope` names no commit");
      assertThatThrownBy(() -> store.resolve("C9", "main"))
          .isInstanceOf(UnknownChannelException.class)
          .hasMessageContaining("no channel `C9`");
    }
  }

  @Test
  void attachmentsArrivingAfterTheirMessageBecomeFiles() {
    try (Journal journal = Journals.sqlite(dir.resolve("journal.db"));
        Materializer materializer = Materializer.open(journal, dir.resolve("git"))) {
      List<EntryOutcome> outcomes = new ArrayList<>();
      materializer.addListener(outcomes::addAll);
      journal.append(
          List.of(
              JournalEntries.message(T, C, "1700000001.000100")
                  .user("U1")
                  .text("the big one")
                  .file("F1", "big.py", "src/big.py", "text/x-python")
                  .build()));
      materializer.catchUp();
      assertThat(materializer.store().channels()).containsExactly(C);
      assertThat(materializer.store().branches(C)).isEmpty();
      journal.append(
          List.of(
              JournalEntries.fileContent(
                  T,
                  C,
                  "1700000001.000100",
                  "F1",
                  "big.py",
                  "src/big.py",
                  "text/x-python",
                  "print('big')\n".getBytes(StandardCharsets.UTF_8))));
      materializer.catchUp();
      assertThat(content(materializer.store(), "main", "src/big.py")).isEqualTo("print('big')\n");
      EntryOutcome arrived = outcomes.get(outcomes.size() - 1);
      assertThat(arrived.branches()).hasSize(1);
      assertThat(arrived.result()).isEqualTo(EntryOutcome.Result.TAKEN);
      assertThat(arrived.changes())
          .singleElement()
          .satisfies(c -> assertThat(c.kind()).isEqualTo(FileChange.Kind.ADDED));
    }
  }

  @Test
  void botMessagesAndRefusedMessagesDefineNothing() {
    try (Journal journal = Journals.sqlite(dir.resolve("journal.db"));
        Materializer materializer = Materializer.open(journal, dir.resolve("git"))) {
      List<EntryOutcome> outcomes = new ArrayList<>();
      materializer.addListener(outcomes::addAll);
      journal.append(
          List.of(
              JournalEntries.message(T, C, "1700000001.000100")
                  .bot("B1")
                  .text("`bot.py`\n```\nx\n```")
                  .build(),
              JournalEntries.message(T, C, "1700000002.000100")
                  .user("U1")
                  .text("`ok.py`\n```\nfine\n```\n`../evil.py`\n```\nbad\n```")
                  .build()));
      materializer.catchUp();
      assertThat(materializer.store().branches(C)).isEmpty();
      assertThat(outcomes).hasSize(2);
      assertThat(outcomes.get(0).fromBot()).isTrue();
      assertThat(outcomes.get(0).answerable()).isFalse();
      assertThat(outcomes.get(1).result()).isEqualTo(EntryOutcome.Result.REFUSED);
      assertThat(outcomes.get(1).problems()).isNotEmpty();
    }
  }

  @Test
  void aGitLockLeftByAKilledProcessIsRemovedByTheNextOwnerOfTheStore() throws Exception {
    Path git = dir.resolve("git");
    try (Journal journal = Journals.sqlite(dir.resolve("journal.db"))) {
      try (Materializer first = Materializer.open(journal, git)) {
        journal.append(List.of(post("1700000001.000100", "app.py", "v1")));
        first.catchUp();
      }
      // A SIGKILL in the middle of a ref update leaves this behind (the OS lock is released).
      Path stale = git.resolve(C + ".git").resolve("refs/heads/main.lock");
      java.nio.file.Files.writeString(stale, "0000000000000000000000000000000000000000\n");

      try (Materializer owner = Materializer.open(journal, git)) {
        assertThat(stale).doesNotExist();
        // While the store has an owner, another materializer of it removes nothing.
        java.nio.file.Files.writeString(stale, "in progress\n");
        try (Materializer other = Materializer.open(journal, git)) {
          assertThat(stale).exists();
        }
        java.nio.file.Files.delete(stale);
        journal.append(List.of(post("1700000002.000100", "app.py", "v2")));
        owner.catchUp();
        assertThat(content(owner.store(), "main", "app.py")).isEqualTo("v2\n");
      }
    }
  }
}
