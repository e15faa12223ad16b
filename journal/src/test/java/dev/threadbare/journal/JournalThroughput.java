package dev.threadbare.journal;

import dev.threadbare.core.journal.Journal;
import dev.threadbare.core.journal.JournalEntry;
import dev.threadbare.testing.JournalEntries;
import dev.threadbare.testing.TestDatabase;
import dev.threadbare.testing.TestPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Measures journal append throughput on SQLite and PostgreSQL against a named baseline run in the
 * same process: plain JDBC inserts of the same payloads into a bare table with the same durability
 * settings. Not a test; run it as described in docs/PERFORMANCE.md.
 *
 * <p>{@code JournalThroughput append [singles] [batches]} measures appends; {@code
 * JournalThroughput replay sqlite|postgres [entries]} fills a journal and replays it (run it in a
 * small heap to show that replay memory is bounded).
 */
public final class JournalThroughput {

  private static final AtomicInteger TS = new AtomicInteger();
  private static final Random RANDOM = new Random(42);

  private JournalThroughput() {}

  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "append";
    // Durable commits are the point of the journal: measure PostgreSQL with fsync on, as SQLite.
    System.setProperty(TestPostgres.FSYNC_PROPERTY, "true");
    Path dir = Files.createTempDirectory("journal-throughput");
    try {
      if (mode.equals("replay")) {
        String engine = args.length > 1 ? args[1] : "sqlite";
        int entries = args.length > 2 ? Integer.parseInt(args[2]) : 100_000;
        replay(engine, dir, entries);
      } else {
        append(dir, args);
      }
    } finally {
      deleteRecursively(dir);
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }

  private static void append(Path dir, String[] args) throws Exception {
    int singles = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
    int batches = args.length > 2 ? Integer.parseInt(args[2]) : 50;
    System.out.printf(
        Locale.ROOT,
        "%-12s %-28s %12s %14s %10s%n",
        "engine",
        "workload",
        "journal/s",
        "baseline/s",
        "ratio");

    try (Journal sqlite = Journals.sqlite(dir.resolve("journal.db"));
        Connection raw = sqliteBaseline(dir.resolve("baseline.db"))) {
      run("SQLite", sqlite, raw, singles, batches);
    }
    TestDatabase journalDb = TestPostgres.newDatabase();
    TestDatabase baselineDb = TestPostgres.newDatabase();
    try (Journal postgres =
            Journals.postgres(journalDb.jdbcUrl(), journalDb.user(), journalDb.password());
        Journal secondNode = Journals.postgres(journalDb.jdbcUrl(), journalDb.user(), "");
        Connection raw = postgresBaseline(baselineDb)) {
      if (!TestPostgres.fsync()) {
        throw new IllegalStateException("the embedded PostgreSQL runs without fsync");
      }
      run("PostgreSQL", postgres, raw, singles, batches);
      System.out.printf(
          Locale.ROOT,
          "%-12s %-28s %12.0f%n",
          "PostgreSQL",
          "4 threads on 2 nodes, 1/app",
          concurrentSingles(List.of(postgres, secondNode), singles));
    }
  }

  private static void run(String engine, Journal journal, Connection raw, int singles, int batches)
      throws Exception {
    // Warm up both paths (JIT, page cache) before timing.
    appendSingles(journal, 100);
    rawSingles(raw, 100);

    double journalSingles = appendSingles(journal, singles);
    double baselineSingles = rawSingles(raw, singles);
    print(engine, "1 entry per append", journalSingles, baselineSingles);

    double journalBatches = appendBatches(journal, batches, 100);
    double baselineBatches = rawBatches(raw, batches, 100);
    print(engine, "100 entries per append", journalBatches, baselineBatches);

    System.out.printf(
        Locale.ROOT,
        "%-12s %-28s %12.0f%n",
        engine,
        "duplicates of 100 (no-op)",
        duplicates(journal, batches));
    if (engine.equals("SQLite")) {
      System.out.printf(
          Locale.ROOT,
          "%-12s %-28s %12.0f%n",
          engine,
          "4 threads, 1 entry/append",
          concurrentSingles(List.of(journal), singles));
    }
  }

  private static void print(String engine, String workload, double journal, double baseline) {
    System.out.printf(
        Locale.ROOT,
        "%-12s %-28s %12.0f %14.0f %10.2f%n",
        engine,
        workload,
        journal,
        baseline,
        journal / baseline);
  }

  /** A message of 1 to 4 KB of payload, with code in it, as a developer would post. */
  static JournalEntry entry() {
    int i = TS.incrementAndGet();
    StringBuilder text = new StringBuilder("`src/module").append(i % 17).append(".py`\n```\n");
    int size = 1_000 + RANDOM.nextInt(3_000);
    while (text.length() < size) {
      text.append("def handler_")
          .append(RANDOM.nextInt(1000))
          .append("(event):\n")
          .append("    return {\"status\": 200, \"body\": event.get('text', '')}\n");
    }
    text.append("```");
    return JournalEntries.message(
            "T024BE7LD", "C024BE91L", String.format(Locale.ROOT, "1700%06d.%06d", i / 1000, i))
        .user("U0" + (i % 7))
        .text(text.toString())
        .build();
  }

  static double appendSingles(Journal journal, int count) {
    List<JournalEntry> entries = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      entries.add(entry());
    }
    long start = System.nanoTime();
    for (JournalEntry entry : entries) {
      journal.append(List.of(entry));
    }
    return count / seconds(start);
  }

  static double appendBatches(Journal journal, int batches, int size) {
    List<List<JournalEntry>> all = new ArrayList<>();
    for (int b = 0; b < batches; b++) {
      List<JournalEntry> batch = new ArrayList<>(size);
      for (int i = 0; i < size; i++) {
        batch.add(entry());
      }
      all.add(batch);
    }
    long start = System.nanoTime();
    for (List<JournalEntry> batch : all) {
      journal.append(batch);
    }
    return (double) batches * size / seconds(start);
  }

  private static double duplicates(Journal journal, int batches) {
    List<JournalEntry> stored = journal.read(0, 100);
    long start = System.nanoTime();
    for (int b = 0; b < batches; b++) {
      if (!journal.append(stored).isEmpty()) {
        throw new IllegalStateException("duplicates were stored");
      }
    }
    return (double) batches * stored.size() / seconds(start);
  }

  private static double concurrentSingles(List<Journal> nodes, int count) throws Exception {
    int threads = 4;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      long start = System.nanoTime();
      for (int t = 0; t < threads; t++) {
        Journal node = nodes.get(t % nodes.size());
        futures.add(pool.submit(() -> appendSingles(node, count / threads)));
      }
      for (Future<?> future : futures) {
        future.get();
      }
      return (double) (count / threads) * threads / seconds(start);
    } finally {
      pool.shutdown();
    }
  }

  private static Connection sqliteBaseline(Path file) throws SQLException {
    Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
    try (Statement statement = connection.createStatement()) {
      statement.execute("PRAGMA journal_mode=WAL");
      statement.execute("PRAGMA synchronous=FULL");
      statement.execute("CREATE TABLE raw (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)");
    }
    return connection;
  }

  private static Connection postgresBaseline(TestDatabase database) throws SQLException {
    Connection connection = database.connect();
    try (Statement statement = connection.createStatement()) {
      statement.execute("SET synchronous_commit = on");
      statement.execute("CREATE TABLE raw (id BIGSERIAL PRIMARY KEY, payload TEXT NOT NULL)");
    }
    return connection;
  }

  /** Baseline: one autocommitted INSERT per entry. */
  private static double rawSingles(Connection raw, int count) throws SQLException {
    List<String> payloads = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      payloads.add(entry().payload());
    }
    long start = System.nanoTime();
    try (PreparedStatement insert = raw.prepareStatement("INSERT INTO raw (payload) VALUES (?)")) {
      for (String payload : payloads) {
        insert.setString(1, payload);
        insert.executeUpdate();
      }
    }
    return count / seconds(start);
  }

  /** Baseline: one transaction of a JDBC batch of {@code size} INSERTs per batch. */
  private static double rawBatches(Connection raw, int batches, int size) throws SQLException {
    List<String> payloads = new ArrayList<>(batches * size);
    for (int i = 0; i < batches * size; i++) {
      payloads.add(entry().payload());
    }
    long start = System.nanoTime();
    raw.setAutoCommit(false);
    try (PreparedStatement insert = raw.prepareStatement("INSERT INTO raw (payload) VALUES (?)")) {
      for (int b = 0; b < batches; b++) {
        for (int i = 0; i < size; i++) {
          insert.setString(1, payloads.get(b * size + i));
          insert.addBatch();
        }
        insert.executeBatch();
        raw.commit();
      }
    } finally {
      raw.setAutoCommit(true);
    }
    return (double) batches * size / seconds(start);
  }

  private static void replay(String engine, Path dir, int total) {
    Journal opened;
    if (engine.equals("postgres")) {
      TestDatabase database = TestPostgres.newDatabase();
      opened = Journals.postgres(database.jdbcUrl(), database.user(), database.password());
    } else {
      opened = Journals.sqlite(dir.resolve("journal.db"));
    }
    try (Journal journal = opened) {
      long fillStart = System.nanoTime();
      while (journal.lastSeq() < total) {
        int size = (int) Math.min(500, total - journal.lastSeq());
        List<JournalEntry> batch = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
          batch.add(entry());
        }
        journal.append(batch);
      }
      double fillSeconds = seconds(fillStart);
      AtomicLong count = new AtomicLong();
      AtomicLong chars = new AtomicLong();
      long start = System.nanoTime();
      journal.replay(
          0,
          entry -> {
            count.incrementAndGet();
            chars.addAndGet(entry.payload().length());
          });
      double replaySeconds = seconds(start);
      System.out.printf(
          Locale.ROOT,
          "%s: filled %d entries in %.1f s; replayed %d entries (%.0f MB of payload) in %.1f s"
              + " (%.0f entries/s) with -Xmx of %d MB%n",
          engine,
          total,
          fillSeconds,
          count.get(),
          chars.get() / 1e6,
          replaySeconds,
          count.get() / replaySeconds,
          Runtime.getRuntime().maxMemory() / (1024 * 1024));
    }
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
