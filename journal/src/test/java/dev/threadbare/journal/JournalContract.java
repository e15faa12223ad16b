package dev.threadbare.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.threadbare.core.journal.EntryKind;
import dev.threadbare.core.journal.Journal;
import dev.threadbare.core.journal.JournalEntry;
import dev.threadbare.testing.JournalEntries;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link Journal} engine must show. Subclasses supply fresh, empty storage per
 * test and a way to open a second journal on the same storage (a restart, or another node).
 */
abstract class JournalContract {

  static final String TEAM = "T024BE7LD";
  static final String CHANNEL = "C024BE91L";

  /** Prepares fresh, empty storage for one test. */
  abstract void createStorage() throws Exception;

  /** Opens a journal on the storage of this test (callable several times: restart, nodes). */
  abstract Journal open();

  /** Makes the storage refuse (with a database error) any insert whose payload equals {@code p}. */
  abstract void refuseInsertsOfPayload(String payload) throws Exception;

  Journal journal;
  private final List<Journal> opened = new ArrayList<>();

  @BeforeEach
  void openJournal() throws Exception {
    createStorage();
    journal = track(open());
  }

  @AfterEach
  void closeJournals() {
    opened.forEach(Journal::close);
  }

  Journal track(Journal j) {
    opened.add(j);
    return j;
  }

  static JournalEntry message(String ts, String text) {
    return JournalEntries.message(TEAM, CHANNEL, ts).user("U1").text(text).build();
  }

  static JournalEntry message(int i) {
    return message(String.format(java.util.Locale.ROOT, "1700000000.%06d", i), "message " + i);
  }

  static List<JournalEntry> messages(int from, int count) {
    return IntStream.range(from, from + count).mapToObj(JournalContract::message).toList();
  }

  static List<Long> seqs(List<JournalEntry> entries) {
    return entries.stream().map(JournalEntry::seq).toList();
  }

  List<JournalEntry> all(Journal j) {
    List<JournalEntry> entries = new ArrayList<>();
    j.replay(0, entries::add);
    return entries;
  }

  // --- appending and reading back ---

  @Test
  void anEmptyJournalHasNothing() {
    assertThat(journal.lastSeq()).isZero();
    assertThat(journal.read(0, 10)).isEmpty();
    assertThat(all(journal)).isEmpty();
    assertThat(journal.append(List.of())).isEmpty();
  }

  @Test
  void appendAssignsSeqsInOrderAndEveryFieldRoundTrips() {
    JournalEntry reply =
        new JournalEntry(
            0,
            TEAM,
            CHANNEL,
            "1700000001.000200",
            EntryKind.MESSAGE,
            "1700000099.000300",
            "1700000000.000100",
            "U2",
            Instant.ofEpochSecond(1_700_000_099L, 123_456_789),
            "{\"text\":\"Grüße 🧵 漢字 \\\"quoted\\\"\\nline two\"}");
    JournalEntry user =
        JournalEntries.user(TEAM, "U2", "Zoë", Instant.parse("2023-11-14T22:13:20.5Z"));
    JournalEntry root = message("1700000000.000100", "root");

    List<JournalEntry> stored = journal.append(List.of(root, reply, user));

    assertThat(stored).containsExactly(root.withSeq(1), reply.withSeq(2), user.withSeq(3));
    assertThat(journal.read(0, 10)).isEqualTo(stored);
    assertThat(journal.lastSeq()).isEqualTo(3);
  }

  @Test
  void eventTimesRoundTripExactlyToTheNanosecond() {
    List<Instant> times =
        List.of(
            Instant.ofEpochSecond(1_700_000_000L, 100_000),
            Instant.ofEpochSecond(1_700_000_000L, 999_999_999),
            Instant.ofEpochSecond(0),
            Instant.parse("1969-07-20T20:17:40.000001Z"),
            Instant.parse("2999-12-31T23:59:59.999999Z"));
    List<JournalEntry> entries = new ArrayList<>();
    for (int i = 0; i < times.size(); i++) {
      entries.add(
          JournalEntries.message(TEAM, CHANNEL, "1700000000.00000" + i)
              .eventTime(times.get(i))
              .build());
    }

    journal.append(entries);

    assertThat(journal.read(0, 10)).extracting(JournalEntry::eventTime).isEqualTo(times);
  }

  @Test
  void largePayloadsRoundTrip() {
    String longText = "🧵 forty thousand characters, café. ".repeat(1_200);
    JournalEntry longMessage = message("1700000000.000001", longText);
    byte[] file = new byte[1_500_000];
    Arrays.fill(file, (byte) 'x');
    JournalEntry fileContent =
        JournalEntries.fileContent(
            TEAM, CHANNEL, "1700000000.000001", "F1", "a.txt", "src/a.txt", "text/plain", file);

    journal.append(List.of(longMessage, fileContent));

    assertThat(journal.read(0, 2)).containsExactly(longMessage.withSeq(1), fileContent.withSeq(2));
  }

  // --- identity and duplicates ---

  @Test
  void appendingAStoredIdentityAgainIsANoOp() {
    JournalEntry entry = message(1);
    assertThat(journal.append(List.of(entry))).containsExactly(entry.withSeq(1));

    assertThat(journal.append(List.of(entry))).isEmpty();
    assertThat(journal.append(List.of(entry, entry))).isEmpty();

    assertThat(journal.lastSeq()).isEqualTo(1);
    assertThat(all(journal)).containsExactly(entry.withSeq(1));
  }

  @Test
  void aRetriedBatchStoresOnlyWhatWasMissing() {
    journal.append(messages(0, 2));

    List<JournalEntry> retried = journal.append(messages(0, 3));

    assertThat(retried).containsExactly(message(2).withSeq(3));
    assertThat(seqs(all(journal))).containsExactly(1L, 2L, 3L);
  }

  @Test
  void theSameMessageSeenAgainByCatchUpKeepsTheFirstPayload() {
    JournalEntry live = message("1700000000.000100", "hello");
    // conversations.history returns the same message without team/channel and in another shape.
    JournalEntry caughtUp =
        new JournalEntry(
            0,
            live.team(),
            live.channel(),
            live.ts(),
            live.kind(),
            live.version(),
            null,
            "U1",
            Instant.now(),
            "{\"type\":\"message\",\"user\":\"U1\",\"text\":\"hello\",\"ts\":\"1700000000.000100\"}");
    journal.append(List.of(live));

    assertThat(journal.append(List.of(caughtUp))).isEmpty();
    assertThat(all(journal)).containsExactly(live.withSeq(1));
  }

  @Test
  void repeatsWithinOneCallAreStoredOnce() {
    JournalEntry a = message(1);
    JournalEntry b = message(2);

    List<JournalEntry> stored = journal.append(List.of(a, b, a, b, a));

    assertThat(stored).containsExactly(a.withSeq(1), b.withSeq(2));
    assertThat(journal.lastSeq()).isEqualTo(2);
  }

  @Test
  void everyIdentityFieldDistinguishesEntries() {
    JournalEntry base = message("1700000000.000100", "x");
    List<JournalEntry> variants =
        List.of(
            base,
            with(base, "T0OTHER", base.channel(), base.ts(), base.kind(), base.version()),
            with(base, base.team(), "C0OTHER", base.ts(), base.kind(), base.version()),
            with(base, base.team(), base.channel(), "1700000000.000101", base.kind(), ""),
            with(base, base.team(), base.channel(), base.ts(), EntryKind.DELETION, ""),
            with(base, base.team(), base.channel(), base.ts(), base.kind(), "1700000005.000000"));

    assertThat(journal.append(variants)).hasSize(variants.size());
    // Non-identity fields do not make an entry new.
    JournalEntry sameIdentity =
        new JournalEntry(
            0,
            base.team(),
            base.channel(),
            base.ts(),
            base.kind(),
            base.version(),
            "1699999999.000000",
            "U9",
            Instant.EPOCH,
            "{}");
    assertThat(journal.append(List.of(sameIdentity))).isEmpty();
  }

  private static JournalEntry with(
      JournalEntry e, String team, String channel, String ts, EntryKind kind, String version) {
    return new JournalEntry(
        0, team, channel, ts, kind, version, e.threadTs(), e.user(), e.eventTime(), e.payload());
  }

  @Test
  void anEditIsANewVersionOfTheSameMessage() {
    JournalEntry original = message("1700000000.000100", "v1");
    JournalEntry edited =
        JournalEntries.message(TEAM, CHANNEL, "1700000000.000100")
            .user("U1")
            .text("v2")
            .edited("1700000100.000000")
            .build();

    journal.append(List.of(original));
    assertThat(journal.append(List.of(edited))).containsExactly(edited.withSeq(2));
    assertThat(journal.append(List.of(edited))).isEmpty();
  }

  // --- atomicity ---

  @Test
  void aBatchTheDatabaseRefusesStoresNothing() throws Exception {
    journal.append(messages(0, 1));
    refuseInsertsOfPayload("refuse me");
    JournalEntry refused =
        new JournalEntry(
            0,
            TEAM,
            CHANNEL,
            "1700000009.000000",
            EntryKind.MESSAGE,
            "",
            null,
            null,
            Instant.EPOCH,
            "refuse me");

    assertThatThrownBy(() -> journal.append(List.of(message(1), message(2), refused)))
        .isInstanceOf(JournalStorageException.class)
        .hasMessageContaining("journal")
        .hasMessageContaining("append 3 entries")
        .hasMessageContaining("refused by test trigger")
        .hasMessageNotContaining("message 1");

    assertThat(journal.lastSeq()).isEqualTo(1);
    assertThat(all(journal)).containsExactly(message(0).withSeq(1));
    // The journal is still usable, and the retry without the refused entry succeeds.
    assertThat(seqs(journal.append(messages(1, 2)))).containsExactly(2L, 3L);
  }

  @Test
  void aBatchWithAnInvalidEntryStoresNothing() {
    JournalEntry nul =
        new JournalEntry(
            0,
            TEAM,
            CHANNEL,
            "1700000009.000000",
            EntryKind.MESSAGE,
            "",
            null,
            null,
            Instant.EPOCH,
            "{\"text\":\"a\u0000b\"}");

    assertThatThrownBy(() -> journal.append(List.of(message(1), nul)))
        .isInstanceOf(InvalidEntryException.class)
        .hasMessageContaining("entries[1].payload")
        .hasMessageContaining("NUL");
    assertThat(journal.lastSeq()).isZero();
  }

  // --- ordering, paging, replay ---

  @Test
  void readAndReplayFollowSeqOrderAcrossPages() {
    int total = SqlJournal.REPLAY_PAGE * 3 + 17;
    for (int from = 0; from < total; from += 100) {
      journal.append(messages(from, Math.min(100, total - from)));
    }

    List<JournalEntry> replayed = all(journal);
    assertThat(replayed).hasSize(total);
    assertThat(seqs(replayed))
        .isEqualTo(IntStream.rangeClosed(1, total).mapToObj(i -> (long) i).toList());
    assertThat(replayed.get(41).ts()).isEqualTo(message(41).ts());

    List<JournalEntry> tail = new ArrayList<>();
    journal.replay(SqlJournal.REPLAY_PAGE, tail::add);
    assertThat(tail).isEqualTo(replayed.subList(SqlJournal.REPLAY_PAGE, total));

    assertThat(journal.read(10, 5)).isEqualTo(replayed.subList(10, 15));
    assertThat(journal.read(total - 2, 100)).isEqualTo(replayed.subList(total - 2, total));
    List<JournalEntry> none = new ArrayList<>();
    journal.replay(total, none::add);
    assertThat(none).isEmpty();
  }

  @Test
  void aReplaySinkMayUseTheJournal() {
    journal.append(messages(0, SqlJournal.REPLAY_PAGE * 2 + 5));
    List<Long> seen = new ArrayList<>();

    journal.replay(
        0,
        entry -> {
          seen.add(entry.seq());
          if (entry.seq() % 32 == 0) {
            journal.saveCursor("materializer", entry.seq());
            journal.append(List.of(entry)); // a no-op: already stored
          }
        });

    assertThat(seen).hasSize(SqlJournal.REPLAY_PAGE * 2 + 5);
    assertThat(journal.cursor("materializer")).isEqualTo(SqlJournal.REPLAY_PAGE * 2);
  }

  // --- cursors ---

  @Test
  void cursorsAreSavedPerConsumer() {
    journal.append(messages(0, 10));

    assertThat(journal.cursor("materializer")).isZero();
    journal.saveCursor("materializer", 7);
    journal.saveCursor("backup", 3);
    assertThat(journal.cursor("materializer")).isEqualTo(7);
    assertThat(journal.cursor("backup")).isEqualTo(3);

    journal.saveCursor("materializer", 10);
    assertThat(journal.cursor("materializer")).isEqualTo(10);
    // A rebuild starts over.
    journal.saveCursor("materializer", 0);
    assertThat(journal.cursor("materializer")).isZero();
  }

  @Test
  void aCursorBeyondTheLastEntryIsRefused() {
    journal.append(messages(0, 3));

    assertThatThrownBy(() -> journal.saveCursor("materializer", 4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cursor seq 4 of `materializer` is beyond the last entry")
        .hasMessageContaining("seq 3");
    assertThat(journal.cursor("materializer")).isZero();
  }

  // --- durability ---

  @Test
  void entriesAndCursorsSurviveCloseAndReopen() {
    List<JournalEntry> stored = journal.append(messages(0, 5));
    journal.saveCursor("materializer", 4);
    journal.close();

    Journal reopened = track(open());

    assertThat(all(reopened)).isEqualTo(stored);
    assertThat(reopened.cursor("materializer")).isEqualTo(4);
    assertThat(reopened.append(List.of(message(0)))).isEmpty();
    assertThat(reopened.append(List.of(message(5)))).containsExactly(message(5).withSeq(6));
  }

  // --- concurrency ---

  @Test
  void concurrentAppendersNeverLoseOrDuplicateAndSeqOrderIsVisibilityOrder() throws Exception {
    List<Journal> nodes = appenderJournals();
    int threads = 4;
    int appendsPerThread = 40;
    ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
    CountDownLatch start = new CountDownLatch(1);
    AtomicBoolean writing = new AtomicBoolean(true);
    try {
      // A consumer that follows the journal as it grows, the way the materializer does.
      Future<List<JournalEntry>> follower =
          pool.submit(
              () -> {
                List<JournalEntry> seen = new ArrayList<>();
                long position = 0;
                start.await();
                while (true) {
                  boolean last = !writing.get();
                  List<JournalEntry> page = journal.read(position, 50);
                  seen.addAll(page);
                  if (!page.isEmpty()) {
                    position = page.get(page.size() - 1).seq();
                  } else if (last) {
                    return seen;
                  }
                }
              });
      List<Future<List<JournalEntry>>> appenders = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        Journal node = nodes.get(t % nodes.size());
        appenders.add(
            pool.submit(
                () -> {
                  start.await();
                  List<JournalEntry> mine = new ArrayList<>();
                  for (int i = 0; i < appendsPerThread; i++) {
                    // Each thread appends its own message, plus one every thread races to append
                    // (the same event delivered to several nodes), in batches of two.
                    JournalEntry own = message(1_000 * (thread + 1) + i);
                    JournalEntry shared = message(i);
                    mine.addAll(node.append(List.of(own, shared)));
                  }
                  return mine;
                }));
      }
      start.countDown();
      List<JournalEntry> returned = new ArrayList<>();
      for (Future<List<JournalEntry>> appender : appenders) {
        returned.addAll(appender.get(60, TimeUnit.SECONDS));
      }
      writing.set(false);
      List<JournalEntry> followed = follower.get(60, TimeUnit.SECONDS);

      int expected = threads * appendsPerThread + appendsPerThread;
      List<JournalEntry> stored = all(journal);
      assertThat(stored).hasSize(expected);
      assertThat(seqs(stored))
          .isEqualTo(IntStream.rangeClosed(1, expected).mapToObj(i -> (long) i).toList());
      Set<String> identities =
          stored.stream().map(JournalEntry::ts).collect(Collectors.toCollection(HashSet::new));
      assertThat(identities).hasSize(expected);
      // What the appenders were told they stored is exactly what is stored: nothing twice.
      assertThat(returned).containsExactlyInAnyOrderElementsOf(stored);
      // The follower saw every entry exactly once: none committed behind its position.
      assertThat(followed).isEqualTo(stored);
    } finally {
      pool.shutdownNow();
    }
  }

  /** The journals concurrent appenders use: this one, plus other nodes where the engine can. */
  List<Journal> appenderJournals() {
    return List.of(journal);
  }

  // --- bad input ---

  @Test
  void nullsAreRefusedNamingTheParameter() {
    assertThatThrownBy(() -> journal.append(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("entries is null");
    assertThatThrownBy(() -> journal.append(Arrays.asList(message(1), null)))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("entries[1] is null");
    assertThatThrownBy(() -> journal.replay(0, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("sink");
    assertThatThrownBy(() -> journal.cursor(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("consumer");
    assertThatThrownBy(() -> journal.saveCursor(null, 0))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("consumer");
    assertThat(journal.lastSeq()).isZero();
  }

  @Test
  void outOfRangeArgumentsAreRefusedNamingTheRule() {
    assertThatThrownBy(() -> journal.read(-1, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("afterSeq -1 is negative");
    assertThatThrownBy(() -> journal.read(0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("limit 0 is not positive");
    assertThatThrownBy(() -> journal.replay(-5, e -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("afterSeq -5");
    assertThatThrownBy(() -> journal.saveCursor(" ", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("consumer ` ` is blank");
    assertThatThrownBy(() -> journal.saveCursor("materializer", -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("seq -1 is negative");
  }

  @Test
  void entriesWithAnEmptyIdentityAreRefused() {
    JournalEntry noTeam =
        new JournalEntry(
            0, "", CHANNEL, "1.0", EntryKind.MESSAGE, "", null, null, Instant.EPOCH, "{}");
    JournalEntry noTs =
        new JournalEntry(
            0, TEAM, CHANNEL, "", EntryKind.MESSAGE, "", null, null, Instant.EPOCH, "{}");

    assertThatThrownBy(() -> journal.append(List.of(noTeam)))
        .isInstanceOf(InvalidEntryException.class)
        .hasMessageContaining("entries[0] has an empty team");
    assertThatThrownBy(() -> journal.append(List.of(message(1), noTs)))
        .isInstanceOf(InvalidEntryException.class)
        .hasMessageContaining("entries[1] has an empty ts");
    assertThat(journal.lastSeq()).isZero();
  }

  @Test
  void aClosedJournalRefusesEveryCallNamingItself() {
    journal.append(messages(0, 1));
    journal.close();
    journal.close(); // closing twice is harmless

    String name = journal.toString();
    assertThat(name).contains("journal");
    List<Runnable> calls =
        List.of(
            () -> journal.append(messages(1, 1)),
            () -> journal.read(0, 1),
            () -> journal.replay(0, e -> {}),
            () -> journal.lastSeq(),
            () -> journal.cursor("materializer"),
            () -> journal.saveCursor("materializer", 1));
    for (Runnable call : calls) {
      assertThatThrownBy(call::run)
          .isInstanceOf(JournalClosedException.class)
          .hasMessageStartingWith(name + " is closed: cannot ");
    }
  }
}
