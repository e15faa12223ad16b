package dev.threadbare.chat.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonParser;
import com.slack.api.Slack;
import com.slack.api.socket_mode.request.EventsApiEnvelope;
import com.slack.api.socket_mode.request.SlashCommandsEnvelope;
import dev.threadbare.chat.Chat;
import dev.threadbare.chat.events.EventIntake;
import dev.threadbare.core.journal.Journal;
import dev.threadbare.journal.Journals;
import dev.threadbare.testing.Fixtures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Socket Mode's envelope handling, with the SDK's own envelope types and real captures. The
 * WebSocket itself needs real Slack ({@code apps.connections.open}), which these tests cannot
 * reach.
 */
class SocketModeReceiverTest {

  private static final String CODE_BLOCK =
      "zulip-slack/zerver/webhooks/slack/fixtures/message_with_code_block.json";

  @TempDir Path dir;
  private Journal journal;
  private EventIntake intake;
  private SocketModeReceiver receiver;
  private final List<String> acks = new ArrayList<>();

  @BeforeEach
  void open() {
    journal = Journals.sqlite(dir.resolve("journal.db"));
    intake = Chat.intake(journal);
    receiver =
        SocketModeReceiver.create("xapp-1-A1-1-abc", Slack.getInstance(), intake)
            .onSlashCommand((team, channel, user, text) -> "status of " + channel + ": " + text);
  }

  @AfterEach
  void close() {
    intake.close();
    journal.close();
  }

  private static EventsApiEnvelope envelope(String id, String payload, Integer retry) {
    EventsApiEnvelope envelope = new EventsApiEnvelope();
    envelope.setEnvelopeId(id);
    envelope.setPayload(JsonParser.parseString(payload));
    envelope.setRetryAttempt(retry);
    return envelope;
  }

  @Test
  void journalsAnEventThenAcknowledgesItAndRedeliveriesChangeNothing() {
    String payload = Fixtures.string(CODE_BLOCK);
    receiver.onEvent(envelope("env-1", payload, 0), acks::add);
    receiver.onEvent(envelope("env-1", payload, 1), acks::add);
    receiver.onEvent(envelope("env-2", payload, 2), acks::add);

    assertThat(journal.lastSeq()).isEqualTo(1);
    assertThat(journal.read(0, 1).get(0).ts()).isEqualTo("1719211888.680799");
    assertThat(acks)
        .containsExactly(
            "{\"envelope_id\":\"env-1\"}",
            "{\"envelope_id\":\"env-1\"}",
            "{\"envelope_id\":\"env-2\"}");
  }

  @Test
  void acknowledgesMalformedEnvelopesWithoutJournalingThem() {
    receiver.onEvent(
        envelope(
            "env-bad",
            "{\"type\":\"event_callback\",\"event\":{\"type\":\"message\",\"ts\":\"1.2\"}}",
            0),
        acks::add);
    assertThat(acks).containsExactly("{\"envelope_id\":\"env-bad\"}");
    assertThat(journal.lastSeq()).isZero();
  }

  @Test
  void doesNotAcknowledgeWhatTheJournalCouldNotTakeSoSlackRedelivers() {
    journal.close();
    receiver.onEvent(envelope("env-1", Fixtures.string(CODE_BLOCK), 0), acks::add);
    assertThat(acks).isEmpty();
  }

  @Test
  void answersSlashCommandsInTheAcknowledgement() {
    SlashCommandsEnvelope envelope = new SlashCommandsEnvelope();
    envelope.setEnvelopeId("env-cmd");
    envelope.setPayload(
        JsonParser.parseString(
            "{\"team_id\":\"T1\",\"channel_id\":\"C9\",\"user_id\":\"U1\",\"command\":\"/threadbare\","
                + "\"text\":\"status\"}"));
    receiver.onSlashCommand(envelope, acks::add);
    assertThat(acks)
        .containsExactly(
            "{\"envelope_id\":\"env-cmd\",\"payload\":{\"response_type\":\"ephemeral\","
                + "\"text\":\"status of C9: status\"}}");
  }

  @Test
  void refusesABotTokenWhereTheAppTokenBelongs() {
    assertThatThrownBy(() -> SocketModeReceiver.create("xoxb-123", Slack.getInstance(), intake))
        .hasMessageContaining("SLACK_APP_TOKEN must be an app-level token starting with xapp-")
        .hasMessageNotContaining("xoxb-123");
  }
}
