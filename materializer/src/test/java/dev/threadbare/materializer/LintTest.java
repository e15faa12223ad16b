package dev.threadbare.materializer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadbare.core.grammar.Problem;
import dev.threadbare.core.journal.Journal;
import dev.threadbare.core.journal.JournalEntry;
import dev.threadbare.core.materialization.EntryOutcome;
import dev.threadbare.journal.Journals;
import dev.threadbare.testing.JournalEntries;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.eclipse.jgit.lib.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code [lint] max_lines} as part of the head rule, with the real grammar and the SQLite journal:
 * the limit a message meets is the one in its branch's tree when the journal applies it.
 */
class LintTest {

  private static final String T = "T1";
  private static final String C = "C1";

  @TempDir Path dir;

  private static String lines(int count) {
    StringBuilder text = new StringBuilder();
    for (int i = 1; i <= count; i++) {
      text.append("line ").append(i).append('\n');
    }
    return text.toString().stripTrailing();
  }

  private static JournalEntry post(String ts, String path, String content) {
    return JournalEntries.message(T, C, ts)
        .user("U1")
        .text("`" + path + "`\n```\n" + content + "\n```")
        .build();
  }

  private static JournalEntry reply(String ts, String root, String path, String content) {
    return JournalEntries.message(T, C, ts)
        .user("U2")
        .thread(root)
        .text("`" + path + "`\n```\n" + content + "\n```")
        .build();
  }

  private static JournalEntry edit(String ts, String editTs, String path, String content) {
    return JournalEntries.message(T, C, ts)
        .user("U1")
        .text("`" + path + "`\n```\n" + content + "\n```")
        .edited(editTs)
        .build();
  }

  private static JournalEntry settings(String ts, String toml) {
    return post(ts, "threadbare.toml", toml);
  }

  private static EntryOutcome last(List<EntryOutcome> outcomes) {
    return outcomes.get(outcomes.size() - 1);
  }

  private static Map<String, String> refs(Path store) {
    GitStore git = GitStore.open(store);
    Map<String, String> refs = new TreeMap<>();
    for (String branch : git.branches(C)) {
      ObjectId id = git.resolve(C, branch);
      refs.put(branch, id.name());
    }
    return refs;
  }

  private static void assertTooLong(EntryOutcome outcome, String path, int lines, int limit) {
    assertThat(outcome.result()).isEqualTo(EntryOutcome.Result.REFUSED);
    assertThat(outcome.branches()).isEmpty();
    assertThat(outcome.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.rule()).isEqualTo(Problem.TOO_LONG);
              assertThat(p.input()).isEqualTo(path);
              assertThat(p.message())
                  .contains(
                      "`" + path + "`",
                      lines + " lines",
                      "limit of " + limit,
                      "lint.max_lines",
                      "file attachment");
            });
  }

  @Test
  void theDefaultLimitIs400LinesAndAnAttachmentIsExempt() {
    try (Journal journal = Journals.sqlite(dir.resolve("journal.db"));
        Materializer materializer = Materializer.open(journal, dir.resolve("git"))) {
      List<EntryOutcome> outcomes = new ArrayList<>();
      materializer.addListener(outcomes::addAll);
      journal.append(List.of(post("1700000001.000100", "ok.txt", lines(400))));
      materializer.catchUp();
      assertThat(last(outcomes).result()).isEqualTo(EntryOutcome.Result.TAKEN);

      journal.append(List.of(post("1700000002.000100", "big.txt", lines(401))));
      materializer.catchUp();
      assertTooLong(last(outcomes), "big.txt", 401, 400);
      assertThat(materializer.store().tree(C, "main"))
          .extracting(TreeEntry::path)
          .containsExactly("ok.txt");

      byte[] big = (lines(5000) + "\n").getBytes(StandardCharsets.UTF_8);
      journal.append(
          List.of(
              JournalEntries.message(T, C, "1700000003.000100")
                  .user("U1")
                  .text("the long one, as a file")
                  .file("F1", "big.txt", "big.txt", "text/plain")
                  .build(),
              JournalEntries.fileContent(
                  T, C, "1700000003.000100", "F1", "big.txt", "big.txt", "text/plain", big)));
      materializer.catchUp();
      assertThat(last(outcomes).result()).isEqualTo(EntryOutcome.Result.TAKEN);
      assertThat(materializer.store().read(C, "main", "big.txt")).isEqualTo(big);
    }
  }

  @Test
  void theLimitInForceIsTheBranchsOwnWhenTheMessageIsApplied() {
    Path store = dir.resolve("git");
    try (Journal journal = Journals.sqlite(dir.resolve("journal.db"))) {
      Map<String, String> incremental;
      try (Materializer materializer = Materializer.open(journal, store)) {
        List<EntryOutcome> outcomes = new ArrayList<>();
        materializer.addListener(outcomes::addAll);

        journal.append(List.of(settings("1700000001.000100", "[lint]\nmax_lines = 10")));
        materializer.catchUp();
        assertThat(last(outcomes).result()).isEqualTo(EntryOutcome.Result.TAKEN);

        journal.append(List.of(post("1700000002.000100", "a.txt", lines(11))));
        materializer.catchUp();
        assertTooLong(last(outcomes), "a.txt", 11, 10);

        journal.append(List.of(post("1700000003.000100", "b.txt", lines(10))));
        materializer.catchUp();
        assertThat(last(outcomes).result()).isEqualTo(EntryOutcome.Result.TAKEN);

        // A thread raises its own limit; main keeps its own.
        journal.append(
            List.of(
                reply(
                    "1700000004.000100",
                    "1700000003.000100",
                    "threadbare.toml",
                    "[lint]\nmax_lines = 50")));
        materializer.catchUp();
        journal.append(
            List.of(reply("1700000005.000100", "1700000003.000100", "t.txt", lines(30))));
        materializer.catchUp();
        assertThat(last(outcomes).result()).isEqualTo(EntryOutcome.Result.TAKEN);
        assertThat(last(outcomes).branch()).isEqualTo("thread/1700000003.000100");
        journal.append(List.of(post("1700000006.000100", "m.txt", lines(30))));
        materializer.catchUp();
        assertTooLong(last(outcomes), "m.txt", 30, 10);

        // A later raise on main does not rewrite what was refused before it…
        journal.append(
            List.of(
                edit(
                    "1700000001.000100",
                    "1700000100.000000",
                    "threadbare.toml",
                    "[lint]\nmax_lines = 40")));
        materializer.catchUp();
        assertThat(materializer.store().tree(C, "main"))
            .extracting(TreeEntry::path)
            .containsExactly("b.txt", "threadbare.toml");
        // …but a message applied after it (a new one, or an edit) meets the new limit.
        journal.append(
            List.of(
                edit("1700000002.000100", "1700000101.000000", "a.txt", lines(11)),
                post("1700000007.000100", "c.txt", lines(40))));
        materializer.catchUp();
        assertThat(outcomes.get(outcomes.size() - 2).result()).isEqualTo(EntryOutcome.Result.TAKEN);
        assertThat(last(outcomes).result()).isEqualTo(EntryOutcome.Result.TAKEN);
        // A lower limit later leaves what was taken in the tree.
        journal.append(List.of(settings("1700000008.000100", "[lint]\nmax_lines = 5")));
        materializer.catchUp();
        assertThat(materializer.store().tree(C, "main"))
            .extracting(TreeEntry::path)
            .containsExactly("a.txt", "b.txt", "c.txt", "threadbare.toml");
        journal.append(List.of(post("1700000009.000100", "d.txt", lines(6))));
        materializer.catchUp();
        assertTooLong(last(outcomes), "d.txt", 6, 5);

        // recall (an answer a restart owes) reads the same limit from the store.
        Optional<EntryOutcome> recalled;
        try (Materializer reopened = reopen(materializer, journal, store)) {
          reopened.catchUp();
          recalled = reopened.recall(journal.read(journal.lastSeq() - 1, 1).get(0));
        }
        assertThat(recalled).hasValueSatisfying(o -> assertTooLong(o, "d.txt", 6, 5));
        incremental = refs(store);
      }
      assertThat(incremental).containsKeys("main", "thread/1700000003.000100");
      Materializer.rebuild(journal, store);
      assertThat(refs(store)).isEqualTo(incremental);
    }
  }

  private static Materializer reopen(Materializer open, Journal journal, Path store) {
    open.close();
    return Materializer.open(journal, store);
  }

  @Test
  void anUnusableLintSectionRefusesTheMessageThatDefinesIt() {
    try (Journal journal = Journals.sqlite(dir.resolve("journal.db"));
        Materializer materializer = Materializer.open(journal, dir.resolve("git"))) {
      List<EntryOutcome> outcomes = new ArrayList<>();
      materializer.addListener(outcomes::addAll);
      journal.append(
          List.of(
              settings("1700000001.000100", "[lint]\nmax_lines = 0"),
              settings("1700000002.000100", "[lint]\nmax_lines = \"many\""),
              settings("1700000003.000100", "lint = 3")));
      materializer.catchUp();
      assertThat(outcomes).hasSize(3);
      assertThat(outcomes)
          .allSatisfy(
              o -> {
                assertThat(o.result()).isEqualTo(EntryOutcome.Result.REFUSED);
                assertThat(o.problems())
                    .singleElement()
                    .satisfies(p -> assertThat(p.rule()).isEqualTo(LintSettings.RULE));
              });
      assertThat(outcomes.get(0).problems().get(0).message())
          .contains("[lint] max_lines = 0 is out of range", "threadbare.toml");
      assertThat(outcomes.get(1).problems().get(0).message())
          .contains("[lint] max_lines must be a whole number");
      assertThat(outcomes.get(2).problems().get(0).message()).contains("must be a table");
      assertThat(materializer.store().branches(C)).isEmpty();
    }
  }
}
