package dev.threadbare.chat.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.threadbare.chat.WorkspaceHarness;
import dev.threadbare.testing.Eventually;
import dev.threadbare.testing.TestDatabase;
import dev.threadbare.testing.TestPostgres;
import dev.threadbare.workspace.RateLimits;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutboxTest {

  @TempDir Path dir;
  private WorkspaceHarness chat;

  @BeforeEach
  void open() {
    chat = new WorkspaceHarness(dir.resolve("workspace"));
  }

  @AfterEach
  void close() {
    chat.close();
  }

  private Outbox outbox(Duration spacing) {
    return Outbox.sqlite(
        dir.resolve("outbox"),
        chat.bot,
        OutboxLimits.slackDefaults().withChannelSpacing(spacing),
        Clock.systemUTC());
  }

  private List<String> botTexts(String channel) {
    List<String> texts = new ArrayList<>();
    for (JsonNode m : chat.history(channel)) {
      if (chat.workspace.botUserId().equals(m.path("user").asText())) {
        texts.add(m.path("text").asText());
      }
    }
    return texts;
  }

  @Test
  void drainsA429StormWithoutLosingOrReorderingAnyChannelsMessages() {
    String other = chat.createChannel("other");
    // The workspace pushes back: 4 posts a second per channel after a burst of 2.
    chat.workspace.setRateLimits(new RateLimits(Map.of(), 0, 4, 2));
    List<String> expected = new ArrayList<>();
    try (Outbox outbox = outbox(Duration.ZERO)) {
      for (int i = 0; i < 8; i++) {
        expected.add("message " + i);
        for (String channel : List.of(chat.general, other)) {
          outbox.enqueue(
              new OutgoingCall.PostMessage(channel + ":" + i, channel, null, "message " + i));
        }
      }
      outbox.start();
      assertThat(outbox.awaitDrained(Duration.ofSeconds(30))).isTrue();
      assertThat(outbox.rateLimitWaits()).isPositive();
      assertThat(outbox.sentCount()).isEqualTo(16);
      assertThat(outbox.failedCount()).isZero();
    }
    assertThat(botTexts(chat.general)).containsExactlyElementsOf(expected);
    assertThat(botTexts(other)).containsExactlyElementsOf(expected);
  }

  @Test
  void sendsEachCallExactlyOnceAcrossARestartMidDrain() {
    List<String> expected = new ArrayList<>();
    Outbox first = outbox(Duration.ofMillis(25));
    for (int i = 0; i < 40; i++) {
      expected.add("step " + i);
      first.enqueue(new OutgoingCall.PostMessage("step:" + i, chat.general, null, "step " + i));
    }
    first.start();
    Eventually.eventually(Duration.ofSeconds(10), () -> first.sentCount() >= 10);
    first.close();
    int sentBeforeRestart = botTexts(chat.general).size();
    assertThat(sentBeforeRestart).isBetween(10, 39);

    try (Outbox second = outbox(Duration.ofMillis(25))) {
      // Re-enqueueing after the restart (as a replay would) adds nothing.
      for (int i = 0; i < 40; i++) {
        assertThat(
                second.enqueue(
                    new OutgoingCall.PostMessage("step:" + i, chat.general, null, "step " + i)))
            .isFalse();
      }
      assertThat(second.depth()).isEqualTo(40 - sentBeforeRestart);
      second.start();
      assertThat(second.awaitDrained(Duration.ofSeconds(30))).isTrue();
    }
    assertThat(botTexts(chat.general)).containsExactlyElementsOf(expected);
  }

  @Test
  void editsItsOwnMessageInsteadOfPostingAgainAndTreatsAlreadyReactedAsDone() {
    String ts = chat.post(chat.general, "hello", null);
    try (Outbox outbox = outbox(Duration.ZERO).start()) {
      outbox.enqueue(new OutgoingCall.PostMessage("status", chat.general, null, "status: 1 file"));
      outbox.enqueue(new OutgoingCall.UpdateMessage("status:2", chat.general, "status", "2 files"));
      outbox.enqueue(new OutgoingCall.UpdateMessage("status:3", chat.general, "status", "3 files"));
      outbox.enqueue(new OutgoingCall.AddReaction("r1", chat.general, ts, "white_check_mark"));
      outbox.enqueue(new OutgoingCall.AddReaction("r2", chat.general, ts, "white_check_mark"));
      outbox.enqueue(new OutgoingCall.UpdateMessage("orphan", chat.general, "never", "x"));
      assertThat(outbox.awaitDrained(Duration.ofSeconds(10))).isTrue();
      assertThat(outbox.state("r2")).contains("sent");
      assertThat(outbox.state("orphan")).contains("failed");
    }
    assertThat(botTexts(chat.general)).containsExactly("3 files");
    assertThat(chat.reactions(chat.general, ts)).containsExactly("white_check_mark");
  }

  @Test
  void aCallInFlightAtACrashIsRecoveredWithoutDoubling() throws Exception {
    String ts = chat.post(chat.general, "approve me", null);
    try (Outbox outbox = outbox(Duration.ZERO)) {
      outbox.enqueue(new OutgoingCall.AddReaction("react", chat.general, ts, "white_check_mark"));
    }
    // The crash: the request reached Slack, the process died before marking the row sent.
    chat.bot.reactionsAdd(r -> r.channel(chat.general).timestamp(ts).name("white_check_mark"));
    try (java.sql.Connection db =
            java.sql.DriverManager.getConnection(
                "jdbc:sqlite:" + dir.resolve("outbox").resolve("outbox.db"));
        java.sql.Statement st = db.createStatement()) {
      assertThat(st.executeUpdate("UPDATE outbox SET state = 'sending', attempts = 1"))
          .isEqualTo(1);
    }
    try (Outbox outbox = outbox(Duration.ZERO).start()) {
      assertThat(outbox.awaitDrained(Duration.ofSeconds(10))).isTrue();
      assertThat(outbox.state("react")).contains("sent");
    }
    assertThat(chat.reactions(chat.general, ts)).containsExactly("white_check_mark");
  }

  @Test
  void refusalsSlackWillRepeatFailForGoodWithoutBlockingOthers() {
    try (Outbox outbox = outbox(Duration.ZERO).start()) {
      outbox.enqueue(new OutgoingCall.PostMessage("bad", "C0NOSUCH", null, "lost"));
      outbox.enqueue(new OutgoingCall.PostMessage("good", chat.general, null, "found"));
      assertThat(outbox.awaitDrained(Duration.ofSeconds(10))).isTrue();
      assertThat(outbox.state("bad")).contains("failed");
      assertThat(outbox.failedCount()).isEqualTo(1);
    }
    assertThat(botTexts(chat.general)).containsExactly("found");
  }

  @Test
  void worksOnPostgresToo() {
    TestDatabase db = TestPostgres.newDatabase();
    try (Outbox outbox =
        Outbox.postgres(
                db.jdbcUrl(),
                db.user(),
                db.password(),
                chat.bot,
                OutboxLimits.slackDefaults().withChannelSpacing(Duration.ZERO),
                Clock.systemUTC())
            .start()) {
      for (int i = 0; i < 3; i++) {
        outbox.enqueue(new OutgoingCall.PostMessage("pg:" + i, chat.general, null, "pg " + i));
      }
      assertThat(outbox.enqueue(new OutgoingCall.PostMessage("pg:0", chat.general, null, "again")))
          .isFalse();
      assertThat(outbox.awaitDrained(Duration.ofSeconds(10))).isTrue();
    }
    assertThat(botTexts(chat.general)).containsExactly("pg 0", "pg 1", "pg 2");
  }

  /** What another process reading outbox.db finds of a delivered call's body. */
  private List<String> storedBodies() throws java.sql.SQLException {
    List<String> bodies = new ArrayList<>();
    try (java.sql.Connection db =
            java.sql.DriverManager.getConnection(
                "jdbc:sqlite:" + dir.resolve("outbox").resolve("outbox.db"));
        java.sql.ResultSet rows = db.createStatement().executeQuery("SELECT payload FROM outbox")) {
      while (rows.next()) {
        bodies.add(rows.getString(1));
      }
    }
    return bodies;
  }

  @Test
  void aDeliveredCallKeepsNoSecretInItsBody() throws Exception {
    String secret = "tbp_9f8e7d6c5b4a39281706";
    try (Outbox outbox = outbox(Duration.ZERO)) {
      outbox.enqueue(
          new OutgoingCall.PostMessage(
              "token:1", chat.general, null, "Your personal git token: `" + secret + "`"));
      outbox.enqueue(new OutgoingCall.PostMessage("plain:1", chat.general, null, "no secret"));
      // Before it is sent the body must hold the token: it is what will be delivered.
      assertThat(String.join("\n", storedBodies())).contains(secret);
      outbox.start();
      assertThat(outbox.awaitDrained(Duration.ofSeconds(10))).isTrue();
      assertThat(outbox.state("token:1")).contains("sent");
    }
    assertThat(botTexts(chat.general)).anySatisfy(t -> assertThat(t).contains(secret));
    List<String> bodies = storedBodies();
    assertThat(String.join("\n", bodies))
        .doesNotContain(secret)
        .contains(OutboxStore.PURGED)
        .contains("no secret");
  }
}
