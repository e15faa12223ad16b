package dev.threadbare.prod;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadbare.core.journal.Journal;
import dev.threadbare.core.journal.JournalEntry;
import dev.threadbare.core.review.Approvals;
import dev.threadbare.journal.Journals;
import dev.threadbare.testing.JournalEntries;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Approvals} on real journal entries (the testing module's Slack-shaped builders), stored in
 * and replayed from a real SQLite journal.
 */
class ApprovalsTest {

  static final String T = "T1";
  static final String C = "C1";
  static final String CODE = "`app.py`\n```\nprint(1)\n```";
  static final String ROOT = "1700000000.000100";

  @TempDir Path dir;

  static JournalEntry code(String ts, String user) {
    return JournalEntries.message(T, C, ts).user(user).text(CODE).build();
  }

  static JournalEntry plus(String ts, String user, String name, String eventTs) {
    return JournalEntries.reactionAdded(T, C, ts, user, name, eventTs);
  }

  static JournalEntry minus(String ts, String user, String name, String eventTs) {
    return JournalEntries.reactionRemoved(T, C, ts, user, name, eventTs);
  }

  Approvals fromJournal(List<JournalEntry> entries) {
    try (Journal journal = Journals.sqlite(dir.resolve("journal-" + entries.hashCode() + ".db"))) {
      journal.append(entries);
      return Approvals.of(journal, C);
    }
  }

  @Test
  void thumbsUpFromAnotherPersonApprovesInAnyForm() {
    Approvals approvals =
        fromJournal(
            List.of(
                code(ROOT, "U1"),
                plus(ROOT, "U2", "+1", "1700000010.000000"),
                plus(ROOT, "U3", "thumbsup", "1700000011.000000"),
                plus(ROOT, "U4", "+1::skin-tone-3", "1700000012.000000"),
                plus(ROOT, "U5", "heart", "1700000013.000000"),
                plus(ROOT, "U6", "+1::skin-tone-9", "1700000014.000000"),
                plus(ROOT, "U1", "+1", "1700000015.000000")));
    assertThat(approvals.ofMessage(C, ROOT)).containsExactly("U2", "U3", "U4");
    assertThat(approvals.ofMessage("C2", ROOT)).isEmpty();
    assertThat(approvals.ofMessage(C, "1700000099.000000")).isEmpty();
  }

  @Test
  void removingTheReactionRemovesTheApproval() {
    Approvals approvals =
        fromJournal(
            List.of(
                code(ROOT, "U1"),
                plus(ROOT, "U2", "+1", "1700000010.000000"),
                plus(ROOT, "U3", "+1", "1700000011.000000"),
                minus(ROOT, "U3", "+1", "1700000012.000000"),
                // U4 gives two tones and takes one back: still approves
                plus(ROOT, "U4", "+1", "1700000013.000000"),
                plus(ROOT, "U4", "+1::skin-tone-2", "1700000014.000000"),
                minus(ROOT, "U4", "+1", "1700000015.000000")));
    assertThat(approvals.ofMessage(C, ROOT)).containsExactly("U2", "U4");
  }

  @Test
  void anEditAfterTheThumbsUpNeedsANewOne() {
    Approvals approvals =
        fromJournal(
            List.of(
                code(ROOT, "U1"),
                plus(ROOT, "U2", "+1", "1700000010.000000"),
                JournalEntries.message(T, C, ROOT)
                    .user("U1")
                    .text(CODE + "\nchanged")
                    .edited("1700000020.000000")
                    .build(),
                plus(ROOT, "U3", "+1", "1700000030.000000")));
    assertThat(approvals.ofMessage(C, ROOT)).containsExactly("U3");
  }

  @Test
  void aDeletedMessageHasNoApprovals() {
    Approvals approvals =
        fromJournal(
            List.of(
                code(ROOT, "U1"),
                plus(ROOT, "U2", "+1", "1700000010.000000"),
                JournalEntries.deletion(T, C, ROOT, "1700000020.000000")));
    assertThat(approvals.ofMessage(C, ROOT)).isEmpty();
  }

  @Test
  void botsNeverApprove() {
    Approvals approvals =
        fromJournal(
            List.of(botUser("B1"), code(ROOT, "U1"), plus(ROOT, "B1", "+1", "1700000010.000000")));
    assertThat(approvals.ofMessage(C, ROOT)).isEmpty();
  }

  static JournalEntry botUser(String id) {
    JournalEntry person =
        JournalEntries.user(T, id, "robot", Instant.parse("2023-11-14T00:00:00Z"));
    return new JournalEntry(
        0,
        person.team(),
        person.channel(),
        person.ts(),
        person.kind(),
        person.version(),
        null,
        person.user(),
        person.eventTime(),
        person.payload().replace("\"is_bot\":false", "\"is_bot\":true"));
  }

  @Test
  void aThumbsUpOnTheRootApprovesTheThreadButNotByItsAuthors() {
    String reply = "1700000005.000200";
    String comment = "1700000006.000300";
    Approvals approvals =
        fromJournal(
            List.of(
                code(ROOT, "U1"),
                JournalEntries.message(T, C, reply).user("U2").thread(ROOT).text(CODE).build(),
                // U3 only comments: a reviewer, not an author
                JournalEntries.message(T, C, comment).user("U3").thread(ROOT).text("LGTM").build(),
                plus(ROOT, "U2", "+1", "1700000010.000000"),
                plus(ROOT, "U3", "+1", "1700000011.000000")));
    // On the root's own commit U2 (who wrote a reply, not the root) approves too.
    assertThat(approvals.ofMessage(C, ROOT)).containsExactly("U2", "U3");
    assertThat(approvals.ofThread(C, ROOT)).containsExactly("U3");
    assertThat(approvals.ofCommitOf(C, reply)).containsExactly("U3");
    assertThat(approvals.ofCommitOf(C, ROOT)).containsExactly("U2", "U3");
  }

  @Test
  void codeAddedToTheThreadAfterTheThumbsUpNeedsANewOne() {
    Approvals approvals =
        fromJournal(
            List.of(
                code(ROOT, "U1"),
                plus(ROOT, "U3", "+1", "1700000010.000000"),
                JournalEntries.message(T, C, "1700000020.000100")
                    .user("U1")
                    .thread(ROOT)
                    .text(CODE)
                    .build()));
    assertThat(approvals.ofThread(C, ROOT)).isEmpty();
    assertThat(approvals.ofMessage(C, ROOT)).containsExactly("U3");
  }

  /** The same entries in any arrival order give the same approvals (event_ts orders them). */
  @Property(tries = 60)
  void arrivalOrderDoesNotMatter(@ForAll long seed) {
    List<JournalEntry> entries = new ArrayList<>();
    entries.add(code(ROOT, "U1"));
    entries.add(
        JournalEntries.message(T, C, "1700000001.000100")
            .user("U2")
            .thread(ROOT)
            .text(CODE)
            .build());
    Random random = new Random(seed);
    String[] users = {"U1", "U2", "U3", "U4"};
    String[] names = {"+1", "thumbsup", "+1::skin-tone-4", "heart"};
    for (int i = 0; i < 24; i++) {
      String user = users[random.nextInt(users.length)];
      String name = names[random.nextInt(names.length)];
      String ts = random.nextBoolean() ? ROOT : "1700000001.000100";
      String eventTs = String.format(java.util.Locale.ROOT, "17000001%02d.000000", i);
      entries.add(
          random.nextInt(3) == 0 ? minus(ts, user, name, eventTs) : plus(ts, user, name, eventTs));
    }
    Approvals inOrder = Approvals.of(entries);
    List<JournalEntry> shuffled = new ArrayList<>(entries);
    Collections.shuffle(shuffled, random);
    Approvals anyOrder = Approvals.of(shuffled);
    for (String ts : List.of(ROOT, "1700000001.000100")) {
      assertThat(anyOrder.ofMessage(C, ts)).isEqualTo(inOrder.ofMessage(C, ts));
      assertThat(anyOrder.ofCommitOf(C, ts)).isEqualTo(inOrder.ofCommitOf(C, ts));
      assertThat(inOrder.ofMessage(C, ts)).doesNotContain(ts.equals(ROOT) ? "U1" : "U2");
    }
    assertThat(anyOrder.ofThread(C, ROOT)).isEqualTo(inOrder.ofThread(C, ROOT));
    assertThat(inOrder.ofThread(C, ROOT)).doesNotContain("U1", "U2");
  }
}
