package dev.threadbare.chat.bot;

import static dev.threadbare.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.slack.api.methods.response.files.FilesUploadV2Response;
import dev.threadbare.chat.Chat;
import dev.threadbare.chat.WorkspaceHarness;
import dev.threadbare.chat.events.EventIntake;
import dev.threadbare.chat.events.SignedRequests;
import dev.threadbare.chat.events.SlackEventsEndpoint;
import dev.threadbare.chat.files.FileDownloader;
import dev.threadbare.chat.outbox.Outbox;
import dev.threadbare.chat.outbox.OutboxLimits;
import dev.threadbare.core.grammar.ChatGrammar;
import dev.threadbare.core.journal.EntryKind;
import dev.threadbare.core.journal.Journal;
import dev.threadbare.core.journal.JournalEntry;
import dev.threadbare.journal.Journals;
import dev.threadbare.materializer.Materializer;
import io.javalin.Javalin;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole bot over HTTP: ada uses the local workspace through the Slack SDK, the workspace
 * delivers signed events to the endpoint, they land in a real SQLite journal, the real materializer
 * applies them, and the bot's answers come back through the outbox to the workspace.
 */
class BotEndToEndTest {

  private static final String SECRET = "e2e-secret";
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private WorkspaceHarness chat;
  private Journal journal;
  private Materializer materializer;
  private Outbox outbox;
  private EventIntake intake;
  private Javalin server;
  private final AtomicInteger slowDeliveries = new AtomicInteger();

  @BeforeEach
  void start() {
    chat = new WorkspaceHarness(dir.resolve("workspace"));
    journal = Journals.sqlite(dir.resolve("journal.db"));
    materializer = Materializer.open(journal, dir.resolve("git"));
    outbox =
        Outbox.sqlite(
                dir.resolve("outbox"),
                chat.bot,
                OutboxLimits.slackDefaults().withChannelSpacing(Duration.ofMillis(20)),
                Clock.systemUTC())
            .start();
    Bot bot = Bot.create(outbox, materializer, ChatGrammar.create(), chat.workspace.botUserId());
    intake =
        Chat.intake(journal)
            .enrichWith(
                FileDownloader.create(
                    chat.workspace.botToken(), FileDownloader.DEFAULT_MAX_BYTES, outbox))
            .onJournaled(bot);
    server = Javalin.create();
    server.before(
        "/slack/events",
        ctx -> {
          // The retry storm: the first three deliveries of events marked slow answer late.
          String retry = ctx.header("X-Slack-Retry-Num");
          if (ctx.body().contains("slow-ack") && (retry == null || Integer.parseInt(retry) < 3)) {
            slowDeliveries.incrementAndGet();
            Thread.sleep(400);
          }
        });
    Chat.eventsEndpoint(SECRET, intake).onSlashCommand(bot).register(server);
    server.start("127.0.0.1", 0);
    // As on start-up: catch-up journals the channels' names (and anything missed).
    Chat.catchUp(journal, intake, chat.bot, chat.workspace.botToken())
        .requestsPerMinute(6000)
        .build()
        .runOnce();
    chat.workspace.setEventsRequestUrl(
        "http://127.0.0.1:" + server.port() + "/slack/events", SECRET);
  }

  @AfterEach
  void stop() {
    server.stop();
    intake.close();
    outbox.close();
    materializer.close();
    journal.close();
    chat.close();
  }

  private List<JournalEntry> journaled(EntryKind kind) {
    List<JournalEntry> entries = new ArrayList<>();
    journal.replay(
        0,
        e -> {
          if (e.kind() == kind) {
            entries.add(e);
          }
        });
    return entries;
  }

  private List<JsonNode> botMessages(List<JsonNode> messages) {
    return messages.stream()
        .filter(m -> chat.workspace.botUserId().equals(m.path("user").asText()))
        .toList();
  }

  @Test
  void answersFilesPathlessBlocksBadPathsAndNewVersions() {
    String general = chat.general;
    String first = chat.post(general, "first version\n`src/app.py`\n```\nprint(1)\n```", null);
    assertThat(eventually(WAIT, () -> chat.reactions(general, first).contains("white_check_mark")))
        .isTrue();

    String pathless = chat.post(general, "look at this:\n```\nx = 1\n```", null);
    String badPath = chat.post(general, "`../escape.py`\n```\nboom\n```", null);
    assertThat(eventually(WAIT, () -> chat.reactions(general, pathless).contains("question")))
        .isTrue();
    assertThat(eventually(WAIT, () -> chat.reactions(general, badPath).contains("x"))).isTrue();
    assertThat(chat.reactions(general, first)).containsExactly("white_check_mark");

    String second = chat.post(general, "`src/app.py`\n```\nprint(2)\n```", null);
    assertThat(eventually(WAIT, () -> chat.replies(general, second).size() == 2)).isTrue();
    String diff = chat.replies(general, second).get(1).path("text").asText();
    assertThat(diff).contains("-print(1)").contains("+print(2)").contains("src/app.py");
    assertThat(chat.reactions(general, second)).containsExactly("white_check_mark");
    // The first version got no diff (nothing to compare with): the bot said no more than needed.
    assertThat(chat.replies(general, first)).hasSize(1);
    assertThat(outbox.awaitDrained(WAIT)).isTrue();
    assertThat(outbox.failedCount()).isZero();
  }

  @Test
  void helpIsPrivateAndStatusIsOneMessageEditedInPlace() {
    String general = chat.general;
    chat.post(general, "`README.md`\n```\nhello\n```", null);
    String help = chat.post(general, "help", null);
    String status = chat.post(general, "status", null);
    assertThat(
            eventually(
                WAIT,
                () ->
                    outbox
                        .state("help:" + chat.workspace.teamId() + ":" + general + ":" + help + ":")
                        .filter("sent"::equals)
                        .isPresent()))
        .isTrue();
    assertThat(eventually(WAIT, () -> botMessages(chat.history(general)).size() == 1)).isTrue();
    chat.post(general, "`b.txt`\n```\nb\n```", null);
    chat.post(general, "status", null);
    assertThat(
            eventually(
                WAIT,
                () ->
                    botMessages(chat.history(general)).stream()
                        .anyMatch(m -> m.path("text").asText().contains("2 files"))))
        .isTrue();
    assertThat(outbox.awaitDrained(WAIT)).isTrue();
    List<JsonNode> statusMessages = botMessages(chat.history(general));
    assertThat(statusMessages).hasSize(1);
    assertThat(statusMessages.get(0).path("text").asText()).contains("*general*", "2 files");
    assertThat(status).isNotNull();
  }

  @Test
  void journalsThreadsEditsDeletionsAndFileSharesOnce() throws Exception {
    String general = chat.general;
    String root = chat.post(general, "`a.txt`\n```\na\n```", null);
    String reply = chat.post(general, "`a.txt`\n```\nb\n```", root);
    JsonNode edited =
        chat.call(
            chat.userToken,
            "chat.update",
            Map.of("channel", general, "ts", root, "text", "`a.txt`\n```\nc\n```"));
    assertThat(edited.path("ok").asBoolean()).as(edited.toString()).isTrue();
    String doomed = chat.post(general, "typo", null);
    chat.call(chat.userToken, "chat.delete", Map.of("channel", general, "ts", doomed));
    FilesUploadV2Response upload =
        chat.user.filesUploadV2(
            r ->
                r.channel(general)
                    .filename("data.csv")
                    .title("data/data.csv")
                    .content("a,b\n1,2\n"));
    assertThat(upload.isOk()).as(String.valueOf(upload.getError())).isTrue();

    assertThat(eventually(WAIT, () -> journaled(EntryKind.FILE_CONTENT).size() == 1)).isTrue();
    assertThat(eventually(WAIT, () -> journaled(EntryKind.DELETION).size() == 1)).isTrue();
    JournalEntry file = journaled(EntryKind.FILE_CONTENT).get(0);
    JsonNode payload = JSON.readTree(file.payload());
    assertThat(
            new String(
                Base64.getDecoder().decode(payload.path("content_base64").asText()),
                StandardCharsets.UTF_8))
        .isEqualTo("a,b\n1,2\n");
    assertThat(payload.path("title").asText()).isEqualTo("data/data.csv");
    // The shared file became data/data.csv: ✅ on the message that shared it.
    assertThat(
            eventually(WAIT, () -> chat.reactions(general, file.ts()).contains("white_check_mark")))
        .isTrue();
    assertThat(
            new String(
                materializer.store().read(general, "main", "data/data.csv"),
                StandardCharsets.UTF_8))
        .isEqualTo("a,b\n1,2\n");

    List<JournalEntry> messages = journaled(EntryKind.MESSAGE);
    assertThat(messages).filteredOn(e -> e.ts().equals(root)).hasSize(2); // original and edit
    assertThat(messages)
        .filteredOn(e -> e.ts().equals(reply))
        .singleElement()
        .extracting(JournalEntry::threadTs)
        .isEqualTo(root);
    assertThat(journaled(EntryKind.DELETION).get(0).ts()).isEqualTo(doomed);
  }

  @Test
  void aRetryStormJournalsEachEntryOnceAndAnswersOnce() {
    chat.workspace.setEventTimeout(Duration.ofMillis(150));
    chat.workspace.setEventRetryDelays(
        List.of(Duration.ZERO, Duration.ofMillis(50), Duration.ofMillis(100)));
    List<String> posted = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      posted.add(
          chat.post(
              chat.general, "slow-ack " + i + "\n`s" + i + ".txt`\n```\n" + i + "\n```", null));
    }
    assertThat(eventually(WAIT, () -> slowDeliveries.get() >= 9)).isTrue();
    for (String ts : posted) {
      assertThat(
              eventually(WAIT, () -> chat.reactions(chat.general, ts).contains("white_check_mark")))
          .isTrue();
    }
    intake.awaitHandOff();
    List<JournalEntry> messages = journaled(EntryKind.MESSAGE);
    // Concurrent deliveries may land in any order; each exactly once.
    assertThat(messages).extracting(JournalEntry::ts).containsExactlyInAnyOrderElementsOf(posted);
    assertThat(chat.reactions(chat.general, posted.get(0))).containsExactly("white_check_mark");
  }

  @Test
  void removesFilesThroughTheGrammarAndAnswersTheSlashCommand() throws Exception {
    String general = chat.general;
    String add = chat.post(general, "`old.txt`\n```\nold\n```", null);
    assertThat(eventually(WAIT, () -> chat.reactions(general, add).contains("white_check_mark")))
        .isTrue();
    String rm = chat.post(general, "cleaning up\nrm old.txt", null);
    assertThat(eventually(WAIT, () -> chat.reactions(general, rm).contains("white_check_mark")))
        .isTrue();

    SignedRequests slash = new SignedRequests("http://127.0.0.1:" + server.port(), SECRET);
    String form = "team_id=T1&channel_id=" + general + "&user_id=U1&command=%2Fthreadbare&text=";
    HttpResponse<String> help =
        slash.post(
            SlackEventsEndpoint.COMMANDS_PATH,
            form + "help",
            0,
            "application/x-www-form-urlencoded");
    assertThat(help.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(help.body()).path("text").asText()).contains("`rm PATH`", "✅");
    HttpResponse<String> status =
        slash.post(
            SlackEventsEndpoint.COMMANDS_PATH,
            form + "status",
            0,
            "application/x-www-form-urlencoded");
    assertThat(JSON.readTree(status.body()).path("text").asText())
        .isEqualTo(
            "*general* on `main`: `"
                + materializer.store().resolve(general, "main").name().substring(0, 10)
                + "`, 0 files.");
    HttpResponse<String> remove =
        slash.post(
            SlackEventsEndpoint.COMMANDS_PATH,
            form + "rm+a.txt",
            0,
            "application/x-www-form-urlencoded");
    assertThat(JSON.readTree(remove.body()).path("text").asText())
        .contains("`rm a.txt` changes files", "post it as a message");
  }

  @Test
  void refusesBinaryFileSharesWithAReason() {
    byte[] png = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
    FilesUploadV2Response upload;
    try {
      upload =
          chat.user.filesUploadV2(r -> r.channel(chat.general).filename("logo.png").fileData(png));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    assertThat(upload.isOk()).isTrue();
    assertThat(eventually(WAIT, () -> !chat.history(chat.general).isEmpty())).isTrue();
    String ts = chat.history(chat.general).get(0).path("ts").asText();
    assertThat(eventually(WAIT, () -> chat.reactions(chat.general, ts).contains("x"))).isTrue();
    assertThat(journaled(EntryKind.FILE_CONTENT)).isEmpty();
  }
}
