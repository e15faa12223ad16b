package dev.threadbare.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.threadbare.core.journal.Journal;
import dev.threadbare.testing.TestDatabase;
import dev.threadbare.testing.TestPostgres;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

class PostgresJournalTest extends JournalContract {

  TestDatabase database;

  @Override
  void createStorage() {
    database = TestPostgres.newDatabase();
  }

  @Override
  Journal open() {
    return Journals.postgres(database.jdbcUrl(), database.user(), database.password());
  }

  @Override
  void refuseInsertsOfPayload(String payload) throws Exception {
    try (Connection connection = database.connect();
        Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
              + " IF NEW.payload = '"
              + payload
              + "' THEN RAISE EXCEPTION 'refused by test trigger'; END IF; RETURN NEW; END $$");
      statement.execute(
          "CREATE TRIGGER refuse BEFORE INSERT ON journal_entry"
              + " FOR EACH ROW EXECUTE FUNCTION refuse()");
    }
  }

  /** Two threadbare nodes: two journals, each with its own pool, on one database. */
  @Override
  List<Journal> appenderJournals() {
    return List.of(journal, track(Journals.postgres(database.dataSource())));
  }

  @Test
  void aDataSourceJournalSharesADatabaseWithOtherModulesTables() throws Exception {
    TestDatabase shared = TestPostgres.newDatabase();
    try (Connection connection = shared.connect();
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE deployment (id TEXT PRIMARY KEY)");
    }

    try (Journal node = Journals.postgres(shared.dataSource())) {
      assertThat(node.append(messages(0, 2))).hasSize(2);
      assertThat(node.toString()).contains("PostgreSQL journal", shared.name());
    }
    try (Journal restarted = Journals.postgres(shared.dataSource())) {
      assertThat(restarted.lastSeq()).isEqualTo(2);
    }
  }

  @Test
  void anUnreachableServerIsReportedNamingTheUrl() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    String url = "jdbc:postgresql://127.0.0.1:" + closedPort + "/threadbare?connectTimeout=2";

    assertThatThrownBy(() -> Journals.postgres(url, "threadbare", "secret"))
        .isInstanceOf(JournalStorageException.class)
        .hasMessageContaining("PostgreSQL journal " + url)
        .hasMessageContaining("cannot connect")
        .hasMessageNotContaining("secret");
  }

  @Test
  void aPasswordInTheUrlIsNeverQuoted() {
    assertThat(Journals.withoutPassword("jdbc:postgresql://h/db?user=a&password=s3cret&ssl=true"))
        .isEqualTo("jdbc:postgresql://h/db?user=a&password=***&ssl=true");
    assertThat(Journals.withoutPassword("jdbc:postgresql://h/db?PASSWORD=s3cret"))
        .isEqualTo("jdbc:postgresql://h/db?PASSWORD=***");
  }

  @Test
  void aUrlOfAnotherDatabaseIsRefused() {
    assertThatThrownBy(() -> Journals.postgres("jdbc:sqlite:journal.db", "u", "p"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("jdbcUrl `jdbc:sqlite:journal.db` is not a PostgreSQL JDBC URL");
  }
}
