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
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes' bots over one journal and one outbox, each node materializing its own store: the
 * follower answers nothing and moves no cursor; when it takes over it answers, in full (diffs
 * included), what the old leader had left unanswered, and nothing twice.
 */
class BotLeadershipTest {

  @TempDir Path dir;

  private static final Clock BORN_2025 =
      Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC);

  private static JournalEntry version(String ts, String content) {
    return new JournalEntry(
        0,
        "T1",
        "C1",
        ts,
        EntryKind.MESSAGE,
        ts,
        null,
        "U1",
        Instant.parse("2026-01-01T00:00:00Z"),
        "{\"type\":\"message\",\"user\":\"U1\",\"ts\":\""
            + ts
            + "\",\"text\":\"`a.txt`\\n```\\n"
            + content
            + "\\n```\"}");
  }

  private static String checkMark(String ts) {
    return "react:T1:C1:" + ts + ":" + BotReplies.TAKEN;
  }

  private static String diff(String ts) {
    return "diff:T1:C1:" + ts + ":" + ts;
  }

  @Test
  void theFollowerAnswersNothingAndOnTakeoverAnswersWhatTheLeaderLeftInFull() {
    try (Journal shared = Journals.sqlite(dir.resolve("journal.db"));
        Outbox outbox =
            Outbox.sqlite(
                dir,
                Slack.getInstance().methods("xoxb-unused"),
                OutboxLimits.slackDefaults(),
                Clock.systemUTC())) {
      Journal nodeA = Journals.withNodeCursors(shared, "a", Set.of(Materializer.CURSOR));
      Journal nodeB = Journals.withNodeCursors(shared, "b", Set.of(Materializer.CURSOR));
      try (Materializer storeA = Materializer.open(nodeA, dir.resolve("a-git"));
          Materializer storeB = Materializer.open(nodeB, dir.resolve("b-git"))) {
        Bot leader = Bot.create(outbox, storeA, ChatGrammar.create(), "UBOT").withClock(BORN_2025);
        leader.resume(nodeA);
        Bot follower =
            Bot.create(outbox, storeB, ChatGrammar.create(), "UBOT").withClock(BORN_2025);
        follower.follow();
        follower.resume(nodeB);
        assertThat(follower.leading()).isFalse();

        List<JournalEntry> first =
            shared.append(
                List.of(version("1700000001.000100", "one"), version("1700000002.000100", "two")));
        leader.onJournaled(first);
        long enqueued = outbox.depth();
        assertThat(outbox.contains(diff("1700000002.000100"))).isTrue();
        assertThat(shared.cursor(Bot.CURSOR)).isEqualTo(first.get(1).seq());

        follower.onJournaled(first);
        List<JournalEntry> second = shared.append(List.of(version("1700000003.000100", "three")));
        follower.onJournaled(second); // the leader is killed before it sees this one
        assertThat(outbox.depth()).as("calls enqueued by the follower").isEqualTo(enqueued);
        assertThat(shared.cursor(Bot.CURSOR)).isEqualTo(first.get(1).seq());
        assertThat(storeB.store().resolve("C1", "main"))
            .as("each node materializes its own store, to the same commits")
            .isNotNull();

        follower.lead();
        assertThat(follower.leading()).isTrue();
        assertThat(outbox.contains(checkMark("1700000003.000100"))).isTrue();
        assertThat(outbox.contains(diff("1700000003.000100")))
            .as("the kept outcome carries the diff")
            .isTrue();
        assertThat(shared.cursor(Bot.CURSOR)).isEqualTo(second.get(0).seq());
        long afterTakeover = outbox.depth();
        follower.lead(); // answering again enqueues nothing new
        assertThat(outbox.depth()).isEqualTo(afterTakeover);

        leader.onJournaled(second);
        assertThat(storeA.store().resolve("C1", "main"))
            .isEqualTo(storeB.store().resolve("C1", "main"));
      }
    }
  }
}
