package dev.threadbare.core.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.threadbare.core.Fixtures;
import dev.threadbare.core.ThreadbareException;
import dev.threadbare.core.journal.EntryKind;
import dev.threadbare.core.journal.JournalEntry;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Event shapes from Slack's Events API documentation, and broken ones. */
class SlackEventsTest {

  /** An envelope around {@code event}, as Slack posts it. */
  static ObjectNode envelope(String eventJson) {
    ObjectNode envelope = Fixtures.JSON.createObjectNode();
    envelope.put("token", "x");
    envelope.put("team_id", "T1");
    envelope.put("api_app_id", "A1");
    envelope.set("event", Fixtures.parse(eventJson));
    envelope.put("type", "event_callback");
    envelope.put("event_id", "Ev1");
    envelope.put("event_time", 1700000100);
    return envelope;
  }

  static JournalEntry only(JsonNode envelope) {
    List<JournalEntry> entries = SlackEvents.toEntries(envelope);
    assertThat(entries).hasSize(1);
    return entries.get(0);
  }

  @Test
  void aPlainMessageIsAMessageEntryOfVersionEmpty() {
    ObjectNode envelope =
        envelope(
            """
            {"type":"message","channel":"C1","user":"U1","text":"hi",
             "ts":"1700000000.000100","event_ts":"1700000000.000100"}""");

    JournalEntry entry = only(envelope);

    assertThat(entry)
        .isEqualTo(
            new JournalEntry(
                0,
                "T1",
                "C1",
                "1700000000.000100",
                EntryKind.MESSAGE,
                "",
                null,
                "U1",
                Instant.ofEpochSecond(1700000100),
                envelope.get("event").toString()));
    // The same delivery again gives the same entry: the journal's identity makes it a no-op.
    assertThat(SlackEvents.toEntries(envelope)).containsExactly(entry);
  }

  @Test
  void aCreatedOrRenamedChannelIsAChannelEntryWithItsName() {
    JournalEntry created =
        only(
            envelope(
                """
                {"type":"channel_created","channel":{"id":"C9","name":"fresh","created":1700000000,
                 "creator":"U1"},"event_ts":"1700000000.000100"}"""));
    assertThat(created.kind()).isEqualTo(EntryKind.CHANNEL);
    assertThat(created.channel()).isEqualTo("C9");
    assertThat(created.payload()).contains("\"name\":\"fresh\"");
    JournalEntry renamed =
        only(
            envelope(
                """
                {"type":"channel_rename","channel":{"id":"C9","name":"renamed","created":1700000000},
                 "event_ts":"1700000001.000100"}"""));
    assertThat(renamed.payload()).contains("\"name\":\"renamed\"");
    assertThat(renamed.version()).isNotEqualTo(created.version());
    // The same name seen by catch-up is the same entry (journaled once).
    assertThat(SlackEvents.channelEntry("T1", "C9", "fresh", false, created.eventTime()).version())
        .isEqualTo(created.version());
    JournalEntry joined =
        only(
            envelope(
                """
                {"type":"member_joined_channel","user":"UBOT","channel":"C9","channel_type":"C",
                 "event_ts":"1700000002.000100"}"""));
    assertThat(joined.kind()).isEqualTo(EntryKind.CHANNEL);
    assertThat(joined.payload()).doesNotContain("name");
  }

  @Test
  void threadRepliesAndBroadcastsBelongToTheirThread() {
    JournalEntry reply =
        only(
            envelope(
                """
                {"type":"message","channel":"C1","user":"U1","text":"r",
                 "ts":"1700000001.000200","thread_ts":"1700000000.000100"}"""));
    JournalEntry broadcast =
        only(
            envelope(
                """
                {"type":"message","subtype":"thread_broadcast","channel":"C1","user":"U1",
                 "text":"r","ts":"1700000002.000200","thread_ts":"1700000000.000100"}"""));
    JournalEntry root =
        only(
            envelope(
                """
                {"type":"message","channel":"C1","user":"U1","text":"root",
                 "ts":"1700000000.000100","thread_ts":"1700000000.000100"}"""));

    assertThat(reply.threadTs()).isEqualTo("1700000000.000100");
    assertThat(broadcast.threadTs()).isEqualTo("1700000000.000100");
    assertThat(root.threadTs()).isNull();
  }

  @Test
  void anEditIsTheInnerMessageVersionedByItsEditedTs() {
    JournalEntry entry =
        only(
            envelope(
                """
                {"type":"message","subtype":"message_changed","channel":"C1","hidden":true,
                 "message":{"type":"message","user":"U1","text":"new",
                   "ts":"1700000000.000100","thread_ts":"1699999999.000001",
                   "edited":{"user":"U1","ts":"1700000050.000000"}},
                 "previous_message":{"type":"message","user":"U1","text":"old",
                   "ts":"1700000000.000100"},
                 "ts":"1700000050.000300","event_ts":"1700000050.000300"}"""));

    assertThat(entry.kind()).isEqualTo(EntryKind.MESSAGE);
    assertThat(entry.ts()).isEqualTo("1700000000.000100");
    assertThat(entry.version()).isEqualTo("1700000050.000000");
    assertThat(entry.threadTs()).isEqualTo("1699999999.000001");
    assertThat(Fixtures.parse(entry.payload()).get("text").asText()).isEqualTo("new");
  }

  @Test
  void aDeletionNamesTheDeletedMessageAndItsThread() {
    JournalEntry entry =
        only(
            envelope(
                """
                {"type":"message","subtype":"message_deleted","channel":"C1","hidden":true,
                 "deleted_ts":"1700000000.000100",
                 "previous_message":{"type":"message","user":"U1","text":"x",
                   "ts":"1700000000.000100","thread_ts":"1699999999.000001"},
                 "ts":"1700000060.000100","event_ts":"1700000060.000100"}"""));

    assertThat(entry.kind()).isEqualTo(EntryKind.DELETION);
    assertThat(entry.ts()).isEqualTo("1700000000.000100");
    assertThat(entry.version()).isEmpty();
    assertThat(entry.threadTs()).isEqualTo("1699999999.000001");
    assertThat(entry.user()).isEqualTo("U1");
  }

  @Test
  void reactionsAreVersionedByUserReactionAndEventTs() {
    String reaction =
        """
        {"type":"%s","user":"U024BE7LH","reaction":"thumbsup","item_user":"U0G9QF9C6",
         "item":{"type":"message","channel":"C0G9QF9GZ","ts":"1360782400.498405"},
         "event_ts":"1360782804.083113"}""";
    JournalEntry added = only(envelope(reaction.formatted("reaction_added")));
    JournalEntry removed = only(envelope(reaction.formatted("reaction_removed")));

    assertThat(added.kind()).isEqualTo(EntryKind.REACTION_ADDED);
    assertThat(removed.kind()).isEqualTo(EntryKind.REACTION_REMOVED);
    assertThat(List.of(added, removed))
        .allSatisfy(
            e -> {
              assertThat(e.channel()).isEqualTo("C0G9QF9GZ");
              assertThat(e.ts()).isEqualTo("1360782400.498405");
              assertThat(e.version()).isEqualTo("U024BE7LH:thumbsup:1360782804.083113");
              assertThat(e.user()).isEqualTo("U024BE7LH");
            });
    assertThat(
            SlackEvents.toEntries(
                envelope(
                    """
                    {"type":"reaction_added","user":"U1","reaction":"eyes",
                     "item":{"type":"file","file":"F1"},"event_ts":"1360782804.083113"}""")))
        .isEmpty();
  }

  @Test
  void eventTimeFallsBackToTheEventsTs() {
    ObjectNode envelope =
        envelope(
            """
            {"type":"message","channel":"C1","user":"U1","text":"hi",
             "ts":"1700000000.000100","event_ts":"1700000000.250000"}""");
    envelope.remove("event_time");
    assertThat(only(envelope).eventTime())
        .isEqualTo(Instant.ofEpochSecond(1700000000, 250_000_000));
    ((ObjectNode) envelope.get("event")).remove("event_ts");
    assertThat(only(envelope).eventTime()).isEqualTo(Instant.ofEpochSecond(1700000000, 100_000));
  }

  @Test
  void otherEnvelopesAndEventsGiveNoEntries() {
    assertThat(
            SlackEvents.toEntries(
                Fixtures.parse(
                    "{\"token\":\"x\",\"challenge\":\"abc\",\"type\":\"url_verification\"}")))
        .isEmpty();
    assertThat(SlackEvents.toEntries(Fixtures.parse("{\"type\":\"app_rate_limited\"}"))).isEmpty();
    assertThat(SlackEvents.toEntries(envelope("{\"type\":\"channel_left\",\"channel\":\"C1\"}")))
        .isEmpty();
  }

  @Test
  void malformedEnvelopesNameTheField() {
    assertMalformed(Fixtures.parse("[]"), "(envelope)", "not a JSON object");
    assertMalformed(Fixtures.parse("{}"), "type", "missing");
    assertMalformed(
        Fixtures.parse("{\"type\":\"event_callback\",\"team_id\":\"T1\"}"), "event", "missing");
    assertMalformed(
        envelope("{\"type\":\"message\",\"user\":\"U1\",\"ts\":\"1700000000.000100\"}"),
        "event.channel",
        "missing");
    assertMalformed(
        envelope("{\"type\":\"message\",\"channel\":\"C1\",\"ts\":1700000000.0001}"),
        "event.ts",
        "not a string");
    assertMalformed(
        envelope("{\"type\":\"message\",\"channel\":\"C1\",\"ts\":\"yesterday\"}"),
        "event.ts",
        "not a Slack ts");
    assertMalformed(
        envelope("{\"type\":\"message\",\"channel\":[\"C1\"],\"ts\":\"1.2\"}"),
        "event.channel",
        "not a string");
    assertMalformed(
        envelope("{\"type\":\"message\",\"channel\":\"C1\",\"ts\":\"1.2\",\"edited\":{\"ts\":5}}"),
        "event.edited.ts",
        "not a string");
    assertMalformed(
        envelope("{\"type\":\"message\",\"subtype\":\"message_changed\",\"channel\":\"C1\"}"),
        "event.message",
        "missing");
    assertMalformed(
        envelope("{\"type\":\"message\",\"subtype\":\"message_deleted\",\"channel\":\"C1\"}"),
        "event.deleted_ts",
        "missing");
    assertMalformed(
        envelope("{\"type\":\"reaction_added\",\"user\":\"U1\",\"reaction\":\"x\"}"),
        "event.item",
        "missing");
    ObjectNode noTeam = envelope("{\"type\":\"message\",\"channel\":\"C1\",\"ts\":\"1.2\"}");
    noTeam.remove("team_id");
    assertMalformed(noTeam, "team_id", "workspace id");
    ObjectNode badTime = envelope("{\"type\":\"message\",\"channel\":\"C1\",\"ts\":\"1.2\"}");
    badTime.put("event_time", "soon");
    assertMalformed(badTime, "event_time", "seconds");
  }

  private static void assertMalformed(JsonNode envelope, String field, String problem) {
    assertThatThrownBy(() -> SlackEvents.toEntries(envelope))
        .isInstanceOf(ThreadbareException.class)
        .isInstanceOfSatisfying(
            MalformedEventException.class, e -> assertThat(e.field()).isEqualTo(field))
        .hasMessageContaining("`" + field + "`")
        .hasMessageContaining(problem);
  }

  @Test
  void exportMessagesNeedATs() {
    assertThatThrownBy(
            () -> SlackEvents.fromExportMessage("T1", "C1", Fixtures.parse("{\"text\":\"x\"}")))
        .isInstanceOfSatisfying(
            MalformedEventException.class, e -> assertThat(e.field()).isEqualTo("ts"))
        .hasMessageContaining("`ts` is missing");
    assertThatThrownBy(
            () ->
                SlackEvents.fromExportMessage(
                    "T1", "", Fixtures.parse("{\"ts\":\"1.2\",\"text\":\"x\"}")))
        .isInstanceOf(MalformedEventException.class)
        .hasMessageContaining("channels.json");
  }

  @Test
  void slackMessagesReadsBotsThreadsAndEdits() {
    Consumer<String> bot =
        json -> assertThat(SlackMessages.isBot(Fixtures.parse(json))).as(json).isTrue();
    bot.accept("{\"bot_id\":\"B1\",\"text\":\"x\"}");
    bot.accept("{\"subtype\":\"bot_message\",\"text\":\"x\"}");
    bot.accept("{\"user\":\"USLACKBOT\",\"text\":\"x\"}");
    JsonNode human = Fixtures.parse("{\"user\":\"U1\",\"ts\":\"5.1\",\"thread_ts\":\"5.1\"}");
    assertThat(SlackMessages.isBot(human)).isFalse();
    assertThat(SlackMessages.isBot(human, "U1")).isTrue();
    assertThat(SlackMessages.isBot(human, null)).isFalse();
    assertThat(SlackMessages.threadTs(human)).isNull();
    assertThat(SlackMessages.user(human)).isEqualTo("U1");
    assertThat(SlackMessages.version(human)).isEmpty();
    JsonNode edited =
        Fixtures.parse("{\"ts\":\"5.2\",\"thread_ts\":\"5.1\",\"edited\":{\"ts\":\"6.0\"}}");
    assertThat(SlackMessages.threadTs(edited)).isEqualTo("5.1");
    assertThat(SlackMessages.editedTs(edited)).isEqualTo("6.0");
    assertThat(SlackMessages.version(edited)).isEqualTo("6.0");
    assertThat(SlackMessages.text(edited)).isEmpty();
  }
}
