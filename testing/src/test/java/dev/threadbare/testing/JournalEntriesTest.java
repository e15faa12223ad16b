package dev.threadbare.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.threadbare.core.journal.EntryKind;
import dev.threadbare.core.journal.JournalEntry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class JournalEntriesTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aMessageHasSlacksEventShapeAndIdentity() throws Exception {
    JournalEntry entry =
        JournalEntries.message("T1", "C1", "1700000000.000100")
            .user("U1")
            .text("if a < b && c > d")
            .thread("1699999999.000001")
            .build();

    assertThat(entry.kind()).isEqualTo(EntryKind.MESSAGE);
    assertThat(entry.version()).isEmpty();
    assertThat(entry.threadTs()).isEqualTo("1699999999.000001");
    assertThat(entry.user()).isEqualTo("U1");
    assertThat(entry.eventTime()).isEqualTo(Instant.ofEpochSecond(1_700_000_000L, 100_000));
    JsonNode payload = JSON.readTree(entry.payload());
    assertThat(payload.path("type").asText()).isEqualTo("message");
    assertThat(payload.path("text").asText()).isEqualTo("if a &lt; b &amp;&amp; c &gt; d");
    assertThat(payload.path("ts").asText()).isEqualTo("1700000000.000100");
    assertThat(payload.path("thread_ts").asText()).isEqualTo("1699999999.000001");
    assertThat(payload.path("channel").asText()).isEqualTo("C1");
    assertThat(payload.has("edited")).isFalse();
  }

  @Test
  void payloadsAreDeterministic() {
    var builder = JournalEntries.message("T1", "C1", "1700000000.000100").text("same").richText();

    assertThat(builder.build()).isEqualTo(builder.build());
    assertThat(
            JournalEntries.message("T1", "C1", "1700000000.000100").text("same").richText().build())
        .isEqualTo(builder.build());
  }

  @Test
  void anEditIsVersionedByItsEditTs() throws Exception {
    JournalEntry edit =
        JournalEntries.message("T1", "C1", "1700000000.000100")
            .user("U1")
            .text("v2")
            .edited("1700000050.250000")
            .build();

    assertThat(edit.version()).isEqualTo("1700000050.250000");
    assertThat(edit.eventTime()).isEqualTo(Instant.parse("2023-11-14T22:14:10.250Z"));
    JsonNode edited = JSON.readTree(edit.payload()).path("edited");
    assertThat(edited.path("ts").asText()).isEqualTo("1700000050.250000");
    assertThat(edited.path("user").asText()).isEqualTo("U1");
  }

  @Test
  void richTextCarriesTheUnescapedCodeOfEachFence() throws Exception {
    JournalEntry entry =
        JournalEntries.message("T1", "C1", "1700000000.000100")
            .text("`src/app.py`\n```\nif a < b:\n    print(\"&\")\n```\nthanks")
            .richText()
            .build();

    JsonNode elements = JSON.readTree(entry.payload()).path("blocks").path(0).path("elements");
    assertThat(elements).hasSize(3);
    assertThat(elements.path(0).path("type").asText()).isEqualTo("rich_text_section");
    assertThat(elements.path(0).path("elements").path(0).path("text").asText())
        .isEqualTo("`src/app.py`\n");
    assertThat(elements.path(1).path("type").asText()).isEqualTo("rich_text_preformatted");
    assertThat(elements.path(1).path("elements").path(0).path("text").asText())
        .isEqualTo("if a < b:\n    print(\"&\")");
    assertThat(elements.path(2).path("elements").path(0).path("text").asText())
        .isEqualTo("\nthanks");
  }

  @Test
  void otherKindsFollowEntryKindsConventions() throws Exception {
    JournalEntry reaction =
        JournalEntries.reactionAdded("T1", "C1", "1700000000.000100", "U2", "+1", "1700000010.0");
    assertThat(reaction.version()).isEqualTo("U2:+1:1700000010.0");
    assertThat(JSON.readTree(reaction.payload()).path("item").path("ts").asText())
        .isEqualTo("1700000000.000100");

    JournalEntry user = JournalEntries.user("T1", "U2", "Zoë", Instant.EPOCH);
    assertThat(user.channel()).isEmpty();
    assertThat(user.ts()).isEqualTo("0");
    assertThat(user.version()).isEqualTo("U2");

    JournalEntry file =
        JournalEntries.fileContent(
            "T1",
            "C1",
            "1700000000.000100",
            "F1",
            "app.py",
            "src/app.py",
            "text/x-python",
            "print(1)\n".getBytes(StandardCharsets.UTF_8));
    assertThat(file.version()).isEqualTo("F1");
    assertThat(JSON.readTree(file.payload()).path("content_base64").asText())
        .isEqualTo("cHJpbnQoMSkK");

    JournalEntry deletion =
        JournalEntries.deletion("T1", "C1", "1700000000.000100", "1700000020.000000");
    assertThat(deletion.kind()).isEqualTo(EntryKind.DELETION);
    assertThat(JSON.readTree(deletion.payload()).path("deleted_ts").asText())
        .isEqualTo("1700000000.000100");
  }

  @Test
  void aMalformedTsIsRefusedNamingIt() {
    assertThatThrownBy(() -> JournalEntries.message("T1", "C1", "yesterday"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ts `yesterday` is not a Slack ts");
  }
}
