package dev.threadbare.app.crash;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import dev.threadbare.core.chat.SlackTs;
import dev.threadbare.core.journal.EntryKind;
import dev.threadbare.core.journal.Journal;
import dev.threadbare.core.journal.JournalEntry;
import dev.threadbare.journal.Journals;
import dev.threadbare.materializer.GitStore;
import dev.threadbare.materializer.TreeEntry;
import dev.threadbare.testing.Eventually;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash safety of {@code threadbare serve} against a Slack-compatible server: the local workspace
 * runs in this JVM, the bot as a separate OS process in real-Slack mode ({@code SLACK_API_URL}),
 * and while a person posts files, new versions, thread replies, edits and deletions, the bot is
 * killed with SIGKILL {@code K} times and restarted on the same data directory and port. Afterwards
 * the repository's {@code main} must equal the head rule over the workspace's messages, the journal
 * must hold each message version once, and the bot must have answered each change exactly once.
 *
 * <p>System properties: {@code threadbare.crash.messages} (N, default 300), {@code
 * threadbare.crash.kills} (K, default 5), {@code threadbare.crash.rate} (posts a second, default
 * 12), {@code threadbare.crash.seed}. The figure: {@code -Dthreadbare.crash.messages=2000
 * -Dthreadbare.crash.kills=20}.
 */
class BotCrashSafetyTest {

  private static final int MESSAGES = Integer.getInteger("threadbare.crash.messages", 300);
  private static final int KILLS = Integer.getInteger("threadbare.crash.kills", 5);
  private static final double RATE =
      Double.parseDouble(System.getProperty("threadbare.crash.rate", "12"));
  private static final long SEED = Long.getLong("threadbare.crash.seed", System.nanoTime());
  private static final String SECRET = "crash-test-signing-secret";

  @TempDir static Path dir;
  static CrashFixture crash;
  static String channel;
  static String botUserId;
  static String personId;
  static ChatReader reader;
  static ServeProcess bot;
  static int starts;
  static Path data;
  static int port;

  /** What the poster did. */
  static final List<String> posted = new CopyOnWriteArrayList<>();

  static final Map<String, Integer> editsOf = new ConcurrentHashMap<>();
  static final List<String> fileMessages = new CopyOnWriteArrayList<>();
  static final List<String> posterErrors = new CopyOnWriteArrayList<>();
  static final AtomicInteger operations = new AtomicInteger();

  /** Git lock files a killed bot left behind that stopped the next start. */
  static final List<String> staleLocks = new CopyOnWriteArrayList<>();

  /** What was read back once converged. */
  static ChatReader.Channel finalChannel;

  static boolean converged;
  static long elapsedMillis;
  static ServeProcess.Stopped stopped;

  @BeforeAll
  static void crashTheBotWhilePeoplePost() throws Exception {
    long started = System.nanoTime();
    System.out.printf(
        "BotCrashSafetyTest: N=%d K=%d rate=%.1f/s seed=%d%n", MESSAGES, KILLS, RATE, SEED);
    crash = CrashFixture.open(dir.resolve("workspace"), SECRET);
    botUserId = crash.botUserId;
    reader = crash.reader;
    channel = crash.channel;
    personId = crash.personId;

    data = dir.resolve("data");
    port = CrashFixture.freePort();
    bot = startBot(0);
    crash.workspace.setEventsRequestUrl(bot.url() + "/slack/events", SECRET);

    MethodsClient person = crash.person();
    AtomicBoolean postingDone = new AtomicBoolean();
    Thread poster =
        CrashFixture.startPoster(
            () -> {
              try {
                post(person, new Random(SEED));
              } finally {
                postingDone.set(true);
              }
            },
            posterErrors);

    Random killer = new Random(SEED ^ 0x5DEECE66DL);
    for (int kill = 1; kill <= KILLS; kill++) {
      // A random point in the bot's life: anywhere from just after it listens to a few seconds on.
      Thread.sleep(100 + killer.nextInt(2500));
      bot.kill();
      bot = startBot(kill);
    }
    poster.join(TimeUnit.MINUTES.toMillis(10));
    assertThat(postingDone).isTrue();
    assertThat(posterErrors).as("the poster's calls").isEmpty();

    converged =
        Eventually.eventually(
            Duration.ofSeconds(360),
            () -> {
              try {
                // settled: main follows the head rule, the outbox is empty, and every message
                // the person posted is journaled (one that changes no file, or was deleted, does
                // not show in main, and may still be on its way by an event retry or catch-up)
                return bot.drained()
                    && settled(reader.read(channel))
                    && journaledHumanTs().containsAll(posted);
              } catch (RuntimeException e) {
                return false;
              }
            });
    finalChannel = reader.read(channel);
    stopped = bot.stop();
    elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    System.out.printf(
        "BotCrashSafetyTest: N=%d K=%d converged=%s in %.1f s (seed %d); stale git locks: %s%n",
        MESSAGES, KILLS, converged, elapsedMillis / 1000.0, SEED, staleLocks);
  }

  @AfterAll
  static void stop() {
    if (bot != null) {
      bot.kill();
    }
    if (crash != null) {
      crash.close();
    }
  }

  /**
   * Posts N operations: new files and new versions in main, file and plain replies in threads,
   * edits of earlier messages, deletions — paced at {@link #RATE} a second.
   */
  private static void post(MethodsClient person, Random random) {
    List<String> liveRoots = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < MESSAGES; i++) {
      long due = start + (long) (i * 1e9 / RATE);
      long wait = due - System.nanoTime();
      if (wait > 0) {
        try {
          TimeUnit.NANOSECONDS.sleep(wait); // pacing only; correctness never depends on it
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      final int n = i;
      double r = random.nextDouble();
      String recent =
          liveRoots.isEmpty()
              ? null
              : liveRoots.get(
                  liveRoots.size() - 1 - random.nextInt(Math.min(30, liveRoots.size())));
      if (recent == null || r < 0.50) {
        String path = "src/f" + random.nextInt(12) + ".txt";
        ChatPostMessageResponse p =
            CrashFixture.ok(
                "post " + i,
                () ->
                    person.chatPostMessage(
                        q -> q.channel(channel).text(fileText("change " + n, path, "v" + n))));
        liveRoots.add(p.getTs());
        posted.add(p.getTs());
        fileMessages.add(p.getTs());
      } else if (r < 0.62) {
        String path = "src/t" + random.nextInt(4) + ".txt";
        ChatPostMessageResponse p =
            CrashFixture.ok(
                "reply " + i,
                () ->
                    person.chatPostMessage(
                        q ->
                            q.channel(channel)
                                .threadTs(recent)
                                .text(fileText("thread " + n, path, "t" + n))));
        posted.add(p.getTs());
        fileMessages.add(p.getTs());
      } else if (r < 0.70) {
        ChatPostMessageResponse p =
            CrashFixture.ok(
                "comment " + i,
                () ->
                    person.chatPostMessage(
                        q -> q.channel(channel).threadTs(recent).text("comment " + n)));
        posted.add(p.getTs());
      } else if (r < 0.88) {
        String path = "src/f" + random.nextInt(12) + ".txt";
        CrashFixture.ok(
            "edit " + i,
            () ->
                person.chatUpdate(
                    q -> q.channel(channel).ts(recent).text(fileText("edit " + n, path, "e" + n))));
        editsOf.merge(recent, 1, Integer::sum);
      } else {
        CrashFixture.ok("delete " + i, () -> person.chatDelete(q -> q.channel(channel).ts(recent)));
        liveRoots.remove(recent);
      }
      operations.incrementAndGet();
    }
  }

  private static String fileText(String note, String path, String line) {
    return note + "\n`" + path + "`\n```\n" + line + "\n```";
  }

  /** Whether main follows the head rule over what is in the channel now. */
  private static boolean settled(ChatReader.Channel now) {
    return expectedMainTree(now).equals(actualMainTree());
  }

  private static SortedMap<String, String> expectedMainTree(ChatReader.Channel now) {
    return ChatReader.expectedMain(now, botUserId);
  }

  private static SortedMap<String, String> actualMainTree() {
    SortedMap<String, String> tree = new TreeMap<>();
    GitStore store = GitStore.open(data.resolve("git"));
    if (!store.channels().contains(channel)) {
      return tree;
    }
    for (TreeEntry entry : store.tree(channel, "main")) {
      tree.put(
          entry.path(),
          new String(store.read(channel, "main", entry.path()), StandardCharsets.UTF_8));
    }
    return tree;
  }

  /** Live human messages that define files but carry no ✅ from the bot. */
  private static List<String> missingAnswers(ChatReader.Channel now) {
    List<String> missing = new ArrayList<>();
    for (JsonNode m : now.all()) {
      if (ChatReader.live(m)
          && ChatReader.by(m, personId)
          && ChatReader.parse(m).changesTree()
          && !ChatReader.reactionsBy(m, botUserId).containsKey("white_check_mark")) {
        missing.add(m.path("ts").asText());
      }
    }
    return missing;
  }

  @Test
  void theBotCameBackAfterEveryKillAndCaughtUp() {
    assertThat(starts).isEqualTo(KILLS + 1);
    assertThat(operations).hasValue(MESSAGES);
    assertThat(converged)
        .as("main settled and the outbox drained within 360 s of the last restart")
        .isTrue();
  }

  /**
   * SIGTERM in real-Slack mode ends serve by itself (it once took 3.5 minutes: catch-up slept
   * holding the lock {@code close()} waits on); the 30 s grace is far above the seconds it takes.
   */
  @Test
  void sigtermEndsTheBotByItself() {
    System.out.printf("BotCrashSafetyTest: SIGTERM ended serve in %s%n", stopped);
    assertThat(stopped.cleanly()).as("serve ended on SIGTERM: %s", stopped).isTrue();
  }

  /**
   * A restart needs no help: JGit updates a ref by writing {@code refs/heads/<branch>.lock} and
   * renaming it, so a SIGKILL in between leaves the lock file; the materializer that next owns the
   * store (its OS-level writer lock proves the old owner is gone) removes it on open.
   */
  @Test
  void noRestartWasBlockedByAStaleGitLock() {
    assertThat(staleLocks)
        .as("git lock files left by a killed bot that blocked a restart")
        .isEmpty();
  }

  @Test
  void mainIsTheHeadRuleOverTheWorkspacesMessages() {
    SortedMap<String, String> expected = expectedMainTree(finalChannel);
    assertThat(expected).isNotEmpty();
    assertThat(GitStore.open(data.resolve("git")).channels()).containsExactly(channel);
    assertThat(actualMainTree()).isEqualTo(expected);
  }

  /** The ts of every message version the person posted that the journal holds. */
  private static List<String> journaledHumanTs() {
    List<String> humanTs = new ArrayList<>();
    try (Journal journal = Journals.sqlite(data.resolve("journal.db"))) {
      long after = 0;
      List<JournalEntry> page;
      do {
        page = journal.read(after, 5000);
        for (JournalEntry e : page) {
          after = e.seq();
          if (e.kind() == EntryKind.MESSAGE && personId.equals(e.user())) {
            humanTs.add(e.ts());
          }
        }
      } while (!page.isEmpty());
    }
    return humanTs;
  }

  @Test
  void theJournalHoldsEveryMessageVersionOnceAndLostNone() {
    Map<String, Integer> versions = new HashMap<>();
    List<String> humanTs = new ArrayList<>();
    try (Journal journal = Journals.sqlite(data.resolve("journal.db"))) {
      long after = 0;
      List<JournalEntry> page;
      do {
        page = journal.read(after, 5000);
        for (JournalEntry e : page) {
          after = e.seq();
          if (e.kind() == EntryKind.MESSAGE) {
            versions.merge(e.channel() + "/" + e.ts() + "/" + e.version(), 1, Integer::sum);
            if (personId.equals(e.user())) {
              humanTs.add(e.ts());
            }
          }
        }
      } while (!page.isEmpty());
    }
    assertThat(versions).isNotEmpty();
    assertThat(versions.entrySet().stream().filter(e -> e.getValue() > 1).toList())
        .as("message versions journaled more than once")
        .isEmpty();
    assertThat(humanTs).as("every message the person posted was journaled").containsAll(posted);
  }

  @Test
  void noMessageGotTheSameReactionTwiceNorAnyOtherThanTheCheckMark() {
    for (JsonNode m : finalChannel.all()) {
      Map<String, Integer> reactions = ChatReader.reactionsBy(m, botUserId);
      reactions.forEach(
          (name, times) ->
              assertThat(times).as("bot's :%s: on %s", name, m.path("ts").asText()).isEqualTo(1));
      assertThat(reactions.keySet())
          .as("bot's reactions on %s (every message here is valid)", m.path("ts").asText())
          .isSubsetOf("white_check_mark");
    }
  }

  /**
   * Every change must get its ✅ (at least once). Bugs found by this test, now fixed (N=300, K=5: 3
   * to 17 file messages without ✅; N=2000, K=20: 52), and the outbox holds no row for their ✅ at
   * all, so the bot never enqueued one (not the outbox's crash window). Two causes:
   *
   * <ol>
   *   <li>A valid message that reaches the journal after a newer message defining the same path
   *       (late: event retries after downtime, catch-up, or the concurrent delivery that also hits
   *       {@code BotGoodCitizenTest}) changes no tree, so its outcome is {@code NOTHING} and the
   *       bot says nothing; in one diagnosed run 2 of the 3 messages without ✅ were such.
   *   <li>{@code EventIntake} acks an event once journaled and hands it to the bot afterwards; a
   *       SIGKILL in between leaves entries journaled (and materialized by the restart's {@code
   *       DataDir.catchUp()}) that nothing replays into the bot ({@code Server} has no bot cursor),
   *       so they are never answered.
   * </ol>
   *
   * Fixed: a valid change is ✅ even when superseded ({@code EntryOutcome.of}), and the bot keeps a
   * durable journal cursor that serve replays from on start ({@code Bot.resume}); its outbox keys
   * make the replay idempotent.
   */
  @Test
  void everyChangeGotItsCheckMark() {
    List<String> missing = missingAnswers(finalChannel);
    assertThat(missing)
        .as(
            "file messages without ✅ (%d, of which superseded by a newer definition of a path"
                + " they define: %d); outbox rows for their reactions: %s",
            missing.size(),
            missing.stream().filter(BotCrashSafetyTest::superseded).count(),
            outboxRows(missing))
        .isEmpty();
  }

  /**
   * Whether a newer live message in the same thread (or at the top level) defines a path that
   * {@code ts} defines: such a message arriving late changes no tree.
   */
  private static boolean superseded(String ts) {
    List<JsonNode> all = finalChannel.all();
    JsonNode message =
        all.stream().filter(m -> ts.equals(m.path("ts").asText())).findFirst().orElseThrow();
    String thread = message.path("thread_ts").asText("");
    List<String> paths =
        ChatReader.parse(message).files().stream().map(f -> f.path().value()).toList();
    return all.stream()
        .filter(ChatReader::live)
        .filter(m -> thread.equals(m.path("thread_ts").asText("")) || thread.isEmpty())
        .filter(m -> SlackTs.ORDER.compare(m.path("ts").asText(), ts) > 0)
        .filter(m -> !ChatReader.by(m, botUserId))
        .anyMatch(
            m ->
                ChatReader.parse(m).files().stream()
                    .anyMatch(f -> paths.contains(f.path().value())));
  }

  /** The outbox's rows for the ✅ of each message, by ts (empty when the bot never enqueued it). */
  private static Map<String, List<String>> outboxRows(List<String> tsList) {
    Map<String, List<String>> rows = new TreeMap<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("outbox.db"))) {
      for (String ts : tsList) {
        List<String> found = new ArrayList<>();
        try (PreparedStatement q =
            c.prepareStatement(
                "SELECT idempotency_key, state, attempts FROM outbox WHERE idempotency_key LIKE ?")) {
          q.setString(1, "%" + ts + "%");
          try (ResultSet r = q.executeQuery()) {
            while (r.next()) {
              found.add(
                  r.getString(1) + "=" + r.getString(2) + " after " + r.getInt(3) + " attempts");
            }
          }
        }
        rows.put(ts, found);
      }
    } catch (SQLException e) {
      rows.put("error", List.of(e.toString()));
    }
    return rows;
  }

  @Test
  void theBotAnsweredNewVersionsInThreadsOnly() {
    assertThat(finalChannel.topLevel().stream().filter(m -> ChatReader.by(m, botUserId)))
        .as("bot messages at the top level (it answers in threads)")
        .isEmpty();
    long diffs =
        finalChannel.replies().values().stream()
            .flatMap(List::stream)
            .filter(m -> ChatReader.by(m, botUserId))
            .peek(m -> assertThat(m.path("text").asText()).startsWith("New version"))
            .count();
    assertThat(diffs).as("new versions were posted, so some diffs").isPositive();
  }

  /**
   * No diff twice, at most one per new version. After a SIGKILL between Slack accepting a {@code
   * chat.postMessage} and the outbox marking it sent, the outbox looks for the message by the
   * idempotency key in its {@code metadata} before resending ({@code Outbox.alreadyPosted}); this
   * needs the workspace to store a posted message's {@code metadata} and return it from {@code
   * conversations.history}/{@code replies} with {@code include_all_metadata} (as real Slack does;
   * before it did, the diff was posted again and its outbox row showed 2 attempts).
   */
  @Test
  void noDiffWasPostedTwiceAndAtMostOnePerNewVersion() {
    for (Map.Entry<String, List<JsonNode>> thread : finalChannel.replies().entrySet()) {
      List<JsonNode> botReplies =
          thread.getValue().stream().filter(m -> ChatReader.by(m, botUserId)).toList();
      List<String> texts = botReplies.stream().map(m -> m.path("text").asText()).toList();
      List<String> humanTs = new ArrayList<>(List.of(thread.getKey()));
      int humanVersions = versionsOf(thread.getKey());
      for (JsonNode reply : thread.getValue()) {
        if (ChatReader.by(reply, personId)) {
          humanVersions += versionsOf(reply.path("ts").asText());
          humanTs.add(reply.path("ts").asText());
        }
      }
      assertThat(texts)
          .as("bot replies in thread %s; outbox rows: %s", thread.getKey(), outboxRows(humanTs))
          .doesNotHaveDuplicates();
      assertThat(botReplies.size())
          .as("diffs in thread %s, which had %d human versions", thread.getKey(), humanVersions)
          .isLessThanOrEqualTo(humanVersions);
    }
  }

  private static int versionsOf(String ts) {
    return fileMessages.contains(ts) ? 1 + editsOf.getOrDefault(ts, 0) : 0;
  }

  /**
   * Starts the bot, in real-Slack mode against the workspace, on the same data and port. When a
   * start fails on git lock files a SIGKILL left behind (see {@link
   * #noRestartWasBlockedByAStaleGitLock}), records them, removes them as an operator would, and
   * starts again, so that the other checks still run.
   */
  private static ServeProcess startBot(int generation) throws IOException {
    try {
      return startBotOnce(generation, "");
    } catch (IllegalStateException e) {
      List<Path> locks;
      try (Stream<Path> files = Files.walk(data.resolve("git"))) {
        locks = files.filter(f -> f.getFileName().toString().endsWith(".lock")).toList();
      }
      if (locks.isEmpty() || !String.valueOf(e.getMessage()).contains("LOCK_FAILURE")) {
        throw e;
      }
      for (Path lock : locks) {
        staleLocks.add(data.relativize(lock).toString());
        Files.delete(lock);
      }
      return startBotOnce(generation, "-after-lock-removal");
    }
  }

  private static ServeProcess startBotOnce(int generation, String suffix) throws IOException {
    ServeProcess started =
        ServeProcess.start(
            data,
            port,
            crash.serveEnvironment(Map.of()),
            dir.resolve("bot-" + generation + suffix + ".log"));
    starts++;
    return started;
  }
}
