package dev.threadbare.workspace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.slack.api.methods.MethodsClient;
import dev.threadbare.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Events API delivery to a real HTTP receiver, compared with real Slack captures. */
class EventsApiTest {

  static final Path FIXTURES = Fixtures.root();

  @TempDir static Path dir;
  static TestWorkspace ws;
  static Receiver receiver;
  static MethodsClient ada;
  static String adaSession;
  static MethodsClient adaUi;
  static String channel;

  @BeforeAll
  static void start() throws Exception {
    ws = TestWorkspace.sqlite(dir);
    ws.workspace.setRateLimits(RateLimits.unlimited());
    ws.workspace.setEventRetryDelays(
        List.of(Duration.ZERO, Duration.ofMillis(200), Duration.ofMillis(200)));
    receiver = new Receiver("s3cr3t-signing");
    ws.workspace.setEventsRequestUrl(receiver.url(), receiver.secret);
    String adaToken = ws.workspace.addUser("ada", false);
    ada = ws.methods(adaToken);
    adaSession = ws.session(adaToken);
    adaUi = ws.methods(adaSession);
    channel = ada.conversationsCreate(r -> r.name("events")).getChannel().getId();
  }

  @AfterAll
  static void stop() {
    ws.close();
    receiver.close();
  }

  @BeforeEach
  void answerOk() {
    receiver.behaviour = d -> Receiver.Answer.ok();
    receiver.deliveries.clear();
  }

  static JsonNode fixture(String path) throws IOException {
    return TestWorkspace.JSON.readTree(Files.readString(FIXTURES.resolve(path)));
  }

  static Set<String> fields(JsonNode node) {
    Set<String> names = new HashSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void urlVerificationHandshakeIsSignedAndMustEchoTheChallenge() throws Exception {
    try (Receiver other = new Receiver("other-secret")) {
      ws.workspace.setEventsRequestUrl(other.url(), other.secret);
      Receiver.Delivery handshake = other.deliveries.poll(5, TimeUnit.SECONDS);
      assertThat(handshake).isNotNull();
      assertThat(handshake.signatureValid()).isTrue();
      assertThat(fields(handshake.json()))
          .isEqualTo(
              fields(
                  fixture(
                      "zulip-slack/zerver/webhooks/slack/fixtures/challenge_handshake_payload.json")));
    } finally {
      ws.workspace.setEventsRequestUrl(receiver.url(), receiver.secret);
    }
    assertThatThrownBy(() -> ws.workspace.setEventsRequestUrl(ws.base() + "/api/api.test", "x"))
        .isInstanceOf(UrlVerificationFailedException.class)
        .hasMessageContaining("challenge");
    assertThatThrownBy(() -> ws.workspace.setEventsRequestUrl("ftp://nowhere", "x"))
        .isInstanceOf(InvalidWorkspaceInputException.class)
        .hasMessageContaining("ftp://nowhere");
  }

  @Test
  void messageEventsAreSignedAndShapedLikeRealCaptures() throws Exception {
    String text = "`src/app.py`\n```\nprint(1 < 2)\n```";
    String ts = adaUi.chatPostMessage(r -> r.channel(channel).text(text)).getTs();
    Receiver.Delivery delivery = receiver.next("message", null);
    assertThat(delivery.signatureValid()).isTrue();
    JsonNode envelope = delivery.json();
    JsonNode captured = fixture("slack-web-events/messageExample.json");
    JsonNode zulip =
        fixture("zulip-slack/zerver/webhooks/slack/fixtures/message_with_code_block.json");
    assertThat(fields(envelope)).containsAll(fields(captured));
    Set<String> union = new HashSet<>(fields(captured));
    union.addAll(fields(zulip));
    assertThat(union).containsAll(fields(envelope));
    assertThat(fields(envelope.path("authorizations").get(0)))
        .isEqualTo(fields(captured.path("authorizations").get(0)));
    assertThat(fields(envelope.path("event"))).isEqualTo(fields(captured.path("event")));
    assertThat(envelope.path("team_id").asText()).isEqualTo(ws.workspace.teamId());
    assertThat(envelope.path("authorizations").get(0).path("user_id").asText())
        .isEqualTo(ws.workspace.botUserId());
    JsonNode event = envelope.path("event");
    assertThat(event.path("ts").asText()).isEqualTo(ts);
    assertThat(event.path("channel").asText()).isEqualTo(channel);
    assertThat(event.path("text").asText()).isEqualTo("`src/app.py`\n```\nprint(1 &lt; 2)\n```");
    JsonNode pre = event.path("blocks").get(0).path("elements").get(1);
    assertThat(pre.path("type").asText()).isEqualTo("rich_text_preformatted");
    assertThat(pre.path("elements").get(0).path("text").asText()).isEqualTo("print(1 < 2)");
  }

  @Test
  void threadRepliesAndBroadcastsCarryTheirThread() throws Exception {
    String root = adaUi.chatPostMessage(r -> r.channel(channel).text("root")).getTs();
    receiver.next("message", null);
    adaUi.chatPostMessage(r -> r.channel(channel).text("reply").threadTs(root));
    JsonNode reply = receiver.next("message", null).json().path("event");
    assertThat(reply.path("thread_ts").asText()).isEqualTo(root);
    assertThat(reply.path("parent_user_id").asText()).isNotEmpty();
    adaUi.chatPostMessage(r -> r.channel(channel).text("all").threadTs(root).replyBroadcast(true));
    JsonNode broadcast = receiver.next("message", "thread_broadcast").json().path("event");
    assertThat(broadcast.path("thread_ts").asText()).isEqualTo(root);
    assertThat(broadcast.path("root").path("ts").asText()).isEqualTo(root);
  }

  @Test
  void editsAndDeletionsAreShapedLikeRealCaptures() throws Exception {
    String ts = adaUi.chatPostMessage(r -> r.channel(channel).text("before")).getTs();
    receiver.next("message", null);
    adaUi.chatUpdate(r -> r.channel(channel).ts(ts).text("after"));
    JsonNode changed = receiver.next("message", "message_changed").json().path("event");
    JsonNode capturedChange = fixture("slack-web-events/messageChange.json").path("event");
    assertThat(fields(changed)).isEqualTo(fields(capturedChange));
    assertThat(changed.path("message").path("text").asText()).isEqualTo("after");
    assertThat(changed.path("message").path("edited").path("ts").asText()).isNotEmpty();
    assertThat(changed.path("previous_message").path("text").asText()).isEqualTo("before");
    assertThat(changed.path("message").path("ts").asText()).isEqualTo(ts);

    adaUi.chatDelete(r -> r.channel(channel).ts(ts));
    JsonNode deleted = receiver.next("message", "message_deleted").json().path("event");
    JsonNode capturedDelete = fixture("slack-web-events/message_deleted.json").path("event");
    assertThat(fields(deleted)).isEqualTo(fields(capturedDelete));
    assertThat(deleted.path("deleted_ts").asText()).isEqualTo(ts);
    assertThat(deleted.path("previous_message").path("text").asText()).isEqualTo("after");
  }

  @Test
  void fileSharesAreShapedLikeRealCaptures() throws Exception {
    var uploaded =
        adaUi.filesUploadV2(
            r ->
                r.channel(channel)
                    .filename("notes.txt")
                    .content("hug a kitten")
                    .initialComment("message"));
    assertThat(uploaded.isOk()).as(uploaded.getError()).isTrue();
    JsonNode share = receiver.next("message", "file_share").json().path("event");
    JsonNode captured = fixture("slack-web-events/message_file_share.json").path("event");
    assertThat(fields(share)).isEqualTo(fields(captured));
    JsonNode file = share.path("files").get(0);
    Set<String> expected = fields(captured.path("files").get(0));
    // Slack-only extras about its own web app and hosting
    expected.removeAll(Set.of("permalink_public", "edit_link", "preview_highlight"));
    assertThat(fields(file)).containsAll(expected);
    assertThat(file.path("preview").asText()).isEqualTo("hug a kitten");
  }

  @Test
  void reactionEvents() throws Exception {
    String ts = adaUi.chatPostMessage(r -> r.channel(channel).text("react")).getTs();
    receiver.next("message", null);
    ws.bot().reactionsAdd(r -> r.channel(channel).timestamp(ts).name("white_check_mark"));
    JsonNode added = receiver.next("reaction_added", null).json().path("event");
    assertThat(fields(added))
        .containsExactlyInAnyOrder("type", "user", "reaction", "item_user", "item", "event_ts");
    assertThat(added.path("item").path("ts").asText()).isEqualTo(ts);
    assertThat(added.path("item").path("channel").asText()).isEqualTo(channel);
    assertThat(added.path("user").asText()).isEqualTo(ws.workspace.botUserId());
    ws.bot().reactionsRemove(r -> r.channel(channel).timestamp(ts).name("white_check_mark"));
    assertThat(
            receiver.next("reaction_removed", null).json().path("event").path("reaction").asText())
        .isEqualTo("white_check_mark");
  }

  @Test
  void failedAndSlowDeliveriesAreRetriedWithSlackHeaders() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    receiver.behaviour =
        d ->
            switch (attempts.getAndIncrement()) {
              case 0 -> new Receiver.Answer(500, Duration.ZERO);
              case 1 -> new Receiver.Answer(200, Duration.ofMillis(3300));
              default -> Receiver.Answer.ok();
            };
    adaUi.chatPostMessage(r -> r.channel(channel).text("retry me"));
    List<Receiver.Delivery> seen = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      seen.add(receiver.next("message", null));
    }
    assertThat(seen).allMatch(Receiver.Delivery::signatureValid);
    assertThat(seen.get(0).header("X-Slack-Retry-Num")).isNull();
    assertThat(seen.get(1).header("X-Slack-Retry-Num")).isEqualTo("1");
    assertThat(seen.get(1).header("X-Slack-Retry-Reason")).isEqualTo("http_error");
    assertThat(seen.get(2).header("X-Slack-Retry-Num")).isEqualTo("2");
    assertThat(seen.get(2).header("X-Slack-Retry-Reason")).isEqualTo("http_timeout");
    String eventId = seen.get(0).json().path("event_id").asText();
    assertThat(seen).allMatch(d -> d.json().path("event_id").asText().equals(eventId));
    assertThat(receiver.deliveries.poll(500, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void theRequestUrlSurvivesARestart() throws Exception {
    Path other = dir.resolve("restart");
    try (Receiver second = new Receiver("restart-secret")) {
      try (LocalWorkspace first = LocalWorkspace.open(other)) {
        first.setEventsRequestUrl(second.url(), second.secret);
      }
      second.deliveries.clear();
      try (TestWorkspace again = new TestWorkspace(LocalWorkspace.open(other))) {
        MethodsClient bot = again.bot();
        String general = bot.conversationsList(r -> r).getChannels().get(0).getId();
        bot.chatPostMessage(r -> r.channel(general).text("after restart"));
        Receiver.Delivery delivery = second.next("message", null);
        assertThat(delivery.signatureValid()).isTrue();
        assertThat(delivery.json().path("event").path("text").asText()).isEqualTo("after restart");
      }
    }
  }

  @Test
  void privateChannelsWithoutTheBotSendNothing() throws Exception {
    String secret =
        ada.conversationsCreate(r -> r.name("no-bot-here").isPrivate(true)).getChannel().getId();
    ada.chatPostMessage(r -> r.channel(secret).text("quiet"));
    adaUi.chatPostMessage(r -> r.channel(channel).text("loud"));
    Receiver.Delivery next = receiver.next("message", null);
    assertThat(next.json().path("event").path("text").asText()).isEqualTo("loud");
    ada.conversationsInvite(r -> r.channel(secret).users(List.of(ws.workspace.botUserId())));
    ada.chatPostMessage(r -> r.channel(secret).text("now heard"));
    assertThat(receiver.next("message", null).json().path("event").path("channel").asText())
        .isEqualTo(secret);
  }
}
