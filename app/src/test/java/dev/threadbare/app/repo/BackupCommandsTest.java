package dev.threadbare.app.repo;

import static dev.threadbare.app.repo.RepoCommandsTest.block;
import static dev.threadbare.app.repo.RepoCommandsTest.deletion;
import static dev.threadbare.app.repo.RepoCommandsTest.edit;
import static dev.threadbare.app.repo.RepoCommandsTest.message;
import static dev.threadbare.app.repo.RepoCommandsTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.threadbare.app.repo.RepoCommandsTest.Run;
import dev.threadbare.materializer.GitStore;
import dev.threadbare.testing.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code threadbare backup} and {@code restore} through the CLI, on real files and git. */
class BackupCommandsTest {

  @TempDir Path root;

  private static Map<String, String> heads(Path data) throws IOException {
    Map<String, String> heads = new TreeMap<>();
    GitStore git = GitStore.open(data.resolve("git"));
    for (String channel : git.channels()) {
      for (var ref : git.repository(channel).getRefDatabase().getRefs()) {
        heads.put(channel + " " + ref.getName(), ref.getObjectId().name());
      }
    }
    return heads;
  }

  private Path ingested() throws IOException {
    Path events = root.resolve("events.jsonl");
    Files.write(
        events,
        List.of(
            message("1700000001.000100", "Add the app\n" + block("src/app.py", "print(1)")),
            message("1700000002.000100", block("README.md", "# hi")),
            message(
                "1700000003.000100",
                "1700000001.000100",
                "try this\n" + block("src/app.py", "print(2)")),
            edit("1700000001.000100", "1700000010.000000", block("src/app.py", "print(3)")),
            message("1700000012.000100", "mv src/app.py src/main.py"),
            deletion("1700000002.000100", "1700000011.000000")),
        StandardCharsets.UTF_8);
    Path data = root.resolve("data");
    Run ingest = run("ingest", "--data", data.toString(), events.toString());
    assertThat(ingest.status()).as(ingest.err()).isZero();
    return data;
  }

  @Test
  void backup_then_restore_gives_the_same_commits_and_refuses_a_directory_with_data()
      throws IOException {
    Path data = ingested();
    Path zip = root.resolve("chat.zip");
    Run backup = run("backup", "--data", data.toString(), zip.toString());
    assertThat(backup.err()).isEmpty();
    assertThat(backup.status()).isZero();
    assertThat(backup.out())
        .contains("3 messages (6 journal entries up to seq 6) in 1 channels")
        .contains("no secrets (tokens left out; --with-secrets includes them)");

    Path restored = root.resolve("restored");
    Run restore = run("restore", "--data", restored.toString(), zip.toString());
    assertThat(restore.err()).isEmpty();
    assertThat(restore.status()).isZero();
    assertThat(restore.out())
        .contains(
            "restored a threadbare backup: 6 journal entries (6 new), 1 channel repositories");
    Map<String, String> original = heads(data);
    assertThat(original).containsKey("C1 refs/heads/thread/1700000001.000100");
    assertThat(heads(restored)).isEqualTo(original);

    Run refused = run("restore", "--data", restored.toString(), zip.toString());
    assertThat(refused.status()).isNotZero();
    assertThat(refused.err())
        .contains("data directory " + restored + " already holds data")
        .contains("--merge");

    Run merged = run("restore", "--merge", "--data", restored.toString(), zip.toString());
    assertThat(merged.status()).as(merged.err()).isZero();
    assertThat(merged.out()).contains("6 journal entries (0 new)");
    assertThat(heads(restored)).isEqualTo(original);
  }

  @Test
  void a_slack_export_restores_and_names_the_files_it_does_not_carry() throws IOException {
    Path archive = Fixtures.path("slack-export-viewer/testarchive.zip");
    Path data = root.resolve("data");
    Run restore = run("restore", "--data", data.toString(), archive.toString());
    assertThat(restore.err()).isEmpty();
    assertThat(restore.status()).isZero();
    assertThat(restore.out())
        .contains("restored a Slack export")
        .contains("2 channel repositories")
        .contains("3 files not restorable")
        .contains(
            "#traveling-sailor (C0JL6CGQ2) message 1459052866.000012 file 100_cities.js: the"
                + " export carries only a truncated preview (131 of 4163 bytes)")
        .contains("message 1459105865.000017 file 10_cities.js")
        .contains("message 1459155174.000025 file cities1000.js");
    Map<String, String> once = heads(data);
    String journalAfterOnce = journalSize(data);

    Run again = run("restore", "--merge", "--data", data.toString(), archive.toString());
    assertThat(again.status()).as(again.err()).isZero();
    assertThat(again.out()).contains("(0 new)");
    assertThat(heads(data)).isEqualTo(once);
    assertThat(journalSize(data)).isEqualTo(journalAfterOnce);
  }

  @Test
  void secrets_go_in_only_with_secrets_and_come_back_owner_only() throws IOException {
    Path data = ingested();
    Files.createDirectories(data.resolve("secrets"));
    Files.writeString(data.resolve("secrets").resolve("workspace-bot-token"), "xoxb-1234567890");
    Path plain = root.resolve("plain.zip");
    Path secret = root.resolve("secret.zip");
    assertThat(run("backup", "--data", data.toString(), plain.toString()).out())
        .contains("no secrets");
    Run with = run("backup", "--with-secrets", "--data", data.toString(), secret.toString());
    assertThat(with.status()).as(with.err()).isZero();
    assertThat(with.out()).contains("WITH secrets").contains("keep it private");
    try (var zip = new java.util.zip.ZipFile(plain.toFile())) {
      assertThat(zip.stream().map(java.util.zip.ZipEntry::getName))
          .noneMatch(n -> n.startsWith("threadbare/secrets/"));
    }
    Path restored = root.resolve("restored");
    Run restore = run("restore", "--data", restored.toString(), secret.toString());
    assertThat(restore.status()).as(restore.err()).isZero();
    assertThat(restore.out()).contains("1 secret files");
    Path token = restored.resolve("secrets").resolve("workspace-bot-token");
    assertThat(Files.readString(token)).isEqualTo("xoxb-1234567890");
    assertThat(Files.getPosixFilePermissions(token))
        .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.getPosixFilePermissions(restored.resolve("secrets")))
        .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    // Others may traverse the directory (the sandbox reaches build outputs), never list it.
    assertThat(Files.getPosixFilePermissions(restored))
        .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
  }

  private static String journalSize(Path data) {
    Run tree = run("log", "--data", data.toString(), "--channel", "C0JL6CGQ2");
    return tree.out();
  }
}
