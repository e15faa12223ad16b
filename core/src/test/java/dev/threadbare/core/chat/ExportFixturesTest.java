package dev.threadbare.core.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.threadbare.core.Fixtures;
import dev.threadbare.core.grammar.ChatGrammar;
import dev.threadbare.core.grammar.ParsedMessage;
import dev.threadbare.core.grammar.Problem;
import dev.threadbare.core.journal.EntryKind;
import dev.threadbare.core.journal.JournalEntry;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/** Slack export messages (the 2016 archive and Zulip's captures) through SlackEvents + grammar. */
class ExportFixturesTest {

  private static final ChatGrammar GRAMMAR = ChatGrammar.create();
  private static final String ZULIP =
      "zulip-slack/zerver/tests/fixtures/slack_fixtures/exported_messages_fixtures/";

  /** One message of the archive, as journal entry and as read by the grammar. */
  record Read(String channel, JsonNode message, JournalEntry entry, ParsedMessage parsed) {}

  private static List<Read> readArchive() throws IOException {
    List<Read> reads = new ArrayList<>();
    try (ZipFile zip = new ZipFile(Fixtures.path("slack-export-viewer/testarchive.zip").toFile())) {
      Map<String, String> channelIds = new HashMap<>();
      for (JsonNode channel : json(zip, zip.getEntry("channels.json"))) {
        channelIds.put(channel.get("name").asText(), channel.get("id").asText());
      }
      List<? extends ZipEntry> entries = Collections.list(zip.entries());
      for (ZipEntry day : entries) {
        String name = day.getName();
        int slash = name.indexOf('/');
        if (day.isDirectory() || slash < 0 || !name.endsWith(".json")) {
          continue;
        }
        String channelId = channelIds.get(name.substring(0, slash));
        for (JsonNode message : json(zip, day)) {
          JournalEntry entry = SlackEvents.fromExportMessage("T0EXPORT", channelId, message);
          reads.add(new Read(channelId, message, entry, GRAMMAR.parse(message, List.of())));
        }
      }
    }
    return reads;
  }

  private static JsonNode json(ZipFile zip, ZipEntry entry) throws IOException {
    try (InputStream in = zip.getInputStream(entry)) {
      return Fixtures.JSON.readTree(in);
    }
  }

  @Test
  void archiveMessagesBecomeMessageEntries() throws IOException {
    List<Read> reads = readArchive();

    assertThat(reads).hasSize(158);
    assertThat(reads).allSatisfy(r -> assertThat(r.entry().kind()).isEqualTo(EntryKind.MESSAGE));
    assertThat(reads).extracting(r -> r.entry().channel()).containsOnly("C0JGLMMNX", "C0JL6CGQ2");
    assertThat(reads).allSatisfy(r -> assertThat(r.entry().threadTs()).isNull());
    // The one edited message carries its edit as version and event time.
    List<Read> edited = reads.stream().filter(r -> !r.entry().version().isEmpty()).toList();
    assertThat(edited).hasSize(1);
    assertThat(edited.get(0).entry().ts()).isEqualTo("1458972985.000010");
    assertThat(edited.get(0).entry().version()).isEqualTo("1458981134.000000");
    assertThat(edited.get(0).entry().eventTime()).isEqualTo(SlackTs.instant("1458981134"));
  }

  @Test
  void archiveBotMessagesAreDetectedAndNeverCode() throws IOException {
    List<Read> reads = readArchive();
    List<Read> bots = reads.stream().filter(r -> SlackMessages.isBot(r.message())).toList();

    // 94 bot_message posts plus the 3 bot_add notices, which carry a bot_id.
    assertThat(bots).hasSize(97);
    assertThat(
            bots.stream().filter(r -> "bot_message".equals(r.message().path("subtype").asText())))
        .hasSize(94);
    assertThat(bots).allSatisfy(r -> assertThat(r.parsed()).isEqualTo(ParsedMessage.empty()));
  }

  @Test
  void archiveCodeBlocksHaveNoPathSoNothingChanges() throws IOException {
    List<Read> reads = readArchive();
    List<Read> withCode =
        reads.stream().filter(r -> !GRAMMAR.codeBlocks(r.message()).isEmpty()).toList();

    assertThat(withCode).hasSize(14);
    assertThat(reads).allSatisfy(r -> assertThat(r.parsed().changesTree()).isFalse());
    assertThat(withCode)
        .allSatisfy(
            r ->
                assertThat(r.parsed().problems())
                    .extracting(Problem::rule)
                    .containsExactly(Problem.NO_PATH));
    List<String> code =
        withCode.stream().flatMap(r -> GRAMMAR.codeBlocks(r.message()).stream()).toList();
    // Entities are undone, auto-links inside code become the text typed.
    assertThat(code).anyMatch(c -> c.contains("line 5, in <module>\n"));
    assertThat(code)
        .anyMatch(
            c ->
                c.startsWith(
                    "wget http://downloads.mesosphere.io/master/debian/8/"
                        + "mesos-0.27.0-py2.7-linux-x86_64.egg\neasy_install "));
    assertThat(code).anyMatch(c -> c.contains("\nBest fitness: 28919.8689279\nTook 26.39s\n"));
    assertThat(code)
        .noneMatch(c -> c.contains("&lt;") || c.contains("&gt;") || c.contains("&amp;"));
    assertThat(code).allMatch(c -> c.endsWith("\n") && !c.endsWith("\n\n"));
  }

  @Test
  void archiveMentionBeforeACodeBlockIsNotAPathAndStaysInTheMessage() throws IOException {
    Read wget =
        readArchive().stream()
            .filter(r -> r.entry().ts().equals("1454905089.000017"))
            .findFirst()
            .orElseThrow();
    assertThat(wget.parsed().files()).isEmpty();
    assertThat(wget.parsed().commitMessage())
        .isEqualTo(
            """
            <@U0BMYT2FL>:
            ```
            wget http://downloads.mesosphere.io/master/debian/8/mesos-0.27.0-py2.7-linux-x86_64.egg
            easy_install mesos-0.27.0-py2.7-linux-x86_64.egg
            ```""");
  }

  @Test
  void zulipExportCodeBlockKeepsItsFirstLineAsCode() {
    JsonNode message = Fixtures.json(ZULIP + "message_with_code_block.json");
    JournalEntry entry = SlackEvents.fromExportMessage("T06NRA6HM3P", "C06NRA6JLER", message);

    assertThat(entry.ts()).isEqualTo("1772029642.852459");
    assertThat(entry.version()).isEmpty();
    assertThat(entry.user()).isEqualTo("U06NU4E26M9");
    assertThat(GRAMMAR.codeBlocks(message))
        .containsExactly(
            """
            # I'm a code block!

            def convert_slack_formatting(text: str) -> str:
                return text
            """);
    assertThat(GRAMMAR.parse(message, List.of()).problems())
        .extracting(Problem::rule)
        .containsExactly(Problem.NO_PATH);
  }

  @Test
  void zulipExportThreadsMapRepliesToTheirRoot() {
    JsonNode thread = Fixtures.json(ZULIP + "normal_thread.json");
    List<JournalEntry> entries = new ArrayList<>();
    for (JsonNode message : thread) {
      entries.add(SlackEvents.fromExportMessage("T1", "C1", message));
    }
    assertThat(entries)
        .extracting(JournalEntry::ts, JournalEntry::threadTs)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("1434139102.000002", null),
            org.assertj.core.groups.Tuple.tuple("1439868294.000007", "1434139102.000002"),
            org.assertj.core.groups.Tuple.tuple("1539868294.000007", null),
            org.assertj.core.groups.Tuple.tuple("1449868294.000007", "1539868294.000007"));

    JsonNode broadcast = Fixtures.json(ZULIP + "thread_with_broadcast_reply.json");
    JournalEntry reply = SlackEvents.fromExportMessage("T1", "C1", broadcast.get(2));
    assertThat(broadcast.get(2).path("subtype").asText()).isEqualTo("thread_broadcast");
    assertThat(reply.threadTs()).isEqualTo("1434139102.000002");
    assertThat(GRAMMAR.parse(broadcast.get(2), List.of()).commitMessage())
        .isEqualTo("everyone should see this");
  }

  @Test
  void zulipExportFilesWithRichTextHaveNoCode() {
    JsonNode message = Fixtures.json(ZULIP + "message_with_variety_files_and_rich_text.json");
    JournalEntry entry = SlackEvents.fromExportMessage("T1", "C1", message);
    ParsedMessage parsed = GRAMMAR.parse(message, List.of());

    assertThat(entry.ts()).isEqualTo("1772636065.551219");
    assertThat(parsed.files()).isEmpty();
    assertThat(parsed.problems()).isEmpty();
    assertThat(parsed.commitMessage())
        .isEqualTo("message with *files  <@U074VRHQ11T>*\nF07A32DC2GG");
  }
}
