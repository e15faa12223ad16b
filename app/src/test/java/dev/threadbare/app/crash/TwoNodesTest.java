package dev.threadbare.app.crash;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.threadbare.core.journal.EntryKind;
import dev.threadbare.core.journal.Journal;
import dev.threadbare.journal.Journals;
import dev.threadbare.materializer.GitStore;
import dev.threadbare.materializer.Materializer;
import dev.threadbare.testing.Eventually;
import dev.threadbare.testing.TestDatabase;
import dev.threadbare.testing.TestPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code serve} processes on one PostgreSQL journal (embedded), each with its own data
 * directory and git store, the db layer on the same server ({@code THREADBARE_DB_POSTGRES}), both
 * in real-Slack mode against the local workspace running in this JVM. The workspace signs its
 * events as Slack does and sends them to a round-robin relay (the load balancer), which hands them
 * to the nodes alternately, and to the other when one does not answer. While a person posts files,
 * new versions, thread replies and edits, the leading node is killed with SIGKILL. Afterwards:
 * nothing lost (every message journaled, the survivor's {@code main} is the head rule over the
 * workspace's messages, its refs are those of a rebuild from the journal), nothing answered twice
 * (reactions and diffs in the workspace), and the killed node, restarted as a follower, catches up
 * to the same commit ids; both serve git.
 *
 * <p>System properties: {@code threadbare.twonodes.messages} (default 120), {@code
 * threadbare.twonodes.rate} (posts a second, default 12), {@code threadbare.twonodes.seed}.
 */
class TwoNodesTest {

  private static final int MESSAGES = Integer.getInteger("threadbare.twonodes.messages", 120);
  private static final double RATE =
      Double.parseDouble(System.getProperty("threadbare.twonodes.rate", "12"));
  private static final long SEED = Long.getLong("threadbare.twonodes.seed", System.nanoTime());
  private static final String SECRET = "two-nodes-signing-secret";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir static Path dir;
  static CrashFixture crash;
  static String channel;
  static String botUserId;
  static String personId;
  static String personToken;
  static ChatReader reader;
  static TestDatabase journalDb;
  static String dbPostgres;
  static final Node[] nodes = new Node[2];
  static Relay relay;
  static int leaderAtKill = -1;
  static String leaderAfterKill;
  static final List<String> posted = new CopyOnWriteArrayList<>();
  static final List<String> posterErrors = new CopyOnWriteArrayList<>();
  static ChatReader.Channel finalChannel;
  static boolean converged;

  /** A channel with {@code [ci]}: every commit is tested, on one node, through the kill. */
  static String ciChannel;

  static final List<String> ciPosted = new CopyOnWriteArrayList<>();
  static ChatReader.Channel finalCiChannel;
  static boolean ciSettled;

  /** The bot's result reactions of a CI run (ChatCi), 🔄 aside. */
  static final List<String> CI_RESULTS =
      List.of("large_green_circle", "red_circle", "warning", "black_square_for_stop");

  /** One node: its data directory, port and (while running) process. */
  static final class Node {
    final String name;
    final Path data;
    final int port;
    volatile ServeProcess process;
    int starts;

    Node(String name) throws IOException {
      this.name = name;
      this.data = dir.resolve(name);
      this.port = CrashFixture.freePort();
    }

    String url() {
      return "http://127.0.0.1:" + port;
    }

    void start() throws IOException {
      process =
          ServeProcess.start(
              data,
              port,
              crash.serveEnvironment(
                  Map.of(
                      "THREADBARE_JOURNAL_URL",
                      journalDb.jdbcUrl() + "?user=" + journalDb.user(),
                      "THREADBARE_DB_POSTGRES",
                      dbPostgres)),
              dir.resolve(name + "-" + starts++ + ".log"));
    }

    String nodeId() {
      try {
        return Files.readString(data.resolve("node-id")).strip();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  @BeforeAll
  static void killTheLeaderWhilePeoplePost() throws Exception {
    System.out.printf("TwoNodesTest: N=%d rate=%.1f/s seed=%d%n", MESSAGES, RATE, SEED);
    crash = CrashFixture.open(dir.resolve("workspace"), SECRET);
    botUserId = crash.botUserId;
    personToken = crash.personToken;
    reader = crash.reader;
    channel = crash.channel;
    personId = crash.personId;

    journalDb = TestPostgres.newDatabase();
    TestDatabase layerAdmin = TestPostgres.newDatabase();
    dbPostgres =
        "postgresql://"
            + layerAdmin.user()
            + "@127.0.0.1:"
            + TestPostgres.port()
            + "/"
            + layerAdmin.name();
    nodes[0] = new Node("a");
    nodes[1] = new Node("b");
    nodes[0].start();
    nodes[1].start();
    relay = new Relay(List.of(nodes[0], nodes[1]));
    crash.workspace.setEventsRequestUrl(relay.url() + "/slack/events", SECRET);

    MethodsClient person = crash.person();
    ciChannel =
        CrashFixture.ok("create #checked", () -> person.conversationsCreate(q -> q.name("checked")))
            .getChannel()
            .getId();
    ciPosted.add(
        CrashFixture.ok(
                "post threadbare.toml",
                () ->
                    person.chatPostMessage(
                        q ->
                            q.channel(ciChannel)
                                .text(file("threadbare.toml", "[ci]\ntest = \"sleep 1\""))))
            .getTs());
    AtomicInteger done = new AtomicInteger();
    Thread poster =
        CrashFixture.startPoster(() -> post(person, new Random(SEED), done), posterErrors);
    // Mid-stream: once half the messages are posted, the leader goes.
    assertThat(Eventually.eventually(Duration.ofMinutes(5), () -> done.get() >= MESSAGES / 2))
        .isTrue();
    String leader = leaderNode();
    leaderAtKill = leader.equals(nodes[0].nodeId()) ? 0 : 1;
    nodes[leaderAtKill].process.kill();
    Node survivor = nodes[1 - leaderAtKill];
    // The survivor takes over within seconds.
    assertThat(
            Eventually.eventually(
                Duration.ofSeconds(60), () -> survivor.nodeId().equals(leaderNodeQuietly())))
        .as("the survivor holds the leader's lock")
        .isTrue();
    leaderAfterKill = leaderNode();
    poster.join(TimeUnit.MINUTES.toMillis(10));
    assertThat(posterErrors).as("the poster's calls").isEmpty();
    assertThat(done).hasValue(MESSAGES);

    converged =
        Eventually.eventually(
            Duration.ofMinutes(3),
            () -> {
              try {
                return survivor.process.drained()
                    && expectedMain(reader.read(channel)).equals(mainOf(survivor))
                    && journaledHumanTs().containsAll(posted);
              } catch (RuntimeException e) {
                return false;
              }
            });
    finalChannel = reader.read(channel);
    ciSettled =
        Eventually.eventually(
            Duration.ofMinutes(4),
            () -> {
              try {
                List<String[]> runs = ciRuns();
                ChatReader.Channel now = reader.read(ciChannel);
                return survivor.process.drained()
                    && commitsOfMain(survivor, ciChannel)
                        .equals(runs.stream().map(r -> r[0]).collect(Collectors.toSet()))
                    && runs.stream()
                        .allMatch(
                            r ->
                                r[3].equals("1")
                                    && now.topLevel().stream()
                                        .anyMatch(
                                            m ->
                                                r[1].equals(m.path("ts").asText())
                                                    && results(m) > 0));
              } catch (RuntimeException | java.sql.SQLException e) {
                return false;
              }
            });
    finalCiChannel = reader.read(ciChannel);
  }

  /** How many CI result reactions the bot put on {@code message}. */
  static int results(JsonNode message) {
    return ChatReader.reactionsBy(message, botUserId).entrySet().stream()
        .filter(e -> CI_RESULTS.contains(e.getKey()))
        .mapToInt(Map.Entry::getValue)
        .sum();
  }

  @AfterAll
  static void stop() throws IOException {
    for (Node node : nodes) {
      if (node != null && node.process != null) {
        node.process.kill();
      }
    }
    if (relay != null) {
      relay.close();
    }
    if (crash != null) {
      crash.close();
    }
  }

  private static void post(MethodsClient person, Random random, AtomicInteger done) {
    List<String> roots = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < MESSAGES; i++) {
      long wait = start + (long) (i * 1e9 / RATE) - System.nanoTime();
      if (wait > 0) {
        try {
          TimeUnit.NANOSECONDS.sleep(wait); // pacing only
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      final int n = i;
      double r = random.nextDouble();
      String recent =
          roots.isEmpty()
              ? null
              : roots.get(roots.size() - 1 - random.nextInt(Math.min(20, roots.size())));
      if (recent == null || r < 0.6) {
        String path = "src/f" + random.nextInt(10) + ".txt";
        ChatPostMessageResponse p =
            CrashFixture.ok(
                "Web API call",
                () -> person.chatPostMessage(q -> q.channel(channel).text(file(path, "v" + n))));
        roots.add(p.getTs());
        posted.add(p.getTs());
      } else if (r < 0.8) {
        String path = "src/t" + random.nextInt(3) + ".txt";
        ChatPostMessageResponse p =
            CrashFixture.ok(
                "Web API call",
                () ->
                    person.chatPostMessage(
                        q -> q.channel(channel).threadTs(recent).text(file(path, "t" + n))));
        posted.add(p.getTs());
      } else {
        String path = "src/f" + random.nextInt(10) + ".txt";
        CrashFixture.ok(
            "Web API call",
            () -> person.chatUpdate(q -> q.channel(channel).ts(recent).text(file(path, "e" + n))));
      }
      if (i % 6 == 5) {
        String path = "ci/c" + random.nextInt(3) + ".txt";
        ciPosted.add(
            CrashFixture.ok(
                    "post to #checked",
                    () ->
                        person.chatPostMessage(q -> q.channel(ciChannel).text(file(path, "c" + n))))
                .getTs());
      }
      done.incrementAndGet();
    }
  }

  private static String file(String path, String line) {
    return "`" + path + "`\n```\n" + line + "\n```";
  }

  /** The node id of the session holding the leader's advisory lock. */
  private static String leaderNode() {
    try (Connection c =
            DriverManager.getConnection(
                journalDb.jdbcUrl(), journalDb.user(), journalDb.password());
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                    + " WHERE l.locktype = 'advisory' AND l.granted"
                    + " AND a.application_name LIKE 'threadbare leadership %'")) {
      List<String> holders = new ArrayList<>();
      while (r.next()) {
        holders.add(r.getString(1).substring("threadbare leadership ".length()));
      }
      assertThat(holders).as("sessions holding the leader's lock").hasSizeLessThanOrEqualTo(1);
      return holders.isEmpty() ? "" : holders.get(0);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String leaderNodeQuietly() {
    try {
      return leaderNode();
    } catch (RuntimeException e) {
      return "";
    }
  }

  private static SortedMap<String, String> expectedMain(ChatReader.Channel now) {
    return ChatReader.expectedMain(now, botUserId);
  }

  private static SortedMap<String, String> mainOf(Node node) {
    SortedMap<String, String> tree = new TreeMap<>();
    GitStore store = GitStore.open(node.data.resolve("git"));
    if (!store.channels().contains(channel)) {
      return tree;
    }
    store
        .tree(channel, "main")
        .forEach(
            e ->
                tree.put(
                    e.path(),
                    new String(store.read(channel, "main", e.path()), StandardCharsets.UTF_8)));
    return tree;
  }

  /** Every branch head of the channel in {@code gitDirectory}. */
  private static SortedMap<String, String> heads(Path gitDirectory) {
    SortedMap<String, String> heads = new TreeMap<>();
    GitStore store = GitStore.open(gitDirectory);
    for (String branch : store.branches(channel)) {
      heads.put(branch, store.resolve(channel, branch).name());
    }
    return heads;
  }

  private static Journal journal() {
    return Journals.postgres(journalDb.jdbcUrl(), journalDb.user(), journalDb.password());
  }

  private static List<String> journaledHumanTs() {
    List<String> ts = new ArrayList<>();
    try (Journal journal = journal()) {
      journal.replay(
          0,
          e -> {
            if (e.kind() == EntryKind.MESSAGE && personId.equals(e.user())) {
              ts.add(e.ts());
            }
          });
    }
    return ts;
  }

  @Test
  void theLeaderWasKilledMidStreamAndTheSurvivorTookOverAndConverged() {
    assertThat(leaderAtKill).isIn(0, 1);
    assertThat(leaderAfterKill).isEqualTo(nodes[1 - leaderAtKill].nodeId());
    assertThat(converged)
        .as("the survivor's main is the head rule over the workspace, its outbox drained")
        .isTrue();
    assertThat(relay.delivered[0].get()).as("events delivered to node a").isPositive();
    assertThat(relay.delivered[1].get()).as("events delivered to node b").isPositive();
  }

  @Test
  void theJournalHoldsEveryMessageVersionOnce() {
    Map<String, Integer> versions = new HashMap<>();
    try (Journal journal = journal()) {
      journal.replay(
          0,
          e -> {
            if (e.kind() == EntryKind.MESSAGE) {
              versions.merge(e.channel() + "/" + e.ts() + "/" + e.version(), 1, Integer::sum);
            }
          });
    }
    assertThat(versions.values()).allMatch(n -> n == 1);
    assertThat(journaledHumanTs()).containsAll(posted);
  }

  @Test
  void theSurvivorsCommitsAreARebuildsAndTheRestartedNodeCatchesUpToThem() throws Exception {
    Node survivor = nodes[1 - leaderAtKill];
    Path rebuilt = dir.resolve("rebuilt-git");
    try (Journal journal =
        Journals.withNodeCursors(journal(), "rebuild", java.util.Set.of(Materializer.CURSOR))) {
      Materializer.rebuild(journal, rebuilt);
    }
    SortedMap<String, String> expected = heads(rebuilt);
    assertThat(expected).containsKey("main").hasSizeGreaterThan(1);
    assertThat(heads(survivor.data.resolve("git"))).isEqualTo(expected);

    Node killed = nodes[leaderAtKill];
    killed.start();
    assertThat(
            Eventually.eventually(
                Duration.ofMinutes(2),
                () -> {
                  try {
                    return expected.equals(heads(killed.data.resolve("git")));
                  } catch (RuntimeException e) {
                    return false;
                  }
                }))
        .as("the restarted node's own store reaches the same commit ids")
        .isTrue();
    assertThat(leaderNode()).as("the restarted node follows").isEqualTo(survivor.nodeId());
    // What a balancer's health check reads to send deployments' host names to the leader.
    assertThat(leaderCheck(survivor)).isEqualTo(200);
    assertThat(leaderCheck(killed)).isEqualTo(503);
    // Both serve git: every branch head over smart HTTP is the rebuild's.
    for (Node node : nodes) {
      assertThat(lsRemote(node)).as("git ls-remote of node " + node.name).isEqualTo(expected);
    }
  }

  @Test
  void nothingWasAnsweredTwiceAndEveryChangeGotItsCheckMark() {
    List<String> missing = new ArrayList<>();
    Map<String, Integer> botPosts = new HashMap<>();
    for (JsonNode m : finalChannel.all()) {
      ChatReader.reactionsBy(m, botUserId)
          .forEach(
              (name, times) ->
                  assertThat(times)
                      .as("bot's :%s: on %s", name, m.path("ts").asText())
                      .isEqualTo(1));
      if (ChatReader.by(m, botUserId)) {
        botPosts.merge(
            m.path("thread_ts").asText() + "\n" + m.path("text").asText(), 1, Integer::sum);
      } else if (ChatReader.by(m, personId)
          && ChatReader.parse(m).changesTree()
          && !ChatReader.reactionsBy(m, botUserId).containsKey("white_check_mark")) {
        missing.add(m.path("ts").asText());
      }
    }
    assertThat(missing).as("file messages without the bot's ✅").isEmpty();
    assertThat(botPosts).as("the bot's posts").isNotEmpty();
    assertThat(botPosts.entrySet().stream().filter(e -> e.getValue() > 1).toList())
        .as("bot messages posted twice")
        .isEmpty();
  }

  @Test
  void everyCommitOfTheCiChannelGotOneResultFromOneNode() throws Exception {
    List<String[]> runs = ciRuns();
    List<String> shown = runs.stream().map(r -> String.join(" ", r)).toList();
    assertThat(ciSettled)
        .as("every commit of #checked has a reported CI run and its result; runs: %s", shown)
        .isTrue();
    // One run a commit (the toml's and most posts': a post that arrived late, behind a newer
    // version of its path, made no commit), whichever node queued it.
    assertThat(runs).isNotEmpty();
    assertThat(runs.stream().map(r -> r[0]).distinct()).hasSize(runs.size());
    for (JsonNode m : finalCiChannel.topLevel()) {
      if (ChatReader.by(m, personId)) {
        boolean tested = runs.stream().anyMatch(r -> r[1].equals(m.path("ts").asText()));
        assertThat(results(m))
            .as("CI results on %s: %s", m.path("ts").asText(), m.path("reactions"))
            .isEqualTo(tested ? 1 : 0);
      }
    }
    finalCiChannel
        .replies()
        .forEach(
            (root, replies) ->
                assertThat(
                        replies.stream()
                            .filter(r -> ChatReader.by(r, botUserId))
                            .filter(r -> r.path("text").asText().startsWith("CI "))
                            .count())
                    .as("the bot's CI replies under %s", root)
                    .isLessThanOrEqualTo(1));
  }

  /** The shared store's CI runs of #checked: commit, message ts, status, reported. */
  private static List<String[]> ciRuns() throws java.sql.SQLException {
    try (Connection c =
            DriverManager.getConnection(
                journalDb.jdbcUrl(), journalDb.user(), journalDb.password());
        java.sql.PreparedStatement s =
            c.prepareStatement(
                "SELECT commit_id, message_ts, status, reported FROM ci_runs WHERE channel = ?"
                    + " ORDER BY id")) {
      s.setString(1, ciChannel);
      List<String[]> runs = new ArrayList<>();
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          runs.add(
              new String[] {
                r.getString(1), r.getString(2), r.getString(3), Integer.toString(r.getInt(4))
              });
        }
      }
      return runs;
    }
  }

  /** The ids of the commits of {@code channel}'s main in the node's store. */
  private static java.util.Set<String> commitsOfMain(Node node, String channel) {
    return GitStore.open(node.data.resolve("git")).log(channel, "main").stream()
        .map(e -> e.commit().name())
        .collect(Collectors.toSet());
  }

  private static int leaderCheck(Node node) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create(node.url() + "/nodes/leader"))
                .timeout(Duration.ofSeconds(30))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  private static SortedMap<String, String> lsRemote(Node node) throws Exception {
    String token = addToken(node);
    Process git =
        new ProcessBuilder(
                "git",
                "ls-remote",
                "--heads",
                "http://x:" + token + "@127.0.0.1:" + node.port + "/git/general.git")
            .redirectErrorStream(true)
            .start();
    String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(git.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(git.exitValue()).as(out).isZero();
    SortedMap<String, String> heads = new TreeMap<>();
    for (String line : out.strip().split("\n")) {
      String[] parts = line.split("\t");
      heads.put(parts[1].substring("refs/heads/".length()), parts[0]);
    }
    return heads;
  }

  /** A personal git token for the person, from {@code threadbare git add-token} on the node. */
  private static String addToken(Node node) throws Exception {
    String classPath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Process cli =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                classPath,
                "dev.threadbare.app.Main",
                "git",
                "add-token",
                "--data",
                node.data.toString(),
                "--user",
                personId)
            .redirectErrorStream(true)
            .start();
    String out = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(cli.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(cli.exitValue()).as(out).isZero();
    String[] lines = out.strip().split("\n");
    return lines[lines.length - 1].strip();
  }

  /**
   * The load balancer: hands each signed event, byte for byte with Slack's headers, to the nodes in
   * turn; to the next when one does not answer (connection refused: a killed node).
   */
  static final class Relay implements AutoCloseable {
    final HttpServer server;
    final List<Node> targets;
    final AtomicInteger turn = new AtomicInteger();
    final AtomicInteger[] delivered = {new AtomicInteger(), new AtomicInteger()};

    Relay(List<Node> targets) throws IOException {
      this.targets = targets;
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.setExecutor(Executors.newFixedThreadPool(8));
      server.createContext("/", this::handle);
      server.start();
    }

    String url() {
      return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      int first = Math.floorMod(turn.getAndIncrement(), targets.size());
      for (int i = 0; i < targets.size(); i++) {
        int index = (first + i) % targets.size();
        HttpRequest.Builder forward =
            HttpRequest.newBuilder(
                    URI.create(targets.get(index).url() + exchange.getRequestURI().getRawPath()))
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        exchange
            .getRequestHeaders()
            .forEach(
                (name, values) -> {
                  String lower = name.toLowerCase(java.util.Locale.ROOT);
                  if (lower.startsWith("x-slack-") || lower.equals("content-type")) {
                    values.forEach(v -> forward.header(name, v));
                  }
                });
        try {
          HttpResponse<byte[]> response =
              HTTP.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
          delivered[index].incrementAndGet();
          exchange.sendResponseHeaders(
              response.statusCode(), response.body().length == 0 ? -1 : response.body().length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(response.body());
          }
          return;
        } catch (IOException e) {
          // this node is down: the next one
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      exchange.sendResponseHeaders(502, -1);
      exchange.close();
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }
}
