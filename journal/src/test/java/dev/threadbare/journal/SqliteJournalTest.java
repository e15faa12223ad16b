package dev.threadbare.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.threadbare.core.journal.Journal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteJournalTest extends JournalContract {

  @TempDir Path temp;
  Path file;

  @Override
  void createStorage() {
    file = temp.resolve("threadbare-data").resolve("journal.db");
  }

  @Override
  Journal open() {
    return Journals.sqlite(file);
  }

  @Override
  void refuseInsertsOfPayload(String payload) throws Exception {
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE TRIGGER refuse BEFORE INSERT ON journal_entry WHEN NEW.payload = '"
              + payload
              + "' BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END");
    }
  }

  @Test
  void theFileIsInWalModeAndItsFolderIsCreated() throws Exception {
    journal.append(messages(0, 1));

    assertThat(file).isRegularFile();
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("PRAGMA journal_mode")) {
      rows.next();
      assertThat(rows.getString(1)).isEqualTo("wal");
    }
  }

  @Test
  void everyCommitIsSyncedAndLockWaitsAreBounded() throws Exception {
    Engine engine = ((SqlJournal) journal).engine();

    String synchronous = engine.write(connection -> pragma(connection, "synchronous"));
    String busyTimeout = engine.write(connection -> pragma(connection, "busy_timeout"));
    String journalMode = engine.read(connection -> pragma(connection, "journal_mode"));

    assertThat(synchronous).as("synchronous=FULL (2) on the writer").isEqualTo("2");
    assertThat(busyTimeout).isEqualTo(String.valueOf(SqliteEngine.BUSY_TIMEOUT_MILLIS));
    assertThat(journalMode).isEqualTo("wal");
  }

  private static String pragma(Connection connection, String name) throws java.sql.SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("PRAGMA " + name)) {
      rows.next();
      return rows.getString(1);
    }
  }

  /** Two journals on one file, as two processes would have: SQLite's file lock serializes them. */
  @Override
  List<Journal> appenderJournals() {
    return List.of(journal, track(open()));
  }

  @Test
  void aFolderIsNotAJournalFile() {
    assertThatThrownBy(() -> Journals.sqlite(temp))
        .isInstanceOf(JournalStorageException.class)
        .hasMessageContaining("SQLite journal " + temp.toAbsolutePath())
        .hasMessageContaining("is a directory");
  }

  @Test
  void aFileThatIsNotADatabaseIsRefusedNamingIt() throws Exception {
    Path notes = temp.resolve("notes.txt");
    Files.writeString(
        notes, "these are notes, not a database\n".repeat(200), StandardCharsets.UTF_8);

    assertThatThrownBy(() -> Journals.sqlite(notes))
        .isInstanceOf(JournalStorageException.class)
        .hasMessageContaining("SQLite journal " + notes.toAbsolutePath())
        .hasMessageContaining("cannot");
    assertThat(Files.readString(notes, StandardCharsets.UTF_8)).startsWith("these are notes");
  }

  @Test
  void twoJournalsOnOneFileShareItSafely() {
    Journal second = track(open());

    journal.append(messages(0, 2));
    assertThat(second.append(messages(1, 2))).containsExactly(message(2).withSeq(3));
    assertThat(journal.read(0, 10)).isEqualTo(second.read(0, 10));
    assertThat(seqs(journal.read(0, 10))).isEqualTo(List.of(1L, 2L, 3L));
  }
}
