package dev.threadbare.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.threadbare.core.journal.EntryKind;
import dev.threadbare.core.journal.Journal;
import dev.threadbare.core.journal.JournalEntry;
import dev.threadbare.journal.Journals;
import dev.threadbare.materializer.Materializer;
import dev.threadbare.testing.Fixtures;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real export a Slack admin downloaded (slack-export-viewer's 2016 test archive), restored. */
class SlackExportRestoreTest {

  private static final Path ARCHIVE = Fixtures.path("slack-export-viewer/testarchive.zip");

  @TempDir Path dir;

  @Test
  void the_archive_becomes_journal_entries_and_lists_the_three_truncated_snippets() {
    Restoration restoration = Backups.read(ARCHIVE, null);

    assertThat(restoration.fromThreadbare()).isFalse();
    List<JournalEntry> entries = restoration.entries();
    assertThat(entries.stream().filter(e -> e.kind() == EntryKind.MESSAGE)).hasSize(158);
    assertThat(entries.stream().filter(e -> e.kind() == EntryKind.CHANNEL))
        .extracting(JournalEntry::channel)
        .containsExactlyInAnyOrder("C0JGLMMNX", "C0JL6CGQ2");
    assertThat(entries.stream().filter(e -> e.kind() == EntryKind.USER)).isNotEmpty();
    assertThat(entries.stream().filter(e -> e.kind() == EntryKind.REACTION_ADDED)).isNotEmpty();
    // Never written truncated: no file content comes from a preview that is not the whole file.
    assertThat(entries.stream().filter(e -> e.kind() == EntryKind.FILE_CONTENT)).isEmpty();
    // Users and channels come first, then messages in ts order.
    assertThat(entries.get(0).kind()).isEqualTo(EntryKind.USER);
    List<String> messageTs =
        entries.stream().filter(e -> e.kind() == EntryKind.MESSAGE).map(JournalEntry::ts).toList();
    assertThat(messageTs).isSortedAccordingTo(ExportWriter.BY_TS);

    assertThat(restoration.notRestorable())
        .extracting(NotRestorable::channelName, NotRestorable::ts, NotRestorable::path)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "traveling-sailor", "1459052866.000012", "100_cities.js"),
            org.assertj.core.groups.Tuple.tuple(
                "traveling-sailor", "1459105865.000017", "10_cities.js"),
            org.assertj.core.groups.Tuple.tuple(
                "traveling-sailor", "1459155174.000025", "cities1000.js"));
    assertThat(restoration.notRestorable().get(0).reason())
        .contains("truncated preview")
        .contains("of 4163 bytes");
  }

  @Test
  void restoring_the_same_export_twice_changes_nothing() {
    Restoration restoration = Backups.read(ARCHIVE, null);
    try (Journal journal = Journals.sqlite(dir.resolve("journal.db"))) {
      List<JournalEntry> first = journal.append(restoration.entries());
      assertThat(first).hasSize(restoration.entries().size());
      try (Materializer materializer = Materializer.open(journal, dir.resolve("git"))) {
        materializer.catchUp();
        assertThat(materializer.store().channels()).hasSize(2);
      }
      long last = journal.lastSeq();
      assertThat(journal.append(Backups.read(ARCHIVE, null).entries())).isEmpty();
      assertThat(journal.lastSeq()).isEqualTo(last);
    }
  }

  @Test
  void a_snippet_whose_preview_is_whole_is_restored() throws IOException {
    Path zip = dir.resolve("small.zip");
    String whole = "print('hi')\n";
    String cut = "x = 1\n";
    try (OutputStream out = Files.newOutputStream(zip);
        ZipOutputStream export = new ZipOutputStream(out)) {
      put(export, "channels.json", "[{\"id\":\"C1\",\"name\":\"dev\",\"created\":1700000000}]");
      put(export, "users.json", "[{\"id\":\"U1\",\"team_id\":\"T1\",\"name\":\"ada\"}]");
      put(
          export,
          "dev/2023-11-14.json",
          "[{\"type\":\"message\",\"user\":\"U1\",\"ts\":\"1700000000.000100\",\"text\":\"\","
              + "\"files\":[{\"id\":\"F1\",\"name\":\"hi.py\",\"title\":\"hi.py\",\"mode\":\"snippet\","
              + "\"mimetype\":\"text/plain\",\"size\":"
              + whole.length()
              + ",\"preview\":\"print('hi')\\n\"},"
              + "{\"id\":\"F2\",\"name\":\"big.py\",\"title\":\"src/big.py\",\"mode\":\"snippet\","
              + "\"size\":900,\"preview\":\"x = 1\\n\",\"preview_is_truncated\":true},"
              + "{\"id\":\"F3\",\"name\":\"logo.png\",\"mode\":\"hosted\",\"size\":9000}]}]");
    }
    Restoration restoration = Backups.read(zip, null);
    List<JournalEntry> contents = new ArrayList<>();
    restoration.entries().stream()
        .filter(e -> e.kind() == EntryKind.FILE_CONTENT)
        .forEach(contents::add);
    assertThat(contents).extracting(JournalEntry::version).containsExactly("F1");
    assertThat(contents.get(0).payload())
        .contains(
            java.util.Base64.getEncoder().encodeToString(whole.getBytes(StandardCharsets.UTF_8)));
    assertThat(restoration.notRestorable())
        .extracting(NotRestorable::path, NotRestorable::reason)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "src/big.py",
                "the export carries only a truncated preview (" + cut.length() + " of 900 bytes)"),
            org.assertj.core.groups.Tuple.tuple(
                "logo.png",
                "the export does not carry its content (downloading it from Slack needs a"
                    + " token)"));
  }

  @Test
  void a_zip_that_is_no_export_is_refused_by_name() throws IOException {
    Path notZip = dir.resolve("notes.txt");
    Files.writeString(notZip, "hello");
    assertThatThrownBy(() -> Backups.read(notZip, null))
        .isInstanceOf(BadExportException.class)
        .hasMessageContaining("notes.txt is not a zip file");
    Path empty = dir.resolve("empty.zip");
    try (ZipOutputStream export = new ZipOutputStream(Files.newOutputStream(empty))) {
      put(export, "readme.txt", "nothing");
    }
    assertThatThrownBy(() -> Backups.read(empty, null))
        .isInstanceOf(BadExportException.class)
        .hasMessageContaining("it is not a Slack export");
  }

  private static void put(ZipOutputStream zip, String name, String text) throws IOException {
    zip.putNextEntry(new ZipEntry(name));
    zip.write(text.getBytes(StandardCharsets.UTF_8));
    zip.closeEntry();
  }
}
