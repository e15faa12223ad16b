package dev.threadbare.chat.catchup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import dev.threadbare.chat.Chat;
import dev.threadbare.chat.WorkspaceHarness;
import dev.threadbare.chat.events.EventIntake;
import dev.threadbare.chat.outbox.Outbox;
import dev.threadbare.chat.outbox.OutboxLimits;
import dev.threadbare.core.chat.SlackEvents;
import dev.threadbare.core.journal.EntryKind;
import dev.threadbare.core.journal.Journal;
import dev.threadbare.core.journal.JournalEntry;
import dev.threadbare.journal.Journals;
import dev.threadbare.testing.Eventually;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatchUpTest {

  @TempDir Path dir;
  private WorkspaceHarness chat;
  private Journal journal;
  private EventIntake intake;
  private Outbox ops;
  private String opsChannel;

  @BeforeEach
  void open() {
    chat = new WorkspaceHarness(dir.resolve("workspace"));
    journal = Journals.sqlite(dir.resolve("journal.db"));
    intake = Chat.intake(journal);
    ops =
        Outbox.sqlite(
                dir.resolve("outbox"),
                chat.bot,
                OutboxLimits.slackDefaults().withChannelSpacing(Duration.ZERO),
                Clock.systemUTC())
            .start();
    opsChannel = chat.createChannel("ops");
  }

  @AfterEach
  void close() {
    intake.close();
    ops.close();
    journal.close();
    chat.close();
  }

  private CatchUp catchUp(double perMinute) {
    CatchUp catchUp =
        Chat.catchUp(journal, intake, chat.bot, chat.workspace.botToken())
            .requestsPerMinute(perMinute)
            .opsChannel(ops, opsChannel)
            .build();
    intake.onJournaled(catchUp);
    return catchUp;
  }

  private long peoplesMessages() {
    return entries(EntryKind.MESSAGE).stream()
        .filter(e -> !chat.workspace.botUserId().equals(e.user()))
        .count();
  }

  private List<JournalEntry> entries(EntryKind kind) {
    List<JournalEntry> found = new ArrayList<>();
    journal.replay(
        0,
        e -> {
          if (e.kind() == kind) {
            found.add(e);
          }
        });
    return found;
  }

  @Test
  void journalsWhatWasMissedOnceWithTheIdentityOfAnExportImport() throws Exception {
    String work = chat.createChannel("work");
    String a = chat.post(chat.general, "`a.txt`\n```\na\n```", null);
    String b = chat.post(work, "hello", null);
    String reply = chat.post(work, "in the thread", b);

    CatchUp catchUp = catchUp(6000);
    CatchUpReport first = catchUp.runOnce();

    assertThat(first.messagesRead()).containsEntry(chat.general, 1).containsEntry(work, 2);
    // The bot's own reports in #ops are chat history too; the people's messages are these:
    List<JournalEntry> messages =
        entries(EntryKind.MESSAGE).stream()
            .filter(e -> !chat.workspace.botUserId().equals(e.user()))
            .toList();
    assertThat(messages).extracting(JournalEntry::ts).containsExactlyInAnyOrder(a, b, reply);
    assertThat(messages)
        .filteredOn(e -> e.ts().equals(reply))
        .singleElement()
        .extracting(JournalEntry::threadTs)
        .isEqualTo(b);
    assertThat(entries(EntryKind.CHANNEL))
        .extracting(e -> e.payload().contains("\"name\":\"work\""))
        .contains(true);
    // The same identity as an export import of the same message: appending it again is a no-op.
    JsonNode history =
        chat.call(
            chat.userToken, "conversations.history", java.util.Map.of("channel", chat.general));
    JournalEntry imported =
        SlackEvents.fromExportMessage(
            chat.workspace.teamId(), chat.general, history.path("messages").get(0));
    assertThat(journal.append(List.of(imported))).isEmpty();

    long peopleBefore = peoplesMessages();
    catchUp.runOnce();
    assertThat(peoplesMessages()).isEqualTo(peopleBefore);
    String later = chat.post(chat.general, "while down", null);
    CatchUpReport third = catchUp.runOnce();
    assertThat(third.journaled()).containsEntry(chat.general, 1);
    assertThat(entries(EntryKind.MESSAGE)).extracting(JournalEntry::ts).contains(later);

    assertThat(ops.awaitDrained(Duration.ofSeconds(10))).isTrue();
    List<String> reports = new ArrayList<>();
    chat.history(opsChannel).forEach(m -> reports.add(m.path("text").asText()));
    assertThat(reports).anyMatch(t -> t.contains("<#" + work + "> is up to date (2 messages"));
    assertThat(reports)
        .anyMatch(t -> t.contains("<#" + chat.general + "> is up to date (1 message"));
  }

  @Test
  void startsFromTheNewestMessageJournaledByAnyPath() {
    CatchUp catchUp =
        Chat.catchUp(journal, intake, chat.bot, chat.workspace.botToken())
            .requestsPerMinute(6000)
            .build(); // not registered as a listener: it reads the journal itself
    chat.post(chat.general, "one", null);
    assertThat(catchUp.runOnce().messagesRead()).containsEntry(chat.general, 1);
    chat.post(chat.general, "two", null);
    JsonNode newest =
        chat.call(
                chat.userToken, "conversations.history", java.util.Map.of("channel", chat.general))
            .path("messages")
            .get(0);
    // "two" arrives as a live event would, straight into the journal.
    journal.append(
        List.of(SlackEvents.fromExportMessage(chat.workspace.teamId(), chat.general, newest)));
    // It reads the overlap before the newest again (a lost older event would be there), and
    // journals nothing new.
    assertThat(catchUp.runOnce().journaled()).containsEntry(chat.general, 0);
  }

  @Test
  void findsAnOlderMessageAndAReplyLostWhileANewerMessageWasJournaled() {
    CatchUp catchUp =
        Chat.catchUp(journal, intake, chat.bot, chat.workspace.botToken())
            .requestsPerMinute(6000)
            .build();
    String lost = chat.post(chat.general, "lost", null);
    String reply = chat.post(chat.general, "lost reply", lost);
    chat.post(chat.general, "newest", null);
    JsonNode newest =
        chat.call(
                chat.userToken, "conversations.history", java.util.Map.of("channel", chat.general))
            .path("messages")
            .get(0);
    // Only the newest arrived live (the others' deliveries died with a crash).
    journal.append(
        List.of(SlackEvents.fromExportMessage(chat.workspace.teamId(), chat.general, newest)));

    catchUp.runOnce();

    assertThat(entries(EntryKind.MESSAGE)).extracting(JournalEntry::ts).contains(lost, reply);
  }

  @Test
  void closeDoesNotWaitForARunSleepingOnItsBudget() throws Exception {
    chat.createChannel("work");
    // Real Slack's budget: one history request a minute, so the run sleeps after its first.
    CatchUp catchUp = catchUp(CatchUp.DEFAULT_REQUESTS_PER_MINUTE).start(Duration.ofMinutes(5));
    assertThat(
            Eventually.eventually(
                Duration.ofSeconds(30), () -> !entries(EntryKind.CHANNEL).isEmpty()))
        .isTrue();
    Thread.sleep(500); // into the budget's wait for the second channel
    // Before, close() waited on the monitor the sleeping run held: a minute per channel left.
    assertTimeoutPreemptively(Duration.ofSeconds(20), catchUp::close);
  }

  @Test
  void staysWithinItsRequestBudget() {
    chat.post(chat.general, "one", null);
    CatchUp catchUp = catchUp(120); // one request every 500 ms
    long start = System.nanoTime();
    CatchUpReport report = catchUp.runOnce();
    long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
    // general and ops: one history request each; the first goes at once.
    assertThat(report.requests()).isEqualTo(2);
    assertThat(elapsedMillis).isGreaterThanOrEqualTo(450);
  }
}
