package dev.threadbare.core.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.threadbare.core.Fixtures;
import dev.threadbare.core.grammar.Attachment;
import dev.threadbare.core.grammar.ChatGrammar;
import dev.threadbare.core.grammar.FileBlock;
import dev.threadbare.core.grammar.ParsedMessage;
import dev.threadbare.core.grammar.Problem;
import dev.threadbare.core.journal.EntryKind;
import dev.threadbare.core.journal.JournalEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every real Events API capture under {@code testing/fixtures} goes through {@link SlackEvents} and
 * {@link ChatGrammar}, with its expected outcome written down.
 */
class EventFixturesTest {

  private static final String WEB = "slack-web-events/";
  private static final String ZULIP = "zulip-slack/zerver/webhooks/slack/fixtures/";
  private static final ChatGrammar GRAMMAR = ChatGrammar.create();

  /**
   * What one capture should give: the entry (or none), whether a bot wrote it, and what the grammar
   * reads (number of files and the rules of its problems).
   */
  record Expect(
      String file,
      EntryKind kind,
      String ts,
      String version,
      String threadTs,
      boolean bot,
      int files,
      List<String> problemRules) {
    static Expect none(String file) {
      return new Expect(file, null, null, null, null, false, 0, List.of());
    }

    static Expect message(String file, String ts, boolean bot) {
      return new Expect(file, EntryKind.MESSAGE, ts, "", null, bot, 0, List.of());
    }

    Expect thread(String root) {
      return new Expect(file, kind, ts, version, root, bot, files, problemRules);
    }

    Expect kind(EntryKind k) {
      return new Expect(file, k, ts, version, threadTs, bot, files, problemRules);
    }

    Expect problems(String... rules) {
      return new Expect(file, kind, ts, version, threadTs, bot, files, List.of(rules));
    }

    @Override
    public String toString() {
      return file;
    }
  }

  static Stream<Expect> captures() {
    return Stream.of(
        Expect.none(WEB + "app_home_opened_home.json"),
        Expect.none(WEB + "app_home_opened_messages.json"),
        Expect.message(WEB + "botMessage.json", "1664216870.477049", true)
            .thread("1664216109.798919"),
        Expect.none(WEB + "channel_left.json"),
        Expect.none(WEB + "channel_shared.json"),
        Expect.none(WEB + "channel_unshared.json"),
        Expect.message(WEB + "circleci.json", "1671046987.237089", true),
        Expect.none(WEB + "createChannel.json").kind(EntryKind.CHANNEL),
        Expect.message(WEB + "email_message.json", "1671217113.292829", true),
        Expect.message(WEB + "forwarded_message.json", "1724952300.110719", false),
        Expect.message(WEB + "github_notification.json", "1725998548.581159", true),
        Expect.message(WEB + "github_notification_ts_string.json", "1725998548.581159", true),
        Expect.message(WEB + "github_with_link.json", "1730339959.644979", true),
        Expect.message(WEB + "joinChannel.json", "1664222685.728809", false),
        Expect.message(WEB + "link.json", "1663978925.099999", false),
        // An unfurl: message_changed without `edited` is the original's identity again.
        Expect.message(WEB + "messageChange.json", "1663969333.524439", false),
        Expect.message(WEB + "messageExample.json", "1663966382.046509", false),
        Expect.message(WEB + "messageIm.json", "1664408649.009629", false),
        Expect.message(WEB + "message_deleted.json", "1663966382.046509", false)
            .kind(EntryKind.DELETION),
        Expect.message(WEB + "message_file_share.json", "1670631527.874149", false),
        Expect.message(WEB + "message_file_share_slack_connect.json", "1670631527.874149", false),
        Expect.message(WEB + "message_rich_text.json", "1670625739.704049", false),
        Expect.message(WEB + "message_subtype_bot_message.json", "1724955010.440469", true),
        Expect.message(WEB + "non_spec_attachment.json", "1725998548.581159", true),
        Expect.message(WEB + "share_with_message.json", "1724966800.923979", false),
        Expect.message(WEB + "share_without_message.json", "1668537593.598469", false),
        Expect.message(WEB + "shared_message_no_content.json", "1668537593.598469", false),
        Expect.message(WEB + "slackbotIm.json", "1664826477.425039", true),
        Expect.none(ZULIP + "challenge_handshake_payload.json"),
        Expect.message(ZULIP + "message_with_code_block.json", "1719211888.680799", false)
            .problems(Problem.NO_PATH),
        Expect.message(ZULIP + "message_with_inline_code.json", "1719211825.087659", false),
        Expect.message(ZULIP + "message_with_variety_files.json", "1719209815.105159", false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("captures")
  void captureGivesItsExpectedEntryAndReading(Expect expect) {
    JsonNode envelope = Fixtures.json(expect.file());

    List<JournalEntry> entries = SlackEvents.toEntries(envelope);

    if (expect.kind() == null) {
      assertThat(entries).isEmpty();
      return;
    }
    assertThat(entries).hasSize(1);
    JournalEntry entry = entries.get(0);
    assertThat(entry.kind()).isEqualTo(expect.kind());
    if (entry.kind() == EntryKind.CHANNEL) {
      // channel_created: the channel's name is journaled at once (issue 11)
      JsonNode channel = envelope.path("event").path("channel");
      assertThat(entry.channel()).isEqualTo(channel.path("id").asText());
      assertThat(Fixtures.parse(entry.payload()).path("name").asText())
          .isEqualTo(channel.path("name").asText());
      return;
    }
    assertThat(entry.ts()).isEqualTo(expect.ts());
    assertThat(entry.version()).isEqualTo(expect.version());
    assertThat(entry.threadTs()).isEqualTo(expect.threadTs());
    assertThat(entry.team()).isEqualTo(envelope.path("team_id").asText());
    assertThat(entry.channel()).isEqualTo(envelope.path("event").path("channel").asText());
    assertThat(entry.seq()).isZero();
    if (envelope.has("event_time")) {
      assertThat(entry.eventTime())
          .isEqualTo(Instant.ofEpochSecond(envelope.get("event_time").asLong()));
    }
    if (entry.kind() == EntryKind.MESSAGE) {
      JsonNode message = Fixtures.parse(entry.payload());
      assertThat(SlackMessages.isBot(message)).isEqualTo(expect.bot());
      ParsedMessage parsed = GRAMMAR.parse(message, List.of());
      assertThat(parsed.files()).hasSize(expect.files());
      assertThat(parsed.problems()).extracting(Problem::rule).isEqualTo(expect.problemRules());
      assertThat(parsed.changesTree()).isFalse();
    }
  }

  @Test
  void everyEventsApiCaptureIsInTheTable() throws IOException {
    List<String> listed = captures().map(Expect::file).toList();
    List<String> present = new ArrayList<>();
    for (String folder : List.of(WEB, ZULIP)) {
      try (Stream<Path> files = Files.list(Fixtures.root().resolve(folder))) {
        files
            .filter(p -> p.toString().endsWith(".json"))
            .forEach(p -> present.add(folder + p.getFileName()));
      }
    }
    assertThat(listed).containsExactlyInAnyOrderElementsOf(present);
  }

  @Test
  void zulipCodeBlockCaptureYieldsItsCodeVerbatim() {
    JsonNode event = Fixtures.json(ZULIP + "message_with_code_block.json").get("event");
    String code =
        """
        def is_bot_message(payload: WildValue) -> bool:
            app_api_id = payload.get("api_app_id").tame(check_none_or(check_string))
            bot_app_id = (
                payload.get("event", {})
                .get("bot_profile", {})
                .get("app_id")
                .tame(check_none_or(check_string))
            )
            return bot_app_id is not None and app_api_id == bot_app_id
        """;

    assertThat(GRAMMAR.codeBlocks(event)).containsExactly(code);

    // The same capture with a path line before it is a file holding that code, from the rich
    // text; and from the text alone (blocks dropped), unescaped to the same code.
    ObjectNode named = event.deepCopy();
    named.put("text", "`zerver/bots.py`\n" + event.get("text").asText());
    ParsedMessage withBlocks = GRAMMAR.parse(named, List.of());
    assertThat(withBlocks.problems()).isEmpty();
    assertThat(withBlocks.files())
        .extracting(f -> f.path().value(), FileBlock::content)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("zerver/bots.py", code));
    assertThat(withBlocks.commitMessage()).isEmpty();

    named.remove("blocks");
    assertThat(GRAMMAR.parse(named, List.of()).files().get(0).content()).isEqualTo(code);
  }

  @Test
  void unfurlCaptureIsTheOriginalMessagesIdentity() {
    JournalEntry unfurl = SlackEvents.toEntries(Fixtures.json(WEB + "messageChange.json")).get(0);
    JsonNode previous =
        Fixtures.json(WEB + "messageChange.json").path("event").path("previous_message");
    JournalEntry original =
        SlackEvents.toEntries(envelopeAround(previous, "C043YJGBY49", "T043DB835ML")).get(0);

    assertThat(
            List.of(unfurl.team(), unfurl.channel(), unfurl.ts(), unfurl.kind(), unfurl.version()))
        .isEqualTo(
            List.of(
                original.team(),
                original.channel(),
                original.ts(),
                original.kind(),
                original.version()));
  }

  @Test
  void messageTextWithoutCodeIsTheCommitMessageUnescaped() {
    JsonNode event = Fixtures.json(WEB + "message_rich_text.json").get("event");
    assertThat(GRAMMAR.parse(event, List.of()).commitMessage())
        .isEqualTo("<#C043YJGBY49|general> :cat: <@U043H11ES4V> https://google.com text text text");
  }

  @Test
  void fileShareCaptureWithItsSnippetIsAFile() {
    JsonNode event = Fixtures.json(WEB + "message_file_share.json").get("event");
    JsonNode file = event.get("files").get(0);
    Attachment snippet =
        new Attachment(
            file.get("id").asText(),
            file.get("name").asText(),
            file.get("title").asText(),
            file.get("mimetype").asText(),
            "name\r\nname\r\n".getBytes(StandardCharsets.UTF_8));

    ParsedMessage parsed = GRAMMAR.parse(event, List.of(snippet));

    // An upload keeps its exact bytes, CRLF included.
    assertThat(parsed.files()).containsExactly(fileBlock("namenamename.txt", "name\r\nname\r\n"));
    assertThat(parsed.commitMessage()).isEqualTo("message message message");
    assertThat(parsed.changesTree()).isTrue();
  }

  @Test
  void varietyOfFilesKeepsTheSnippetAndRefusesTheBinariesWithReasons() {
    JsonNode envelope = Fixtures.json(ZULIP + "message_with_variety_files.json");
    JournalEntry entry = SlackEvents.toEntries(envelope).get(0);
    // This capture has no event_time: the time comes from the event's ts.
    assertThat(envelope.has("event_time")).isFalse();
    assertThat(entry.eventTime()).isEqualTo(SlackTs.instant("1719209815.105159"));

    Map<String, byte[]> downloaded =
        Map.of(
            "postman-agent-0.4.25-linux-x64.tar.gz",
            new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0},
            "discord-0.0.55.deb",
            "!<arch>\ndebian-binary   \0\0".getBytes(StandardCharsets.ISO_8859_1),
            "Slack-bot-scopes-List.xlsx",
            new byte[] {'P', 'K', 3, 4, 20, 0, 6, 0},
            "wallpaper.jpg",
            new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xe0},
            "TestPDFfile.pdf",
            "%PDF-1.4\n".getBytes(StandardCharsets.ISO_8859_1),
            "channels.json",
            "[\n{\n    \"id\": \"C06NRA6JLER\",\n    \"name\": \"random\"\n}\n]"
                .getBytes(StandardCharsets.UTF_8));
    List<Attachment> attachments = new ArrayList<>();
    for (JsonNode file : envelope.path("event").path("files")) {
      String name = file.get("name").asText();
      attachments.add(
          new Attachment(
              file.get("id").asText(),
              name,
              file.get("title").asText(),
              file.get("mimetype").asText(),
              downloaded.get(name)));
    }

    ParsedMessage parsed = GRAMMAR.parse(Fixtures.parse(entry.payload()), attachments);

    assertThat(parsed.files())
        .containsExactly(
            fileBlock(
                "channels.json",
                "[\n{\n    \"id\": \"C06NRA6JLER\",\n    \"name\": \"random\"\n}\n]"));
    assertThat(parsed.problems())
        .extracting(Problem::input)
        .containsExactly(
            "postman-agent-0.4.25-linux-x64.tar.gz",
            "discord-0.0.55.deb",
            "Slack-bot-scopes-List.xlsx",
            "wallpaper.jpg",
            "TestPDFfile.pdf");
    assertThat(parsed.problems()).allMatch(p -> p.rule().equals(Problem.BINARY_ATTACHMENT));
    assertThat(parsed.problems().get(1).message())
        .contains("discord-0.0.55.deb", "only UTF-8 text, CSV and SVG");
    assertThat(parsed.refused()).isFalse();
    assertThat(parsed.commitMessage()).isEqualTo("Message with an assortment of file types");
  }

  private static FileBlock fileBlock(String path, String content) {
    return new FileBlock(dev.threadbare.core.grammar.RepoPath.of(path), content);
  }

  static JsonNode envelopeAround(JsonNode message, String channel, String team) {
    ObjectNode event = message.deepCopy();
    event.put("channel", channel);
    ObjectNode envelope = Fixtures.JSON.createObjectNode();
    envelope.put("type", "event_callback");
    envelope.put("team_id", team);
    envelope.set("event", event);
    return envelope;
  }
}
