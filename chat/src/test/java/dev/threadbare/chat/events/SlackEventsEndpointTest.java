package dev.threadbare.chat.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadbare.chat.Chat;
import dev.threadbare.core.journal.EntryKind;
import dev.threadbare.core.journal.Journal;
import dev.threadbare.core.journal.JournalEntry;
import dev.threadbare.journal.Journals;
import dev.threadbare.testing.Fixtures;
import io.javalin.Javalin;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SlackEventsEndpointTest {

  private static final String SECRET = "test-signing-secret";
  private static final String CODE_BLOCK =
      "zulip-slack/zerver/webhooks/slack/fixtures/message_with_code_block.json";
  private static final String FILE_SHARE = "slack-web-events/message_file_share.json";
  private static final String DELETED = "slack-web-events/message_deleted.json";
  private static final String CHALLENGE =
      "zulip-slack/zerver/webhooks/slack/fixtures/challenge_handshake_payload.json";

  @TempDir Path dir;
  private Journal journal;
  private EventIntake intake;
  private Javalin server;
  private SignedRequests slack;
  private final List<JournalEntry> heard = Collections.synchronizedList(new ArrayList<>());

  @BeforeEach
  void start() {
    journal = Journals.sqlite(dir.resolve("journal.db"));
    intake = Chat.intake(journal).onJournaled(heard::addAll);
    server = Javalin.create();
    Chat.eventsEndpoint(SECRET, intake)
        .onSlashCommand((team, channel, user, text) -> "you said " + text + " in " + channel)
        .register(server);
    server.start("127.0.0.1", 0);
    slack = new SignedRequests("http://127.0.0.1:" + server.port(), SECRET);
  }

  @AfterEach
  void stop() {
    server.stop();
    intake.close();
    journal.close();
  }

  @Test
  void journalsASignedEventBeforeAcknowledgingAndHandsItOff() throws Exception {
    HttpResponse<String> response = slack.event(Fixtures.string(CODE_BLOCK));

    assertThat(response.statusCode()).isEqualTo(200);
    List<JournalEntry> stored = journal.read(0, 10);
    assertThat(stored).hasSize(1);
    assertThat(stored.get(0).kind()).isEqualTo(EntryKind.MESSAGE);
    assertThat(stored.get(0).channel()).isEqualTo("C06NRA6JLER");
    assertThat(stored.get(0).ts()).isEqualTo("1719211888.680799");
    intake.awaitHandOff();
    assertThat(heard)
        .extracting(JournalEntry::seq, JournalEntry::ts, JournalEntry::kind, JournalEntry::payload)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                1L, "1719211888.680799", EntryKind.MESSAGE, stored.get(0).payload()));
  }

  @Test
  void retriesAndDuplicatesAreJournaledOnceAndHeardOnce() throws Exception {
    String[] envelopes = {
      Fixtures.string(CODE_BLOCK), Fixtures.string(FILE_SHARE), Fixtures.string(DELETED)
    };
    for (int round = 0; round < 4; round++) {
      for (String envelope : envelopes) {
        HttpResponse<String> response =
            round == 0 ? slack.event(envelope) : slack.retry(envelope, round);
        assertThat(response.statusCode()).isEqualTo(200);
      }
    }
    intake.awaitHandOff();
    assertThat(journal.lastSeq()).isEqualTo(3);
    assertThat(heard).hasSize(3);
    assertThat(heard)
        .extracting(JournalEntry::kind)
        .containsExactly(EntryKind.MESSAGE, EntryKind.MESSAGE, EntryKind.DELETION);
  }

  @Test
  void answersUrlVerificationWithItsChallenge() throws Exception {
    HttpResponse<String> response = slack.event(Fixtures.string(CHALLENGE));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body())
        .isEqualTo("{\"challenge\":\"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P\"}");
    assertThat(journal.lastSeq()).isZero();
  }

  @Test
  void refusesUnsignedForgedStaleAndFutureRequestsAndJournalsNothing() throws Exception {
    byte[] body = Fixtures.bytes(CODE_BLOCK);
    long now = System.currentTimeMillis() / 1000;
    String path = SlackEventsEndpoint.EVENTS_PATH;
    SignedRequests forger = new SignedRequests("http://127.0.0.1:" + server.port(), "guessed");

    List<HttpResponse<String>> responses =
        List.of(
            slack.send(path, body, null, null, "application/json", null),
            slack.send(path, body, Long.toString(now), null, "application/json", null),
            slack.send(path, body, null, slack.sign(now, body), "application/json", null),
            slack.send(path, body, Long.toString(now), forger.sign(now, body), null, null),
            slack.send(path, body, Long.toString(now + 1), slack.sign(now, body), null, null),
            slack.post(path, new String(body, StandardCharsets.UTF_8), -301, null),
            slack.post(path, new String(body, StandardCharsets.UTF_8), 301, null),
            slack.post(
                SlackEventsEndpoint.COMMANDS_PATH,
                "channel_id=C1&user_id=U1&text=help",
                -600,
                "application/x-www-form-urlencoded"));

    assertThat(responses).extracting(HttpResponse::statusCode).containsOnly(401);
    assertThat(responses.get(3).body()).contains("does not match");
    assertThat(responses.get(5).body()).contains("more than 5 minutes");
    assertThat(journal.lastSeq()).isZero();
  }

  @Test
  void malformedSignedBodiesGet400NamingTheProblem() throws Exception {
    assertThat(slack.event("{not json").statusCode()).isEqualTo(400);
    assertThat(slack.event("[1,2]").body()).contains("not a JSON object");
    HttpResponse<String> noChannel =
        slack.event(
            "{\"type\":\"event_callback\",\"team_id\":\"T1\",\"event\":{\"type\":\"message\","
                + "\"ts\":\"1700000000.000100\",\"text\":\"hi\"}}");
    assertThat(noChannel.statusCode()).isEqualTo(400);
    assertThat(noChannel.body()).contains("channel");
    assertThat(journal.lastSeq()).isZero();
  }

  @Test
  void answersTheSlashCommandPrivately() throws Exception {
    HttpResponse<String> response =
        slack.post(
            SlackEventsEndpoint.COMMANDS_PATH,
            "team_id=T1&channel_id=C42&user_id=U7&command=%2Fthreadbare&text=status+now",
            0,
            "application/x-www-form-urlencoded");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body())
        .isEqualTo("{\"response_type\":\"ephemeral\",\"text\":\"you said status now in C42\"}");
  }

  /** 1,000 random bodies and headers, half of them correctly signed: never a 500. */
  @Test
  void fuzzedRequestsNeverGet500() throws Exception {
    Random random = new Random(20261129);
    List<String> seeds =
        List.of(
            Fixtures.string(CODE_BLOCK),
            Fixtures.string(FILE_SHARE),
            Fixtures.string(DELETED),
            Fixtures.string(CHALLENGE));
    String path = SlackEventsEndpoint.EVENTS_PATH;
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      byte[] body = fuzzBody(random, seeds);
      long now = System.currentTimeMillis() / 1000;
      HttpResponse<String> response =
          switch (random.nextInt(4)) {
            case 0, 1 ->
                slack.send(path, body, Long.toString(now), slack.sign(now, body), null, null);
            case 2 ->
                slack.send(
                    path,
                    body,
                    randomAscii(random, random.nextInt(20)),
                    randomAscii(random, random.nextInt(80)),
                    randomAscii(random, 10),
                    null);
            default ->
                slack.send(
                    random.nextBoolean() ? path : SlackEventsEndpoint.COMMANDS_PATH,
                    body,
                    Long.toString(now + random.nextInt(1200) - 600),
                    slack.sign(now, body),
                    null,
                    Integer.toString(random.nextInt(5)));
          };
      statuses.add(response.statusCode());
    }
    assertThat(statuses).doesNotContain(500).allMatch(s -> s == 200 || s == 400 || s == 401);
    assertThat(statuses).contains(200, 400, 401);
  }

  private static byte[] fuzzBody(Random random, List<String> seeds) {
    String seed = seeds.get(random.nextInt(seeds.size()));
    switch (random.nextInt(5)) {
      case 0 -> {
        byte[] bytes = new byte[random.nextInt(300)];
        random.nextBytes(bytes);
        return bytes;
      }
      case 1 -> {
        // Truncated JSON.
        return seed.substring(0, random.nextInt(seed.length())).getBytes(StandardCharsets.UTF_8);
      }
      case 2 -> {
        // A few characters replaced.
        char[] chars = seed.toCharArray();
        for (int k = 0; k < 1 + random.nextInt(8); k++) {
          chars[random.nextInt(chars.length)] = "{}[]\":,0a\\ ".charAt(random.nextInt(11));
        }
        return new String(chars).getBytes(StandardCharsets.UTF_8);
      }
      case 3 -> {
        // Valid JSON with fields of the wrong type.
        String[] swaps = {"\"ts\": 17", "\"event\": []", "\"type\": null", "\"channel\": {}"};
        return seed.replaceFirst(
                "\"(ts|event|type|channel)\"\\s*:", swaps[random.nextInt(4)] + ", \"x\":")
            .getBytes(StandardCharsets.UTF_8);
      }
      default -> {
        return seed.getBytes(StandardCharsets.UTF_8);
      }
    }
  }

  private static String randomAscii(Random random, int length) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < length; i++) {
      s.append((char) (0x21 + random.nextInt(0x5d)));
    }
    return s.toString();
  }
}
