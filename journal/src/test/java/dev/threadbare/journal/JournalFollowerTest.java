package dev.threadbare.journal;

import static dev.threadbare.journal.JournalContract.messages;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.threadbare.core.journal.Journal;
import dev.threadbare.core.journal.JournalEntry;
import dev.threadbare.testing.TestDatabase;
import dev.threadbare.testing.TestPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two nodes on one PostgreSQL journal: one follows what the other appends, cursors per node. */
class JournalFollowerTest {

  @TempDir Path dir;

  @Test
  void aNodeSeesTheOtherNodesAppendsByNotificationAlone() throws Exception {
    TestDatabase database = TestPostgres.newDatabase();
    try (Journal a = Journals.postgres(database.jdbcUrl(), database.user(), database.password());
        Journal b = Journals.postgres(database.jdbcUrl(), database.user(), database.password())) {
      a.append(messages(0, 3));
      List<Long> seen = new CopyOnWriteArrayList<>();
      // A poll of ten minutes: within the test's bound only LISTEN/NOTIFY can wake the follower.
      try (JournalFollower follower =
          Journals.follow(
              b, 1, Duration.ofMinutes(10), page -> page.forEach(e -> seen.add(e.seq())))) {
        await(() -> seen.size() == 2);
        assertThat(seen).containsExactly(2L, 3L);
        a.append(messages(3, 2));
        a.append(messages(0, 5)); // all known: stores nothing, notifies nothing
        a.append(messages(5, 1));
        await(() -> seen.size() == 5);
        assertThat(seen).containsExactly(2L, 3L, 4L, 5L, 6L);
        assertThat(follower.position()).isEqualTo(6);
      }
    }
  }

  @Test
  void onSqliteItPolls() throws Exception {
    try (Journal journal = Journals.sqlite(dir.resolve("journal.db"))) {
      List<JournalEntry> seen = new CopyOnWriteArrayList<>();
      try (JournalFollower follower =
          Journals.follow(journal, 0, Duration.ofMillis(20), seen::addAll)) {
        journal.append(messages(0, 4));
        await(() -> seen.size() == 4);
        assertThat(seen).extracting(JournalEntry::seq).containsExactly(1L, 2L, 3L, 4L);
        await(() -> follower.position() == 4);
      }
    }
  }

  @Test
  void theMaterializersCursorIsEachNodesOwnTheBotsIsShared() {
    TestDatabase database = TestPostgres.newDatabase();
    try (Journal a =
            Journals.withNodeCursors(
                Journals.postgres(database.jdbcUrl(), database.user(), database.password()),
                "node-a",
                Set.of("materializer"));
        Journal b =
            Journals.withNodeCursors(
                Journals.postgres(database.jdbcUrl(), database.user(), database.password()),
                "node-b",
                Set.of("materializer"))) {
      a.append(messages(0, 5));
      a.saveCursor("materializer", 5);
      a.saveCursor("bot", 4);
      assertThat(b.cursor("materializer")).isZero();
      assertThat(b.cursor("bot")).isEqualTo(4);
      b.saveCursor("materializer", 2);
      assertThat(a.cursor("materializer")).isEqualTo(5);
      assertThat(b.cursor("materializer")).isEqualTo(2);
      assertThat(b.toString()).contains("node node-b");
    }
  }

  @Test
  void aNodeNameIsCheckedNamingTheRule() {
    try (Journal journal = Journals.sqlite(dir.resolve("j.db"))) {
      assertThatThrownBy(() -> Journals.withNodeCursors(journal, "a b", Set.of("materializer")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("`a b`")
          .hasMessageContaining("letters, digits");
    }
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 60 s");
      }
      Thread.sleep(10);
    }
  }
}
