package dev.threadbare.app.crash;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.threadbare.core.journal.EntryKind;
import dev.threadbare.core.journal.Journal;
import dev.threadbare.journal.Journals;
import dev.threadbare.testing.Eventually;
import dev.threadbare.workspace.LocalWorkspace;
import dev.threadbare.workspace.RateLimits;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DESIGN.md section 5, "the bot never posts more messages than the humans it answers", over a
 * scripted session of 200 human messages from two people (files, new versions, pathless blocks, bad
 * paths, {@code help}, {@code status}, thread replies with files and new versions, plain chat)
 * through {@code threadbare serve} on the local workspace. Visible bot messages are counted in the
 * workspace ({@code conversations.history} and {@code replies}); ephemeral messages never appear
 * there, so they are counted from the bot's own outbox ({@code outbox.db}, calls sent).
 *
 * <p>serve runs as a child process so that {@code THREADBARE_OUTBOX_PER_MINUTE} can lift Slack's
 * pacing (50 reactions a minute would make this take minutes); the workspace's own rate limits are
 * lifted for the same reason before serve starts.
 */
class BotGoodCitizenTest {

  private static final int CYCLES = 20; // 10 human messages each

  @TempDir static Path dir;
  static ServeProcess serve;
  static ChatReader admin;
  static ChatReader bob;
  static String botUserId;
  static String channel;
  static int humans;
  static final List<String> threadRoots = new ArrayList<>();
  static final List<String> fixes = new ArrayList<>();
  static int lateRoots;
  static ChatReader.Channel session;
  static Map<String, Integer> sentByMethod;
  static boolean settled;
  static ServeProcess.Stopped stopped;
  static List<String> outboxDiagnosis;
  static List<String> serveWarnings;

  @BeforeAll
  static void runTheSession() throws Exception {
    Path data = dir.resolve("data");
    String adminToken;
    String bobToken;
    try (LocalWorkspace workspace = LocalWorkspace.open(data)) {
      workspace.setRateLimits(RateLimits.unlimited());
      adminToken = workspace.firstRunAdminToken().orElseThrow();
      bobToken = workspace.addUser("bob", false);
      botUserId = workspace.botUserId();
    }
    int port = CrashFixture.freePort();
    serve =
        ServeProcess.start(
            data, port, Map.of("THREADBARE_OUTBOX_PER_MINUTE", "60000"), dir.resolve("serve.log"));
    admin = new ChatReader(serve.url() + "/api/", adminToken);
    bob = new ChatReader(serve.url() + "/api/", bobToken);
    channel = admin.channelId("general");

    for (int i = 0; i < CYCLES; i++) {
      ChatReader who = i % 2 == 0 ? admin : bob;
      String root = post(who, null, "new module\n`app/m" + i + ".py`\n```\nprint(" + i + ")\n```");
      threadRoots.add(root);
      fixes.add(post(who, null, "fix\n`app/m" + i + ".py`\n```\nprint(" + i + " + 1)\n```"));
      post(who, null, "what about this?\n```\nx = " + i + "\n```");
      post(who, null, "`../etc/passwd" + i + "`\n```\nroot\n```");
      post(who, null, "help");
      post(who, null, "status");
      post(who, root, "`app/t" + i + ".py`\n```\ny = 1\n```");
      post(who, root, "`app/t" + i + ".py`\n```\ny = 2\n```");
      post(who, null, "just talking " + i);
      post(who, null, "`docs/r" + i + ".md`\n```\n# r" + i + "\n```");
    }
    assertThat(humans).isEqualTo(10 * CYCLES);

    // Answered: every ❓ and ❌ and every diff is there (see everyFileMessageGotItsCheckMark for
    // the ✅), and then nothing is left to do.
    settled =
        Eventually.eventually(
            Duration.ofSeconds(240),
            () -> {
              try {
                ChatReader.Channel now = admin.read(channel);
                Map<String, Integer> reactions = reactionsByName(now);
                return reactions.getOrDefault("question", 0) == CYCLES
                    && reactions.getOrDefault("x", 0) == CYCLES
                    && diffs(now) == 2L * CYCLES - lateRoots(data)
                    && serve.drained();
              } catch (RuntimeException e) {
                return false;
              }
            });
    session = admin.read(channel);
    stopped = serve.stop();
    lateRoots = lateRoots(data);
    sentByMethod = sentByMethod(data);
    outboxDiagnosis = outboxRows(data, unanswered(session));
    serveWarnings = warnings(dir.resolve("serve.log"));
  }

  @AfterAll
  static void stopServe() {
    if (serve != null) {
      serve.kill();
    }
  }

  private static String post(ChatReader who, String threadTs, String text) {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("channel", channel);
    params.put("text", text);
    if (threadTs != null) {
      params.put("thread_ts", threadTs);
    }
    humans++;
    return who.call("chat.postMessage", params).path("ts").asText();
  }

  private static Map<String, Integer> expectedReactions() {
    return Map.of("white_check_mark", 5 * CYCLES, "question", CYCLES, "x", CYCLES);
  }

  private static Map<String, Integer> reactionsByName(ChatReader.Channel now) {
    Map<String, Integer> names = new TreeMap<>();
    for (JsonNode m : now.all()) {
      ChatReader.reactionsBy(m, botUserId).forEach((name, n) -> names.merge(name, n, Integer::sum));
    }
    return names;
  }

  /** Human messages that should have a reaction (all but help, status, chat) and have none. */
  private static List<String> unanswered(ChatReader.Channel now) {
    List<String> missing = new ArrayList<>();
    for (JsonNode m : now.all()) {
      String text = m.path("text").asText();
      boolean expectsOne =
          !ChatReader.by(m, botUserId)
              && !m.has("subtype")
              && text.contains("```")
              && !text.startsWith("New version");
      if (expectsOne && ChatReader.reactionsBy(m, botUserId).isEmpty()) {
        missing.add(m.path("ts").asText() + " " + text.replace('\n', ' '));
      }
    }
    return missing;
  }

  /** The outbox rows naming each message, and every row not sent. */
  private static List<String> outboxRows(Path data, List<String> messages) {
    List<String> rows = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("outbox.db"));
        PreparedStatement q =
            c.prepareStatement(
                "SELECT idempotency_key, state, attempts, error, payload FROM outbox"
                    + " WHERE state <> 'sent' OR idempotency_key LIKE ? OR payload LIKE ?")) {
      for (String message : messages) {
        String ts = "%" + message.split(" ", 2)[0] + "%";
        q.setString(1, ts);
        q.setString(2, ts);
        try (ResultSet r = q.executeQuery()) {
          while (r.next()) {
            rows.add(
                r.getString(1)
                    + "="
                    + r.getString(2)
                    + "/"
                    + r.getInt(3)
                    + "/"
                    + r.getString(4)
                    + "/"
                    + r.getString(5));
          }
        }
      }
    } catch (SQLException e) {
      rows.add(e.toString());
    }
    return rows;
  }

  private static List<String> warnings(Path log) {
    try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
      return lines.filter(l -> l.contains("WARN") || l.contains("ERROR")).limit(20).toList();
    } catch (IOException e) {
      return List.of(e.toString());
    }
  }

  private static Map<String, Integer> sentByMethod(Path data) throws Exception {
    Map<String, Integer> sent = new TreeMap<>();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("outbox.db"));
        PreparedStatement q =
            c.prepareStatement(
                "SELECT method, COUNT(*) FROM outbox WHERE state = 'sent' GROUP BY method");
        ResultSet r = q.executeQuery()) {
      while (r.next()) {
        sent.put(r.getString(1), r.getInt(2));
      }
    }
    return sent;
  }

  private static List<JsonNode> botMessages() {
    return session.all().stream().filter(m -> ChatReader.by(m, botUserId)).toList();
  }

  /** SIGTERM on the local workspace ends serve by itself, losing nothing (the answers above). */
  @Test
  void sigtermEndsServeByItself() {
    System.out.printf("BotGoodCitizenTest: SIGTERM ended serve in %s%n", stopped);
    assertThat(stopped.cleanly()).as("serve ended on SIGTERM: %s", stopped).isTrue();
  }

  @Test
  void theBotPostsFewerVisibleMessagesThanTheHumans() {
    long human =
        session.all().stream()
            .filter(m -> !ChatReader.by(m, botUserId) && !m.has("subtype"))
            .count();
    assertThat(human).isEqualTo(humans);
    List<JsonNode> bot = botMessages();
    System.out.printf(
        "BotGoodCitizenTest: %d human messages, %d visible bot messages, outbox sent %s%n",
        humans, bot.size(), sentByMethod);
    assertThat(bot).isNotEmpty().hasSizeLessThanOrEqualTo(humans);
  }

  @Test
  void countingEphemeralRepliesTheBotStillSaysLessThanTheHumans() {
    int visible = botMessages().size();
    int ephemeral = sentByMethod.getOrDefault("chat.postEphemeral", 0);
    // One private note per pathless block, per refused path and per help.
    assertThat(ephemeral).isEqualTo(3 * CYCLES);
    assertThat(sentByMethod.getOrDefault("chat.postMessage", 0))
        .as("outbox posts = visible bot messages")
        .isEqualTo(visible);
    assertThat(visible + ephemeral).isLessThanOrEqualTo(humans);
  }

  @Test
  void statusIsOneMessageEditedNotReposted() {
    List<JsonNode> topLevel =
        session.topLevel().stream().filter(m -> ChatReader.by(m, botUserId)).toList();
    assertThat(topLevel).as("the bot's top-level messages: the status only").hasSize(1);
    assertThat(sentByMethod.getOrDefault("chat.update", 0))
        .as("later status commands edit it")
        .isPositive();
  }

  @Test
  void theSessionSettled() {
    assertThat(settled).as("every ❓, ❌ and diff within 90 s, and the outbox drained").isTrue();
  }

  /**
   * Each new version gets one diff. The workspace delivers events concurrently, so a root may reach
   * the journal after its {@code fix} (same path): the fix is then the path's first version in the
   * history by arrival (no diff), and the late root changes no tree (✅, no diff); such a cycle has
   * one diff (the thread's), which this counts from the journal's order.
   */
  @Test
  void everyNewVersionGotOneDiff() {
    assertThat(diffs(session))
        .as("diffs, %d roots having reached the journal after their fix", lateRoots)
        .isEqualTo(2L * CYCLES - lateRoots);
  }

  /** How many roots the journal holds after the fix that supersedes them. */
  private static int lateRoots(Path data) {
    Map<String, Long> firstSeq = new HashMap<>();
    try (Journal journal = Journals.sqlite(data.resolve("journal.db"))) {
      journal.replay(
          0,
          e -> {
            if (e.kind() == EntryKind.MESSAGE) {
              firstSeq.putIfAbsent(e.ts(), e.seq());
            }
          });
    }
    int late = 0;
    for (int i = 0; i < threadRoots.size() && i < fixes.size(); i++) {
      Long root = firstSeq.get(threadRoots.get(i));
      Long fix = firstSeq.get(fixes.get(i));
      if (root != null && fix != null && root > fix) {
        late++;
      }
    }
    return late;
  }

  /**
   * Every file message gets its ✅, and each diff lands in the thread of the message it answers.
   * Found bugs, now fixed: the workspace delivers events concurrently (a virtual thread each), as
   * Slack does not promise order either; a root reaching the journal after its next version (the
   * {@code fix} message, same path) changes no tree by the head rule, and got no ✅ although the
   * message was valid (now: ✅, no diff). In the same runs the root's thread got a diff, keyed to
   * its first reply (which only adds {@code app/tN.py}), showing {@code app/mN.py}: the diff was of
   * the entry's first branch change and all its paths (now: only the paths the message defines, on
   * its own branch).
   */
  @Test
  void everyFileMessageGotItsCheckMarkAndItsDiffInItsOwnThread() {
    assertThat(reactionsByName(session))
        .as(
            "the bot's reactions; messages with none: %s; outbox rows: %s; serve's warnings: %s",
            unanswered(session), outboxDiagnosis, serveWarnings)
        .isEqualTo(expectedReactions());
    diffsAreInTheirOwnThreads();
  }

  private static long diffs(ChatReader.Channel now) {
    return now.all().stream()
        .filter(m -> ChatReader.by(m, botUserId))
        .filter(m -> m.path("text").asText().startsWith("New version"))
        .count();
  }

  private static void diffsAreInTheirOwnThreads() {
    // Each cycle: the second version of app/mN.py is its own message (diff in its own thread);
    // the thread's second version of app/tN.py gets its diff in the root's thread.
    for (String root : threadRoots) {
      List<JsonNode> botReplies =
          session.replies().getOrDefault(root, List.of()).stream()
              .filter(m -> ChatReader.by(m, botUserId))
              .toList();
      assertThat(botReplies).as("bot replies in thread %s", root).hasSize(1);
      assertThat(botReplies.get(0).path("text").asText()).startsWith("New version");
    }
  }
}
