package dev.threadbare.chat.bot;

import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.Slack;
import dev.threadbare.chat.outbox.Outbox;
import dev.threadbare.chat.outbox.OutboxLimits;
import dev.threadbare.core.grammar.ChatGrammar;
import dev.threadbare.core.grammar.Problem;
import dev.threadbare.core.journal.EntryKind;
import dev.threadbare.core.journal.Journal;
import dev.threadbare.core.journal.JournalEntry;
import dev.threadbare.journal.Journals;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bot's durable cursor: entries a crash kept from it are answered on resume, once. */
class BotResumeTest {

  @TempDir Path dir;

  /** Every message changes the tree but commits nothing, as a superseded (late) message does. */
  private static final class Superseded implements Materialization {
    final List<Long> asked = new ArrayList<>();

    @Override
    public synchronized List<EntryOutcome> outcomes(List<JournalEntry> entries) {
      List<EntryOutcome> result = new ArrayList<>();
      for (JournalEntry entry : entries) {
        asked.add(entry.seq());
        result.add(EntryOutcome.of(entry, false, true, null, null, List.of(), List.of()));
      }
      return result;
    }

    @Override
    public RepositoryStatus status(String team, String channel) {
      return new RepositoryStatus(channel, "main", null, 0, 0);
    }
  }

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

  @Test
  void aSupersededMessageIsTakenAndEntriesKeptFromTheBotAreAnsweredOnResume() {
    try (Journal journal = Journals.sqlite(dir.resolve("journal.db"));
        Outbox outbox = outbox()) {
      Superseded first = new Superseded();
      Bot bot = Bot.create(outbox, first, ChatGrammar.create(), "UBOT").withClock(BORN_2025);
      bot.resume(journal);
      List<JournalEntry> stored =
          journal.append(
              List.of(
                  message("1700000001.000100"),
                  message("1700000002.000100"),
                  message("1700000003.000100"),
                  message("1700000004.000100"),
                  message("1700000005.000100")));
      // Out of order: the cursor waits for the gap before it.
      bot.onJournaled(List.of(stored.get(1)));
      assertThat(journal.cursor(Bot.CURSOR)).isZero();
      bot.onJournaled(List.of(stored.get(0)));
      assertThat(journal.cursor(Bot.CURSOR)).isEqualTo(stored.get(1).seq());
      assertThat(outbox.contains(checkMark("1700000001.000100"))).isTrue();
      // A crash here: entries 3 to 5 were journaled (acknowledged) but never reached the bot.
      assertThat(outbox.contains(checkMark("1700000003.000100"))).isFalse();

      Superseded second = new Superseded();
      Bot.create(outbox, second, ChatGrammar.create(), "UBOT").withClock(BORN_2025).resume(journal);
      assertThat(second.asked)
          .containsExactly(stored.get(2).seq(), stored.get(3).seq(), stored.get(4).seq());
      for (int i = 3; i <= 5; i++) {
        assertThat(outbox.contains(checkMark("170000000" + i + ".000100"))).isTrue();
      }
      assertThat(journal.cursor(Bot.CURSOR)).isEqualTo(stored.get(4).seq());
    }
  }

  @Test
  void historyFromBeforeTheBotsFirstStartIsMaterializedButNotAnswered() {
    try (Journal journal = Journals.sqlite(dir.resolve("journal.db"));
        Outbox outbox = outbox()) {
      // A channel's past, journaled before the bot ever ran (an imported export, say).
      List<JournalEntry> past =
          journal.append(
              List.of(
                  message("1700000001.000100", Instant.parse("2025-06-01T00:00:00Z")),
                  message("1700000002.000100", Instant.parse("2025-06-02T00:00:00Z"))));
      Clock birth = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
      Superseded first = new Superseded();
      Bot bot = Bot.create(outbox, first, ChatGrammar.create(), "UBOT").withClock(birth);
      bot.resume(journal);
      assertThat(first.asked).containsExactly(past.get(0).seq(), past.get(1).seq());
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

      // A restart a year later keeps the birth: the past stays unanswered, the rest is answered.
      journal.append(
          List.of(
              message("1700000004.000100", Instant.parse("2025-07-01T00:00:00Z")),
              message("1767225602.000100", Instant.parse("2026-06-01T00:00:00Z"))));
      Bot.create(outbox, new Superseded(), ChatGrammar.create(), "UBOT")
          .withClock(Clock.fixed(Instant.parse("2027-01-01T00:00:00Z"), ZoneOffset.UTC))
          .resume(journal);
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
        Outbox outbox = outbox()) {
      List<JournalEntry> answered =
          journal.append(
              List.of(message("1700000001.000100", Instant.parse("2025-06-01T00:00:00Z"))));
      journal.saveCursor(Bot.CURSOR, answered.get(0).seq()); // a cursor, but no birth recorded
      journal.append(List.of(message("1700000002.000100", Instant.parse("2025-06-02T00:00:00Z"))));
      Bot.create(outbox, new Superseded(), ChatGrammar.create(), "UBOT").resume(journal);
      assertThat(outbox.contains(checkMark("1700000002.000100"))).isTrue();
      assertThat(outbox.rememberOnce(Bot.BORN, "0")).isEqualTo("1");
    }
  }

  @Test
  void refusedAndPathlessKeepTheirAnswers() {
    JournalEntry entry = message("1700000001.000100").withSeq(1);
    Problem noPath = new Problem("```x```", Problem.NO_PATH, "a code block without a path");
    assertThat(EntryOutcome.of(entry, true, true, null, null, List.of(), List.of()).result())
        .isEqualTo(EntryOutcome.Result.REFUSED);
    assertThat(
            EntryOutcome.of(entry, false, false, null, null, List.of(), List.of(noPath)).result())
        .isEqualTo(EntryOutcome.Result.NO_PATH);
    assertThat(EntryOutcome.of(entry, false, false, null, null, List.of(), List.of()).result())
        .isEqualTo(EntryOutcome.Result.NOTHING);
    assertThat(EntryOutcome.of(entry, false, true, "main", null, List.of(), List.of()).result())
        .isEqualTo(EntryOutcome.Result.TAKEN);
  }
}
