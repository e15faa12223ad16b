package dev.threadbare.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.threadbare.core.journal.EntryKind;
import dev.threadbare.core.journal.Journal;
import dev.threadbare.core.journal.JournalEntry;
import dev.threadbare.journal.Journals;
import dev.threadbare.materializer.GitStore;
import dev.threadbare.materializer.Materializer;
import dev.threadbare.testing.JournalEntries;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backups of a real SQLite journal, restored into a new one and materialized into real git
 * repositories: every branch head and commit id comes back identical.
 */
class BackupRestoreTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String T = "T1";
  private static final String C = "C1";
  private static final String C2 = "C2";

  @TempDir Path dir;

  /** A chat with edits, deletions, threads, uploads, moves, reactions, renames, two channels. */
  static List<JournalEntry> history() {
    List<JournalEntry> entries = new ArrayList<>();
    entries.add(JournalEntries.user(T, "U1", "Ada", Instant.parse("2024-01-01T00:00:00Z")));
    entries.add(JournalEntries.user(T, "U2", "Bob", Instant.parse("2024-01-01T00:00:01Z")));
    entries.add(JournalEntries.channel(T, C, "dev", false, Instant.parse("2024-01-01T00:00:02Z")));
    entries.add(
        JournalEntries.channel(T, C2, "secret", true, Instant.parse("2024-01-01T00:00:03Z")));
    entries.add(
        JournalEntries.message(T, C, "1704067300.000100")
            .user("U1")
            .text("`app.py`\n```\nprint(1)\n```")
            .richText()
            .build());
    entries.add(
        JournalEntries.message(T, C, "1704067400.000200")
            .user("U2")
            .text("`lib/util.py`\n```\ndef f():\n    return 2\n```")
            .richText()
            .build());
    // An edit of the first message, a day later (another day file).
    entries.add(
        JournalEntries.message(T, C, "1704067300.000100")
            .user("U1")
            .text("`app.py`\n```\nprint(42)\n```")
            .richText()
            .edited("1704153700.000000")
            .build());
    // A thread with a reply defining a file, and a reaction on the root.
    entries.add(
        JournalEntries.message(T, C, "1704067500.000300")
            .user("U2")
            .text("`notes.md`\n```\nroot\n```")
            .richText()
            .build());
    entries.add(
        JournalEntries.message(T, C, "1704067600.000400")
            .user("U1")
            .thread("1704067500.000300")
            .text("`notes.md`\n```\nin the thread\n```")
            .richText()
            .build());
    entries.add(
        JournalEntries.reactionAdded(T, C, "1704067500.000300", "U1", "+1", "1704067650.000000"));
    entries.add(
        JournalEntries.reactionAdded(T, C, "1704067500.000300", "U2", "+1", "1704067660.000000"));
    entries.add(
        JournalEntries.reactionRemoved(T, C, "1704067500.000300", "U2", "+1", "1704067670.000000"));
    // An upload with its downloaded content.
    entries.add(
        JournalEntries.message(T, C, "1704067700.000500")
            .user("U2")
            .text("here is the data")
            .file("F1", "data.csv", "data.csv", "text/csv")
            .build());
    entries.add(
        JournalEntries.fileContent(
            T,
            C,
            "1704067700.000500",
            "F1",
            "data.csv",
            "data.csv",
            "text/csv",
            "a,b\r\n1,2".getBytes(StandardCharsets.UTF_8)));
    // A move and a removal, then the deletion of the second message.
    entries.add(
        JournalEntries.message(T, C, "1704067800.000600")
            .user("U1")
            .text("mv lib/util.py lib/helpers.py")
            .build());
    entries.add(JournalEntries.deletion(T, C, "1704067400.000200", "1704067900.000000"));
    entries.add(
        JournalEntries.message(T, C2, "1704068000.000700")
            .user("U1")
            .text("`secret.txt`\n```\nhush\n```")
            .richText()
            .build());
    entries.add(
        JournalEntries.channel(T, C, "dev-renamed", false, Instant.parse("2024-01-02T00:00:00Z")));
    return entries;
  }

  private Journal journal(String name) {
    return Journals.sqlite(dir.resolve(name).resolve("journal.db"));
  }

  /** Every ref of every channel repository, with the commit it names. */
  private static Map<String, String> heads(Path store) throws IOException {
    Map<String, String> heads = new TreeMap<>();
    GitStore git = GitStore.open(store);
    for (String channel : git.channels()) {
      for (var ref : git.repository(channel).getRefDatabase().getRefs()) {
        heads.put(channel + " " + ref.getName(), ref.getObjectId().name());
      }
    }
    return heads;
  }

  private static Map<String, String> materialize(Journal journal, Path store) throws IOException {
    try (Materializer materializer = Materializer.open(journal, store)) {
      materializer.catchUp();
    }
    return heads(store);
  }

  private static void restore(Restoration restoration, Journal journal) {
    List<JournalEntry> batch = new ArrayList<>();
    for (JournalEntry entry : restoration.entries()) {
      batch.add(entry.withSeq(0));
      if (batch.size() == 500) {
        journal.append(batch);
        batch.clear();
      }
    }
    journal.append(batch);
  }

  @Test
  void our_backup_restores_every_branch_head_and_commit_id() throws IOException {
    Map<String, String> original;
    List<JournalEntry> originalEntries;
    Path zip = dir.resolve("backup.zip");
    try (Journal journal = journal("a")) {
      journal.append(history());
      original = materialize(journal, dir.resolve("a/git"));
      originalEntries = journal.read(0, 10_000);
      BackupSummary summary = Backups.write(journal, zip, BackupOptions.withoutSecrets());
      assertThat(summary.entries()).isEqualTo(originalEntries.size());
      assertThat(summary.lastSeq()).isEqualTo(originalEntries.size());
      assertThat(summary.channels()).isEqualTo(2);
      assertThat(summary.messages()).isEqualTo(6); // 8 messages, one deleted, edits counted once
      assertThat(summary.bytes()).isEqualTo(Files.size(zip));
    }
    // Threads, a file and a move: the original has branches beyond main in two channels.
    assertThat(original.keySet())
        .contains(
            "C1 refs/heads/main", "C1 refs/heads/thread/1704067500.000300", "C2 refs/heads/main");

    Restoration restoration = Backups.read(zip, null);
    assertThat(restoration.fromThreadbare()).isTrue();
    assertThat(restoration.notRestorable()).isEmpty();
    try (Journal restored = journal("b")) {
      restore(restoration, restored);
      assertThat(restored.read(0, 10_000)).isEqualTo(originalEntries);
      assertThat(materialize(restored, dir.resolve("b/git"))).isEqualTo(original);
    }
  }

  /**
   * Backup and restore hold little in memory: with a budget of a few hundred characters the facts
   * spill into many sorted runs on each side, and the merge still gives the same zip content, the
   * same entries in seq order and the same commits; the scratch folders are gone afterwards.
   */
  @Test
  void a_backup_and_restore_spilled_to_many_small_runs_give_the_same_commits() throws IOException {
    Map<String, String> original;
    List<JournalEntry> originalEntries;
    Path small = dir.resolve("small.zip");
    Path whole = dir.resolve("whole.zip");
    ExportWriter writer = new ExportWriter(ExportWriter.KNOWN, BackupOptions.withoutSecrets(), 300);
    try (Journal journal = journal("a")) {
      journal.append(history());
      original = materialize(journal, dir.resolve("a/git"));
      originalEntries = journal.read(0, 10_000);
      writer.write(journal, small);
      Backups.write(journal, whole, BackupOptions.withoutSecrets());
    }
    assertThat(writer.spilledRuns()).isGreaterThan(3);
    assertThat(zipContents(small)).isEqualTo(zipContents(whole));

    Path scratch = dir.resolve("scratch");
    List<JournalEntry> read = new ArrayList<>();
    try (OpenedExport export = ExportReader.open(small, null, scratch, 300)) {
      assertThat(export.fromThreadbare()).isTrue();
      assertThat(export.entryCount()).isEqualTo(originalEntries.size());
      assertThat(scratch).isDirectory();
      try (var runs = Files.list(scratch)) {
        assertThat(runs.count()).isGreaterThan(3);
      }
      export.forEachEntry(read::add);
    }
    assertThat(scratch).doesNotExist();
    assertThat(dir).isDirectoryNotContaining("glob:**.part*");
    assertThat(read).isEqualTo(originalEntries);
    try (Journal restored = journal("b")) {
      restore(new Restoration(true, read, List.of(), Map.of()), restored);
      assertThat(materialize(restored, dir.resolve("b/git"))).isEqualTo(original);
    }
  }

  /** Each zip entry's content but the manifest (which carries the time it was made). */
  private static Map<String, String> zipContents(Path zip) throws IOException {
    Map<String, String> contents = new TreeMap<>();
    try (ZipFile file = new ZipFile(zip.toFile())) {
      for (ZipEntry entry : java.util.Collections.list(file.entries())) {
        if (!entry.getName().equals(ExportWriter.MANIFEST)) {
          try (InputStream in = file.getInputStream(entry)) {
            contents.put(entry.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
          }
        }
      }
    }
    return contents;
  }

  @Test
  void the_backup_is_a_slack_export() throws IOException {
    Path zip = dir.resolve("backup.zip");
    try (Journal journal = journal("a")) {
      journal.append(history());
      Backups.write(journal, zip, BackupOptions.withoutSecrets());
    }
    try (ZipFile file = new ZipFile(zip.toFile())) {
      JsonNode channels = read(file, "channels.json");
      assertThat(channels)
          .extracting(c -> c.get("name").asText())
          .containsExactly("dev-renamed", "secret");
      assertThat(channels.get(1).get("is_private").asBoolean()).isTrue();
      assertThat(read(file, "users.json"))
          .extracting(u -> u.get("name").asText())
          .containsExactly("Ada", "Bob");

      JsonNode firstDay = read(file, "dev-renamed/2024-01-01.json");
      // The edited message shows its current version, its history in the facts.
      JsonNode app = firstDay.get(0);
      assertThat(app.get("ts").asText()).isEqualTo("1704067300.000100");
      assertThat(app.get("text").asText()).contains("print(42)");
      assertThat(app.get("edited").get("ts").asText()).isEqualTo("1704153700.000000");
      assertThat(app.get("threadbare")).hasSize(2);
      // The deleted message is a tombstone, its versions and deletion kept as facts.
      JsonNode deleted = firstDay.get(1);
      assertThat(deleted.get("subtype").asText()).isEqualTo("tombstone");
      assertThat(deleted.get("threadbare"))
          .extracting(f -> f.get("kind").asText())
          .containsExactly("MESSAGE", "DELETION");
      // Reactions as Slack shows them: net of the removal.
      JsonNode root = firstDay.get(2);
      assertThat(root.get("reactions").toString())
          .isEqualTo("[{\"name\":\"+1\",\"users\":[\"U1\"],\"count\":1}]");
      JsonNode upload = firstDay.get(4);
      JsonNode content = upload.get("threadbare").get(1);
      assertThat(content.get("kind").asText()).isEqualTo("FILE_CONTENT");
      assertThat(content.get("content_path").asText()).isEqualTo("__uploads/F1/data.csv");
      try (InputStream in = file.getInputStream(file.getEntry("__uploads/F1/data.csv"))) {
        assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("a,b\r\n1,2");
      }
      assertThat(file.getEntry("secret/2024-01-01.json")).isNotNull();
      JsonNode manifest = read(file, "threadbare.json");
      assertThat(manifest.get("with_secrets").asBoolean()).isFalse();
      assertThat(manifest.get("journal_last_seq").asLong()).isEqualTo(history().size());
    }
  }

  @Test
  void an_entry_kind_the_exporter_does_not_know_fails_the_backup() {
    Path zip = dir.resolve("backup.zip");
    try (Journal journal = journal("a")) {
      journal.append(history());
      EnumSet<EntryKind> withoutRemovals = EnumSet.copyOf(ExportWriter.KNOWN);
      withoutRemovals.remove(EntryKind.REACTION_REMOVED);
      assertThatThrownBy(
              () ->
                  new ExportWriter(withoutRemovals, BackupOptions.withoutSecrets())
                      .write(journal, zip))
          .isInstanceOf(UnknownEntryKindException.class)
          .hasMessageContaining("seq 12 is of kind REACTION_REMOVED")
          .hasMessageContaining("ExportWriter");
    }
    assertThat(zip).doesNotExist();
    assertThat(dir.resolve("backup.zip.part")).doesNotExist();
  }

  /** When a kind is added to the journal, this fails until the exporter places it. */
  @Test
  void the_exporter_knows_every_entry_kind() {
    assertThat(ExportWriter.KNOWN).isEqualTo(EnumSet.allOf(EntryKind.class));
  }

  @Test
  void a_backup_taken_while_a_writer_appends_is_a_prefix_of_the_journal() throws Exception {
    Path zip = dir.resolve("backup.zip");
    try (Journal journal = journal("a")) {
      journal.append(history());
      AtomicBoolean stop = new AtomicBoolean();
      AtomicReference<Throwable> failed = new AtomicReference<>();
      Thread writer =
          new Thread(
              () -> {
                try {
                  for (int i = 0; !stop.get(); i++) {
                    journal.append(
                        List.of(
                            JournalEntries.message(
                                    T, C, String.format("%d.%06d", 1704070000 + i, i % 1_000_000))
                                .user("U1")
                                .text("line " + i)
                                .build()));
                  }
                } catch (Throwable e) {
                  failed.set(e);
                }
              });
      writer.start();
      BackupSummary summary;
      try {
        summary = Backups.write(journal, zip, BackupOptions.withoutSecrets());
      } finally {
        stop.set(true);
        writer.join();
      }
      assertThat(failed.get()).isNull();
      Restoration restoration = Backups.read(zip, null);
      assertThat(restoration.entries()).hasSize((int) summary.lastSeq());
      assertThat(restoration.entries()).isEqualTo(journal.read(0, (int) summary.lastSeq()));
    }
  }

  @Test
  void secrets_stay_out_unless_asked_for() throws IOException {
    JournalEntry withLink =
        new JournalEntry(
            0,
            T,
            C,
            "1704067700.000500",
            EntryKind.MESSAGE,
            "",
            null,
            "U1",
            Instant.parse("2024-01-01T00:08:20Z"),
            "{\"type\":\"message\",\"ts\":\"1704067700.000500\",\"user\":\"U1\",\"text\":\"f\","
                + "\"files\":[{\"id\":\"F9\",\"url_private\":"
                + "\"https://files.slack.com/x.js?t=xoxe-1173-3213-facd2299\"}]}");
    Path plain = dir.resolve("plain.zip");
    Path secret = dir.resolve("secret.zip");
    try (Journal journal = journal("a")) {
      journal.append(List.of(withLink));
      Backups.write(journal, plain, BackupOptions.withoutSecrets());
      Backups.write(
          journal,
          secret,
          new BackupOptions(
              true, Map.of("bot-token", "xoxb-1-2-3".getBytes(StandardCharsets.UTF_8))));
    }
    assertThat(allText(plain)).doesNotContain("xoxe-1173").doesNotContain("xoxb-");
    assertThat(allText(secret)).contains("xoxe-1173-3213-facd2299").contains("xoxb-1-2-3");
    Restoration restored = Backups.read(secret, null);
    assertThat(new String(restored.secretFiles().get("bot-token"), StandardCharsets.UTF_8))
        .isEqualTo("xoxb-1-2-3");
    assertThat(Backups.read(plain, null).secretFiles()).isEmpty();
  }

  private static String allText(Path zip) throws IOException {
    StringBuilder text = new StringBuilder();
    try (ZipFile file = new ZipFile(zip.toFile())) {
      for (ZipEntry entry : java.util.Collections.list(file.entries())) {
        try (InputStream in = file.getInputStream(entry)) {
          text.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
      }
    }
    return text.toString();
  }

  private static JsonNode read(ZipFile file, String name) throws IOException {
    ZipEntry entry = file.getEntry(name);
    assertThat(entry).as(name).isNotNull();
    try (InputStream in = file.getInputStream(entry)) {
      return JSON.readTree(in);
    }
  }
}
