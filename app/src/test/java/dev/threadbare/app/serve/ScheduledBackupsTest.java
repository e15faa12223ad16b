package dev.threadbare.app.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.slack.api.model.Message;
import dev.threadbare.app.DataDir;
import dev.threadbare.backup.BackupSummary;
import dev.threadbare.backup.Backups;
import dev.threadbare.core.ThreadbareException;
import dev.threadbare.db.Credentials;
import dev.threadbare.db.DbLayer;
import dev.threadbare.db.SqlSession;
import dev.threadbare.testing.JournalEntries;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** serve's scheduled chat backups: written to DIR/backups, pruned, reported once in ops. */
class ScheduledBackupsTest {

  @TempDir Path dir;

  @Test
  void serveTakesABackupAndReportsItOnceInTheOpsChannel() throws Exception {
    try (ServeFixture.OpsWorkspace ops =
        ServeFixture.OpsWorkspace.open(dir.resolve("ops-workspace"))) {
      Path data = dir.resolve("data");
      try (ServeFixture serve =
          ServeFixture.start(Server.Settings.defaults(data).withOps(ops.opsChannel()))) {
        Server server = serve.server();
        // No backup yet: the first is due at once, the next in an hour.
        Path folder = server.scheduleBackups("1h", 3);
        assertThat(folder).isEqualTo(data.resolve("backups"));
        assertThat(
                eventually(() -> backupReports(ops).size() == 1 && backupFiles(folder).size() == 1))
            .as("one backup in DIR/backups, reported in the ops channel")
            .isTrue();
        Path backup = backupFiles(folder).get(0);
        String report = backupReports(ops).get(0).getText();
        assertThat(report)
            .contains(backup.getFileName().toString())
            .contains("messages (")
            .contains("bytes, in")
            .contains("no secrets");
        assertThat(Backups.read(backup, null).fromThreadbare()).isTrue();
      }
    }
  }

  @Test
  void theNewestBackupsAreKept() throws Exception {
    Path data = dir.resolve("data");
    try (DataDir dataDir = DataDir.open(data, null);
        BackupWiring wiring =
            BackupWiring.start(
                dataDir, OpsReporting.open(null, data, null, null), Duration.ZERO, 2)) {
      dataDir
          .journal()
          .append(
              List.of(
                  JournalEntries.message("T1", "C1", "1700000000.000100")
                      .user("U1")
                      .text("hello")
                      .build()));
      BackupSummary first = wiring.takeBackup();
      BackupSummary second = wiring.takeBackup();
      BackupSummary third = wiring.takeBackup();
      assertThat(third.messages()).isEqualTo(1);
      assertThat(wiring.backups()).containsExactly(second.file(), third.file());
      assertThat(first.file()).doesNotExist();
    }
  }

  @Test
  void eachBackupTakesTheProdDatabasesTooRestorableWithTheirCatalog() throws Exception {
    Path data = dir.resolve("data");
    try (DataDir dataDir = DataDir.open(data, null);
        DbLayer layer = DbLayer.duckDb(data);
        BackupWiring wiring =
            BackupWiring.start(
                dataDir,
                OpsReporting.open(null, data, null, null),
                Duration.ZERO,
                2,
                BackupWiring.ProdDatabases.of(() -> layer, () -> List.of("prod-c1", "prod-c2")))) {
      Credentials v1 = layer.addCredentials("prod-c1", "v1");
      try (SqlSession s = layer.open(v1.user(), "prod-c1")) {
        s.execute("INSERT INTO notes (id, body) VALUES (1, 'one'), (2, 'two')", List.of());
      }
      // prod-c2 has no credentials yet, so no database: its failure is reported, c1 still goes.
      wiring.takeBackup();
      wiring.takeBackup();
      wiring.takeBackup();
      Path folder = data.resolve("backups").resolve("db");
      List<Path> kept = backupFiles(folder);
      assertThat(kept)
          .hasSize(2)
          .allMatch(p -> p.getFileName().toString().startsWith("db-prod-c1-"));

      Path restored = dir.resolve("restored");
      try (DbLayer other = DbLayer.duckDb(restored)) {
        other.restore("prod-c1", kept.get(1));
        assertThat(other.describe("prod-c1").tables().get(0).columns())
            .extracting(c -> c.name() + ":" + c.createdBy())
            .containsExactlyInAnyOrder("id:v1", "body:v1");
        Credentials v2 = other.addCredentials("prod-c1", "v2");
        try (SqlSession s = other.open(v2.user(), "prod-c1")) {
          assertThat(
                  s.execute("SELECT body FROM notes ORDER BY id", List.of()).get(0).rows().stream()
                      .map(r -> r[0])
                      .toList())
              .containsExactly("one", "two");
        }
      }
    }
  }

  @Test
  void backupEveryReadsDurationsAndRefusesOthers() {
    assertThat(BackupWiring.parseEvery("1d")).isEqualTo(Duration.ofDays(1));
    assertThat(BackupWiring.parseEvery("12h")).isEqualTo(Duration.ofHours(12));
    assertThat(BackupWiring.parseEvery("PT30M")).isEqualTo(Duration.ofMinutes(30));
    assertThat(BackupWiring.parseEvery("off")).isZero();
    assertThatThrownBy(() -> BackupWiring.parseEvery("daily"))
        .isInstanceOf(ThreadbareException.class)
        .hasMessageContaining("--backup-every `daily` is not a duration")
        .hasMessageContaining("1d, 12h, 30m, PT6H or off");
  }

  private static List<Message> backupReports(ServeFixture.OpsWorkspace ops) {
    return ops.messages().stream()
        .filter(m -> m.getText() != null && m.getText().startsWith("backup "))
        .toList();
  }

  private static List<Path> backupFiles(Path folder) {
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    try (var list = Files.list(folder)) {
      return list.filter(p -> p.getFileName().toString().endsWith(".zip")).sorted().toList();
    } catch (java.io.IOException e) {
      return List.of();
    }
  }

  private static boolean eventually(BooleanSupplier condition) throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (Instant.now().isBefore(deadline)) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(100);
    }
    return condition.getAsBoolean();
  }
}
