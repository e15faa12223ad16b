package dev.threadbare.chat.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.threadbare.chat.WorkspaceHarness;
import dev.threadbare.testing.TestDatabase;
import dev.threadbare.testing.TestPostgres;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes' outboxes on one PostgreSQL table: only the one whose gate is open (the leader) sends,
 * whoever enqueued; when the gate moves, the other sends the rest. Every call reaches the local
 * workspace once.
 */
class OutboxLeadershipTest {

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

  private Outbox node(TestDatabase db, AtomicBoolean leads) {
    return Outbox.postgres(
            db.jdbcUrl(),
            db.user(),
            db.password(),
            chat.bot,
            OutboxLimits.slackDefaults().withChannelSpacing(Duration.ZERO),
            Clock.systemUTC())
        .drainingWhile(leads::get)
        .start();
  }

  private List<String> botTexts() {
    List<String> texts = new ArrayList<>();
    for (JsonNode m : chat.history(chat.general)) {
      if (chat.workspace.botUserId().equals(m.path("user").asText())) {
        texts.add(m.path("text").asText());
      }
    }
    return texts;
  }

  @Test
  void onlyTheLeaderSendsWhoeverEnqueuedAndATakeoverSendsTheRest() {
    TestDatabase db = TestPostgres.newDatabase();
    AtomicBoolean aLeads = new AtomicBoolean(true);
    AtomicBoolean bLeads = new AtomicBoolean(false);
    try (Outbox a = node(db, aLeads);
        Outbox b = node(db, bLeads)) {
      a.enqueue(new OutgoingCall.PostMessage("k1", chat.general, null, "one"));
      b.enqueue(new OutgoingCall.PostMessage("k2", chat.general, null, "two"));
      b.enqueue(new OutgoingCall.PostMessage("k1", chat.general, null, "one again"));
      assertThat(a.awaitDrained(Duration.ofSeconds(30))).isTrue();
      assertThat(a.sentCount()).isEqualTo(2);
      assertThat(b.sentCount()).isZero();

      aLeads.set(false); // a loses its lock
      a.enqueue(new OutgoingCall.PostMessage("k3", chat.general, null, "three"));
      assertThat(a.state("k3")).contains("pending");
      bLeads.set(true);
      assertThat(b.awaitDrained(Duration.ofSeconds(30))).isTrue();
      assertThat(b.sentCount()).isEqualTo(1);
      assertThat(a.sentCount()).isEqualTo(2);
    }
    assertThat(botTexts()).containsExactlyInAnyOrder("one", "two", "three");
  }
}
