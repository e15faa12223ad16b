package dev.threadbare.chat.bot;

import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.Slack;
import dev.threadbare.chat.outbox.Outbox;
import dev.threadbare.chat.outbox.OutboxLimits;
import dev.threadbare.core.grammar.ChatGrammar;
import dev.threadbare.core.journal.EntryKind;
import dev.threadbare.core.journal.Journal;
import dev.threadbare.core.journal.JournalEntry;
import dev.threadbare.journal.Journals;
import dev.threadbare.materializer.Materializer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bot's durable cursor: entries a crash kept from it are answered on resume, once. On the real
 * materializer and journal (SQLite).
 */
class BotResumeTest {

  @TempDir Path dir;

  /** Born before the messages below (dated 2026-01-01), so they are all answered. */
  private static final Clock BORN_2025 =
      Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC);

  private static JournalEntry message(String ts) {
    return message(ts, Instant.parse("2026-01-01T00:00:00Z"));
  }

  private static JournalEntry message(String ts, Instant eventTime) {
    return new JournalEntry(
        0,
        "T1",
        "C1",
        ts,
        EntryKind.MESSAGE,
        ts,
        null,
        "U1",
        eventTime,
        "{\"type\":\"message\",\"user\":\"U1\",\"ts\":\""
            + ts
            + "\",\"text\":\"`a.txt`\\n```\\n"
            + ts
            + "\\n```\"}");
  }

  /** An outbox that is never started: what the bot enqueues stays there to be looked at. */
  private Outbox outbox() {
    return Outbox.sqlite(
        dir,
        Slack.getInstance().methods("xoxb-unused"),
        OutboxLimits.slackDefaults(),
        Clock.systemUTC());
  }

  private static String checkMark(String ts) {
    return "react:T1:C1:" + ts + ":" + BotReplies.TAKEN;
  }

  private Materializer materializer(Journal journal) {
    return Materializer.open(journal, dir.resolve("git"));
  }

  @Test
  void entriesJournaledButNeverMaterializedAreAnsweredOnResume() {
    try (Journal journal = Journals.sqlite(dir.resolve("journal.db"));
        Outbox outbox = outbox()) {
      List<JournalEntry> stored;
      try (Materializer materializer = materializer(journal)) {
        Bot bot =
            Bot.create(outbox, materializer, ChatGrammar.create(), "UBOT").withClock(BORN_2025);
        bot.resume(journal);
        stored =
            journal.append(List.of(message("1700000001.000100"), message("1700000002.000100")));
        // Out of order: the cursor waits for the gap before it.
        bot.onJournaled(List.of(stored.get(1)));
        assertThat(journal.cursor(Bot.CURSOR)).isZero();
        bot.onJournaled(List.of(stored.get(0)));
        assertThat(journal.cursor(Bot.CURSOR)).isEqualTo(stored.get(1).seq());
        assertThat(outbox.contains(checkMark("1700000001.000100"))).isTrue();
        assertThat(outbox.contains(checkMark("1700000002.000100"))).isTrue();
        // A crash here: entries 3 to 5 are journaled (acknowledged) but reach neither the
        // materializer nor the bot.
        stored =
            journal.append(
                List.of(
                    message("1700000003.000100"),
                    message("1700000004.000100"),
                    message("1700000005.000100")));
      }
      assertThat(outbox.contains(checkMark("1700000003.000100"))).isFalse();

      try (Materializer materializer = materializer(journal)) {
        Bot.create(outbox, materializer, ChatGrammar.create(), "UBOT")
            .withClock(BORN_2025)
            .resume(journal);
      }
      for (int i = 3; i <= 5; i++) {
        assertThat(outbox.contains(checkMark("170000000" + i + ".000100"))).isTrue();
        // materialized now, so with the new version's diff in the thread
        assertThat(
                outbox.contains("diff:T1:C1:170000000" + i + ".000100:170000000" + i + ".000100"))
            .isTrue();
      }
      assertThat(journal.cursor(Bot.CURSOR)).isEqualTo(stored.get(2).seq());
    }
  }

  @Test
  void entriesMaterializedButNeverAnsweredAreRecalledOnResume() {
    try (Journal journal = Journals.sqlite(dir.resolve("journal.db"));
        Outbox outbox = outbox()) {
      try (Materializer materializer = materializer(journal)) {
        journal.append(List.of(message("1700000001.000100"), message("1700000002.000100")));
        // A crash after the materializer's batch was durable, before the bot's answers.
        assertThat(materializer.catchUp()).hasSize(2);
      }
      assertThat(outbox.contains(checkMark("1700000001.000100"))).isFalse();
      try (Materializer materializer = materializer(journal)) {
        Bot.create(outbox, materializer, ChatGrammar.create(), "UBOT")
            .withClock(BORN_2025)
            .resume(journal);
      }
      assertThat(outbox.contains(checkMark("1700000001.000100"))).isTrue();
      assertThat(outbox.contains(checkMark("1700000002.000100"))).isTrue();
      assertThat(journal.cursor(Bot.CURSOR)).isEqualTo(journal.lastSeq());
    }
  }

  @Test
  void historyFromBeforeTheBotsFirstStartIsMaterializedButNotAnswered() {
    try (Journal journal = Journals.sqlite(dir.resolve("journal.db"));
        Outbox outbox = outbox()) {
      Clock birth = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
      try (Materializer materializer = materializer(journal)) {
        // A channel's past, journaled before the bot ever ran (an imported export, say).
        List<JournalEntry> past =
            journal.append(
                List.of(
                    message("1700000001.000100", Instant.parse("2025-06-01T00:00:00Z")),
                    message("1700000002.000100", Instant.parse("2025-06-02T00:00:00Z"))));
        Bot bot = Bot.create(outbox, materializer, ChatGrammar.create(), "UBOT").withClock(birth);
        bot.resume(journal);
        assertThat(materializer.store().log("C1", "main")).hasSize(2);
        assertThat(outbox.contains(checkMark("1700000001.000100"))).isFalse();
        assertThat(outbox.contains(checkMark("1700000002.000100"))).isFalse();
        assertThat(journal.cursor(Bot.CURSOR)).isEqualTo(past.get(1).seq());

        // More past arrives by catch-up after the start; a message posted after it is answered.
        List<JournalEntry> later =
            journal.append(
                List.of(
                    message("1700000003.000100", Instant.parse("2025-12-31T23:54:59Z")),
                    message("1767225301.000100", Instant.parse("2025-12-31T23:55:01Z")),
                    message("1767225601.000100", Instant.parse("2026-01-01T00:00:01Z"))));
        bot.onJournaled(later);
        // five minutes before the start still count as live (clock skew, the last message posted)
        assertThat(outbox.contains(checkMark("1700000003.000100"))).isFalse();
        assertThat(outbox.contains(checkMark("1767225301.000100"))).isTrue();
        assertThat(outbox.contains(checkMark("1767225601.000100"))).isTrue();
      }

      // A restart a year later keeps the birth: the past stays unanswered, the rest is answered.
      journal.append(
          List.of(
              message("1700000004.000100", Instant.parse("2025-07-01T00:00:00Z")),
              message("1767225602.000100", Instant.parse("2026-06-01T00:00:00Z"))));
      try (Materializer materializer = materializer(journal)) {
        Bot.create(outbox, materializer, ChatGrammar.create(), "UBOT")
            .withClock(Clock.fixed(Instant.parse("2027-01-01T00:00:00Z"), ZoneOffset.UTC))
            .resume(journal);
      }
      assertThat(outbox.rememberOnce(Bot.BORN, "0"))
          .isEqualTo(Long.toString(birth.millis() - Duration.ofMinutes(5).toMillis()));
      assertThat(outbox.contains(checkMark("1700000004.000100"))).isFalse();
      assertThat(outbox.contains(checkMark("1767225602.000100"))).isTrue();
      assertThat(journal.cursor(Bot.CURSOR)).isEqualTo(journal.lastSeq());
    }
  }

  @Test
  void aBotThatRanBeforeTheBirthRuleKeepsAnsweringEverything() {
    try (Journal journal = Journals.sqlite(dir.resolve("journal.db"));
        Outbox outbox = outbox();
        Materializer materializer = materializer(journal)) {
      List<JournalEntry> answered =
          journal.append(
              List.of(message("1700000001.000100", Instant.parse("2025-06-01T00:00:00Z"))));
      journal.saveCursor(Bot.CURSOR, answered.get(0).seq()); // a cursor, but no birth recorded
      journal.append(List.of(message("1700000002.000100", Instant.parse("2025-06-02T00:00:00Z"))));
      Bot.create(outbox, materializer, ChatGrammar.create(), "UBOT").resume(journal);
      assertThat(outbox.contains(checkMark("1700000002.000100"))).isTrue();
      assertThat(outbox.rememberOnce(Bot.BORN, "0")).isEqualTo("1");
    }
  }
}
