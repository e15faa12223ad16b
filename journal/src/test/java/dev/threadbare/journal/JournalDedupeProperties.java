package dev.threadbare.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadbare.core.journal.Journal;
import dev.threadbare.core.journal.JournalEntry;
import dev.threadbare.testing.JournalEntries;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The journal's dedupe law on SQLite: whatever batches arrive, in whatever order and with whatever
 * repeats, the journal holds each identity once, as first appended, numbered 1..n in arrival order,
 * and each append returns exactly the entries it made new.
 */
class JournalDedupeProperties {

  /** A small pool of entries, several sharing a message (edits), so that repeats are frequent. */
  private static final List<JournalEntry> POOL = pool();

  private static List<JournalEntry> pool() {
    List<JournalEntry> pool = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      String ts = String.format(Locale.ROOT, "1700000000.%06d", i % 5);
      var message = JournalEntries.message("T1", "C" + (i % 2), ts).user("U1").text("text " + i);
      pool.add(i < 5 ? message.build() : message.edited("1700000100.00000" + i).build());
    }
    pool.add(JournalEntries.deletion("T1", "C0", "1700000000.000001", "1700000200.000000"));
    pool.add(
        JournalEntries.reactionAdded(
            "T1", "C0", "1700000000.000001", "U2", "+1", "1700000300.000000"));
    return List.copyOf(pool);
  }

  @Provide
  Arbitrary<List<List<JournalEntry>>> batches() {
    return Arbitraries.of(POOL).list().ofMaxSize(6).list().ofMinSize(1).ofMaxSize(8);
  }

  @Property(tries = 20)
  void eachIdentityIsStoredOnceInFirstArrivalOrder(
      @ForAll("batches") List<List<JournalEntry>> batches) throws IOException {
    Path dir = Files.createTempDirectory("journal-property");
    try (Journal journal = Journals.sqlite(dir.resolve("journal.db"))) {
      Map<List<Object>, JournalEntry> model = new LinkedHashMap<>();
      for (List<JournalEntry> batch : batches) {
        List<JournalEntry> expectedNew = new ArrayList<>();
        for (JournalEntry entry : batch) {
          if (!model.containsKey(identity(entry))) {
            JournalEntry stored = entry.withSeq(model.size() + 1L);
            model.put(identity(entry), stored);
            expectedNew.add(stored);
          }
        }

        assertThat(journal.append(batch)).isEqualTo(expectedNew);
      }

      List<JournalEntry> all = new ArrayList<>();
      journal.replay(0, all::add);
      assertThat(all).isEqualTo(List.copyOf(model.values()));
      assertThat(journal.lastSeq()).isEqualTo(model.size());
    } finally {
      try (Stream<Path> paths = Files.walk(dir)) {
        for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(path);
        }
      }
    }
  }

  private static List<Object> identity(JournalEntry entry) {
    return List.of(entry.team(), entry.channel(), entry.ts(), entry.kind(), entry.version());
  }
}
