package dev.threadbare.materializer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.threadbare.core.chat.SlackEvents;
import dev.threadbare.core.grammar.Problem;
import dev.threadbare.core.journal.EntryKind;
import dev.threadbare.core.journal.Journal;
import dev.threadbare.core.journal.JournalEntry;
import dev.threadbare.core.materialization.EntryOutcome;
import dev.threadbare.core.materialization.EntryOutcome.Result;
import dev.threadbare.core.review.MergeDecision;
import dev.threadbare.journal.Journals;
import dev.threadbare.testing.JournalEntries;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code merge} in a thread, on the SQLite journal and real git: JGit's three-way merge into main,
 * a merge commit with two parents that the {@code git} command line reads (log --graph, fsck), the
 * conflict report and its resolution, {@code protect_main}, the gate's decision, and rebuilds that
 * reproduce every id.
 */
class MergeTest {

  static final String T = "T1";
  static final String C = "C1";
  static final String ROOT = "1700000001.000100";

  @TempDir Path dir;

  private static JournalEntry post(String ts, String user, String path, String content) {
    return JournalEntries.message(T, C, ts)
        .user(user)
        .text("`" + path + "`\n```\n" + content + "\n```")
        .build();
  }

  private static JournalEntry reply(String ts, String path, String content) {
    return JournalEntries.message(T, C, ts)
        .user("U2")
        .thread(ROOT)
        .text("`" + path + "`\n```\n" + content + "\n```")
        .build();
  }

  /** Threadbare's own bot user, as serve journals it when it starts. */
  static JournalEntry self(String botUser) {
    return new JournalEntry(
        0,
        T,
        "",
        "0",
        EntryKind.SELF,
        botUser,
        null,
        botUser,
        Instant.parse("2023-11-14T00:00:00Z"),
        "{\"team_id\":\"" + T + "\",\"user_id\":\"" + botUser + "\"}");
  }

  private static JournalEntry decision(String ts, String botUser, String botId) {
    return JournalEntries.message(T, C, ts)
        .user(botUser)
        .bot(botId)
        .thread(ROOT)
        .text(MergeDecision.text("thread/" + ROOT, new TreeSet<>(List.of("U3")), null))
        .build();
  }

  private static JournalEntry merge(String ts) {
    return JournalEntries.message(T, C, ts).user("U2").thread(ROOT).text("merge").build();
  }

  private static String lines(String... lines) {
    return String.join("\n", lines);
  }

  private static Map<String, String> files(GitStore store, String ref) {
    Map<String, String> files = new TreeMap<>();
    store
        .tree(C, ref)
        .forEach(
            e ->
                files.put(
                    e.path(), new String(store.read(C, ref, e.path()), StandardCharsets.UTF_8)));
    return files;
  }

  private static EntryOutcome last(List<EntryOutcome> outcomes) {
    return outcomes.get(outcomes.size() - 1);
  }

  private static List<String> problems(EntryOutcome outcome, String rule) {
    return outcome.problems().stream()
        .filter(p -> p.rule().equals(rule))
        .map(p -> p.input() + ": " + p.message())
        .toList();
  }

  @Test
  void aCleanMergeIsATwoParentCommitThatGitReadsAndARebuildReproduces() throws Exception {
    Path git = dir.resolve("git");
    try (Journal journal = Journals.sqlite(dir.resolve("journal.db"))) {
      List<EntryOutcome> outcomes = new ArrayList<>();
      ObjectId mergeCommit;
      Map<String, ObjectId> refs = new TreeMap<>();
      try (Materializer materializer = Materializer.open(journal, git)) {
        materializer.addListener(outcomes::addAll);
        journal.append(
            List.of(
                JournalEntries.user(T, "U2", "Grace Hopper", Instant.parse("2023-01-01T00:00:00Z")),
                post(ROOT, "U1", "a.txt", lines("one", "two", "three", "four", "five")),
                post("1700000002.000100", "U1", "b.txt", "bee"),
                reply("1700000003.000100", "a.txt", lines("ONE", "two", "three", "four", "five")),
                reply("1700000004.000100", "c.txt", "sea"),
                post(
                    "1700000005.000100",
                    "U1",
                    "a.txt",
                    lines("one", "two", "three", "four", "FIVE")),
                merge("1700000006.000100")));
        materializer.catchUp();
        GitStore store = materializer.store();
        EntryOutcome merged = last(outcomes);
        assertThat(merged.problems()).isEmpty();
        assertThat(merged.actions()).extracting(a -> a.name()).containsExactly("merge");
        assertThat(merged.branches()).extracting(b -> b.branch()).containsExactly("main");
        assertThat(files(store, "main"))
            .containsExactly(
                Map.entry("a.txt", lines("ONE", "two", "three", "four", "FIVE") + "\n"),
                Map.entry("b.txt", "bee\n"),
                Map.entry("c.txt", "sea\n"));
        // The thread is a branch as before: it does not take main's changes.
        assertThat(files(store, "thread/" + ROOT)).doesNotContainKey("b.txt");

        mergeCommit = store.resolve(C, "main");
        try (Repository repo = store.repository(C);
            RevWalk walk = new RevWalk(repo)) {
          RevCommit commit = walk.parseCommit(mergeCommit);
          assertThat(commit.getParentCount()).isEqualTo(2);
          assertThat(commit.getParent(1)).isEqualTo(store.resolve(C, "thread/" + ROOT));
          assertThat(commit.getShortMessage()).isEqualTo("Merge thread/" + ROOT + " into main");
          assertThat(commit.getAuthorIdent().getName()).isEqualTo("Grace Hopper");
          assertThat(commit.getFullMessage())
              .contains(
                  "Chat-Message: https://slack.com/archives/C1/p1700000006000100?thread_ts=" + ROOT)
              .contains("Chat-Event: merge");
        }

        // After a merge the thread goes on: a new reply, merged again, brings only what is new.
        journal.append(
            List.of(
                post("1700000007.000100", "U1", "b.txt", "bee 2"),
                reply("1700000008.000100", "c.txt", "sea 2"),
                merge("1700000009.000100")));
        materializer.catchUp();
        assertThat(last(outcomes).problems()).isEmpty();
        assertThat(files(store, "main"))
            .containsEntry("b.txt", "bee 2\n")
            .containsEntry("c.txt", "sea 2\n")
            .containsEntry("a.txt", lines("ONE", "two", "three", "four", "FIVE") + "\n");

        journal.append(List.of(merge("1700000010.000100")));
        materializer.catchUp();
        assertThat(problems(last(outcomes), Problem.MERGE_NOTHING)).hasSize(1);
        assertThat(last(outcomes).branches()).isEmpty();
        // At the top level there is no thread to merge: the sender is told where to say it.
        journal.append(
            List.of(
                JournalEntries.message(T, C, "1700000011.000100")
                    .user("U1")
                    .text("merge")
                    .build()));
        materializer.catchUp();
        assertThat(problems(last(outcomes), Problem.MERGE_NOTHING))
            .singleElement()
            .asString()
            .contains("say it as a reply in the thread");
        for (String branch : store.branches(C)) {
          refs.put(branch, store.resolve(C, branch));
        }
      }
      File repo = git.resolve(C + ".git").toFile();
      String graph = GitCli.git(repo, "log", "--graph", "--format=%s", "main");
      assertThat(graph)
          .contains("*   Merge thread/" + ROOT + " into main")
          .contains("|\\")
          .contains("Merge thread/1700000001.000100 into main");
      assertThat(GitCli.git(repo, "rev-list", "--merges", "--count", "main").strip())
          .isEqualTo("2");
      assertThat(GitCli.git(repo, "fsck", "--full", "--no-dangling")).isEmpty();

      Materializer.rebuild(journal, git);
      GitStore rebuilt = GitStore.open(git);
      for (Map.Entry<String, ObjectId> ref : refs.entrySet()) {
        assertThat(rebuilt.resolve(C, ref.getKey())).as(ref.getKey()).isEqualTo(ref.getValue());
      }
      assertThat(GitCli.git(repo, "cat-file", "-t", mergeCommit.name()).strip())
          .isEqualTo("commit");
    }
  }

  @Test
  void aConflictIsReportedWithItsHunksAndAPostedResolutionMerges() throws Exception {
    Path git = dir.resolve("git");
    try (Journal journal = Journals.sqlite(dir.resolve("journal.db"))) {
      List<EntryOutcome> outcomes = new ArrayList<>();
      Map<String, ObjectId> refs = new TreeMap<>();
      try (Materializer materializer = Materializer.open(journal, git)) {
        materializer.addListener(outcomes::addAll);
        journal.append(
            List.of(
                post(ROOT, "U1", "a.txt", lines("x", "y", "z")),
                post("1700000002.000100", "U1", "a.txt", lines("x", "main says", "z")),
                reply("1700000003.000100", "a.txt", lines("x", "thread says", "z")),
                reply("1700000004.000100", "d.txt", "no conflict here"),
                merge("1700000005.000100")));
        materializer.catchUp();
        GitStore store = materializer.store();
        ObjectId mainBefore = store.resolve(C, "main");
        EntryOutcome conflicted = last(outcomes);
        assertThat(conflicted.branches()).isEmpty();
        assertThat(problems(conflicted, Problem.MERGE_CONFLICT))
            .singleElement()
            .isEqualTo(
                "a.txt: "
                    + lines(
                        "  x",
                        "<<<<<<< main (line 2)",
                        "main says",
                        "=======",
                        "thread says",
                        ">>>>>>> thread/" + ROOT));
        assertThat(files(store, "main")).containsExactly(Map.entry("a.txt", "x\nmain says\nz\n"));

        // Posting the resolved file in the thread and merging again merges, resolution included.
        journal.append(
            List.of(
                reply("1700000006.000100", "a.txt", lines("x", "both say", "z")),
                merge("1700000007.000100")));
        materializer.catchUp();
        assertThat(last(outcomes).problems()).isEmpty();
        assertThat(files(store, "main"))
            .containsExactly(
                Map.entry("a.txt", "x\nboth say\nz\n"), Map.entry("d.txt", "no conflict here\n"));
        try (Repository repo = store.repository(C);
            RevWalk walk = new RevWalk(repo)) {
          RevCommit commit = walk.parseCommit(store.resolve(C, "main"));
          assertThat(commit.getParents())
              .containsExactly(
                  walk.parseCommit(mainBefore),
                  walk.parseCommit(store.resolve(C, "thread/" + ROOT)));
        }
        for (String branch : store.branches(C)) {
          refs.put(branch, store.resolve(C, branch));
        }
      }
      File repo = git.resolve(C + ".git").toFile();
      assertThat(GitCli.git(repo, "fsck", "--full", "--no-dangling")).isEmpty();
      assertThat(GitCli.git(repo, "show", "main:a.txt")).isEqualTo("x\nboth say\nz\n");
      Materializer.rebuild(journal, git);
      GitStore rebuilt = GitStore.open(git);
      for (Map.Entry<String, ObjectId> ref : refs.entrySet()) {
        assertThat(rebuilt.resolve(C, ref.getKey())).as(ref.getKey()).isEqualTo(ref.getValue());
      }
    }
  }

  @Test
  void protectMainRefusesTopLevelCodeButNotMerges() {
    try (Journal journal = Journals.sqlite(dir.resolve("journal.db"));
        Materializer materializer = Materializer.open(journal, dir.resolve("git"))) {
      List<EntryOutcome> outcomes = new ArrayList<>();
      materializer.addListener(outcomes::addAll);
      journal.append(
          List.of(
              post(ROOT, "U1", "threadbare.toml", "[review]\nprotect_main = true"),
              post("1700000002.000100", "U1", "a.txt", "sneaked in")));
      materializer.catchUp();
      GitStore store = materializer.store();
      EntryOutcome refused = last(outcomes);
      assertThat(refused.result()).isEqualTo(Result.REFUSED);
      assertThat(problems(refused, Problem.PROTECTED_MAIN))
          .singleElement()
          .asString()
          .contains("code reaches it only by merge");
      assertThat(files(store, "main")).containsOnlyKeys("threadbare.toml");

      journal.append(
          List.of(reply("1700000003.000100", "a.txt", "reviewed"), merge("1700000004.000100")));
      materializer.catchUp();
      assertThat(files(store, "main")).containsEntry("a.txt", "reviewed\n");
    }
  }

  @Test
  void aGatedMergeWaitsForTheDecisionInTheThreadAndDeletingItUndoesTheMerge() throws Exception {
    Path git = dir.resolve("git");
    try (Journal journal = Journals.sqlite(dir.resolve("journal.db"))) {
      List<EntryOutcome> outcomes = new ArrayList<>();
      Map<String, ObjectId> refs = new TreeMap<>();
      try (Materializer materializer = Materializer.open(journal, git)) {
        materializer.addListener(outcomes::addAll);
        JournalEntry decision =
            JournalEntries.message(T, C, "1700000005.000100")
                .user("UBOT")
                .bot("B1")
                .thread(ROOT)
                .text(MergeDecision.text("thread/" + ROOT, new TreeSet<>(List.of("U3")), "abc"))
                .build();
        journal.append(
            List.of(
                self("UBOT"),
                post(ROOT, "U1", "threadbare.toml", "[review]\napprovals = 1"),
                // A decision with no request before it merges nothing.
                JournalEntries.message(T, C, "1700000002.000100")
                    .user("UBOT")
                    .bot("B1")
                    .thread(ROOT)
                    .text(MergeDecision.text("thread/" + ROOT, new TreeSet<>(), null))
                    .build(),
                // Nothing to merge yet: said so, and no request waits for the gate.
                merge("1700000002.500000"),
                reply("1700000003.000100", "a.txt", "gated"),
                merge("1700000004.000100")));
        materializer.catchUp();
        GitStore store = materializer.store();
        assertThat(outcomes)
            .filteredOn(o -> o.ts().equals("1700000002.500000"))
            .singleElement()
            .satisfies(
                o ->
                    assertThat(problems(o, Problem.MERGE_NOTHING))
                        .singleElement()
                        .asString()
                        .contains("changed no file yet"));
        assertThat(problems(last(outcomes), Problem.MERGE_GATED))
            .singleElement()
            .asString()
            .contains("asks for 1 approval and green CI");
        assertThat(files(store, "main")).doesNotContainKey("a.txt");

        journal.append(List.of(decision));
        materializer.catchUp();
        assertThat(last(outcomes).fromBot()).isTrue();
        assertThat(last(outcomes).branches()).extracting(b -> b.branch()).containsExactly("main");
        assertThat(files(store, "main")).containsEntry("a.txt", "gated\n");
        for (String branch : store.branches(C)) {
          refs.put(branch, store.resolve(C, branch));
        }

        journal.append(
            List.of(JournalEntries.deletion(T, C, "1700000005.000100", "1700000100.000000")));
        materializer.catchUp();
        assertThat(files(store, "main")).doesNotContainKey("a.txt");
      }
      // The rebuild reproduces the merge commit the decision made (and its undoing).
      Materializer.rebuild(journal, git);
      try (Repository repo = GitStore.open(git).repository(C);
          RevWalk walk = new RevWalk(repo)) {
        RevCommit head = walk.parseCommit(GitStore.open(git).resolve(C, "main"));
        assertThat(head.getShortMessage()).isEqualTo("Revert the merge of thread/" + ROOT);
        assertThat(head.getParent(0).getId()).isEqualTo(refs.get("main"));
      }
    }
  }

  @Test
  void anotherBotsDecisionMergesNothingAndARebuildAgrees() throws Exception {
    Path git = dir.resolve("git");
    try (Journal journal = Journals.sqlite(dir.resolve("journal.db"))) {
      ObjectId main;
      try (Materializer materializer = Materializer.open(journal, git)) {
        journal.append(
            List.of(
                self("UBOT"),
                post(ROOT, "U1", "threadbare.toml", "[review]\napprovals = 1"),
                reply("1700000002.000100", "a.txt", "gated"),
                merge("1700000003.000100"),
                // Another app of the workspace forges the decision: a bot, but not threadbare's.
                decision("1700000004.000100", "UEVIL", "B666"),
                // A bot naming threadbare's bot id but posting as another user is not it either.
                decision("1700000004.500000", "UEVIL", "B1")));
        materializer.catchUp();
        GitStore store = materializer.store();
        assertThat(files(store, "main")).doesNotContainKey("a.txt");

        // The request still waits for the real gate.
        journal.append(List.of(decision("1700000005.000100", "UBOT", "B1")));
        materializer.catchUp();
        assertThat(files(store, "main")).containsEntry("a.txt", "gated\n");
        main = store.resolve(C, "main");
      }
      Materializer.rebuild(journal, git);
      assertThat(GitStore.open(git).resolve(C, "main")).isEqualTo(main);
    }
  }

  @Test
  void aDecisionBeforeTheBotIsJournaledAsThreadbaresMergesNothing() throws Exception {
    // Journal order decides: the SELF entry counts for what comes after it, in a rebuild too.
    Path git = dir.resolve("git");
    try (Journal journal = Journals.sqlite(dir.resolve("journal.db"))) {
      try (Materializer materializer = Materializer.open(journal, git)) {
        journal.append(
            List.of(
                post(ROOT, "U1", "threadbare.toml", "[review]\napprovals = 1"),
                reply("1700000002.000100", "a.txt", "gated"),
                merge("1700000003.000100"),
                decision("1700000004.000100", "UBOT", "B1"),
                self("UBOT")));
        materializer.catchUp();
        assertThat(files(materializer.store(), "main")).doesNotContainKey("a.txt");
      }
      Materializer.rebuild(journal, git);
      assertThat(files(GitStore.open(git), "main")).doesNotContainKey("a.txt");
    }
  }

  @Test
  void aGatedMergeComesBackFromASlackExportOfItsThread() throws Exception {
    // A thread as a Slack export's day file holds it: the decision is a bot message like any other.
    ObjectMapper json = new ObjectMapper();
    String day =
        """
        [
          {"type": "message", "user": "U1", "ts": "%1$s", "thread_ts": "%1$s", "reply_count": 3,
           "text": "`threadbare.toml`\\n```\\n[review]\\napprovals = 1\\n```"},
          {"type": "message", "user": "U2", "ts": "1700000002.000100", "thread_ts": "%1$s",
           "text": "`a.txt`\\n```\\nfrom the thread\\n```"},
          {"type": "message", "user": "U2", "ts": "1700000003.000100", "thread_ts": "%1$s",
           "text": "merge"},
          {"type": "message", "subtype": "bot_message", "bot_id": "B1", "user": "UBOT",
           "ts": "1700000004.000100", "thread_ts": "%1$s",
           "text": "Merge accepted: `thread/%1$s` into `main` (approved by &lt;@U3&gt;)."}
        ]
        """
            .formatted(ROOT);
    // The export does not say which bot is threadbare's: the restore journals it first.
    List<JournalEntry> entries = new ArrayList<>(List.of(self("UBOT")));
    for (JsonNode message : json.readTree(day)) {
      entries.add(SlackEvents.fromExportMessage(T, C, message));
    }
    Path git = dir.resolve("git");
    try (Journal journal = Journals.sqlite(dir.resolve("journal.db"))) {
      ObjectId merged;
      try (Materializer materializer = Materializer.open(journal, git)) {
        journal.append(entries);
        materializer.catchUp();
        GitStore store = materializer.store();
        assertThat(files(store, "main")).containsEntry("a.txt", "from the thread\n");
        merged = store.resolve(C, "main");
      }
      File repo = git.resolve(C + ".git").toFile();
      assertThat(GitCli.git(repo, "rev-list", "--parents", "-n", "1", "main").strip().split(" "))
          .hasSize(3);
      Materializer.rebuild(journal, git);
      assertThat(GitStore.open(git).resolve(C, "main")).isEqualTo(merged);
    }
  }
}
