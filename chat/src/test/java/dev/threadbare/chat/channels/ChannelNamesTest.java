package dev.threadbare.chat.channels;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadbare.chat.WorkspaceHarness;
import dev.threadbare.core.journal.EntryKind;
import dev.threadbare.core.journal.JournalEntry;
import dev.threadbare.testing.JournalEntries;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A new channel's name is learned from the first entry naming it, against the local workspace. */
class ChannelNamesTest {

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

  @Test
  void theFirstEntryOfAnUnknownChannelLooksItsNameUpOnce() {
    String fresh = chat.createChannel("fresh-channel");
    ChannelNames names = ChannelNames.create(chat.bot, chat.workspace.botToken());
    JournalEntry post =
        JournalEntries.message("T1", fresh, "1700000001.000100").user("U1").text("hi").build();

    List<JournalEntry> learned = names.apply(List.of(post));
    assertThat(learned)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.kind()).isEqualTo(EntryKind.CHANNEL);
              assertThat(e.channel()).isEqualTo(fresh);
              assertThat(e.payload()).contains("\"name\":\"fresh-channel\"");
            });
    // Known now: the next message asks nothing.
    assertThat(
            names.apply(
                List.of(
                    JournalEntries.message("T1", fresh, "1700000002.000100")
                        .user("U1")
                        .text("again")
                        .build())))
        .isEmpty();
  }
}
