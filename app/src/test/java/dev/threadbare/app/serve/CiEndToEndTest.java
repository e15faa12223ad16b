package dev.threadbare.app.serve;

import static dev.threadbare.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.methods.MethodsClient;
import com.slack.api.model.Message;
import dev.threadbare.ci.CiRun;
import dev.threadbare.ci.RunStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * CI as a team meets it in {@code serve}: small real projects posted through the local workspace (a
 * Python package tested by {@code python3 -m unittest}, a Node package by {@code node --test} on a
 * thread branch, a shell script), passing, failing, timing out and superseded; hostile tests that
 * attack the server from inside the sandbox; the reactions, the one thread reply per failure, the
 * {@code /ci/} pages and {@code threadbare ci}. The bot posts fewer messages than the people.
 */
@Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES)
class CiEndToEndTest {

  @TempDir static Path dir;
  static ServeFixture serve;
  static Server server;
  static MethodsClient person;
  static String general;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    serve = ServeFixture.start(Server.Settings.defaults(dir.resolve("data")));
    server = serve.server();
    person = serve.person();
    general = serve.general();
    assertThat(server.ci()).as("bubblewrap must work here").isPresent();
  }

  @AfterAll
  static void stop() {
    if (serve != null) {
      serve.close();
    }
  }

  static String file(String path, String content) {
    return ServeFixture.file(path, content);
  }

  static String toml(String test, String timeout) {
    return file(
        "threadbare.toml",
        "[ci]\ntest = \""
            + test
            + "\"\n"
            + (timeout == null ? "" : "timeout = \"" + timeout + "\"\n"));
  }

  static String post(String threadTs, String text) throws Exception {
    return serve.post(general, threadTs, text);
  }

  static final String NODE_TEST =
      """
      const test = require('node:test');
      const assert = require('node:assert');
      test('adds', () => { assert.strictEqual(1 + 2, 3); });
      """;
  static final String OPS =
      """
      def add(a, b):
          return a + b
      """;
  static final String TEST_OPS =
      """
      import unittest
      from calc.ops import add


      class AddTest(unittest.TestCase):
          def test_add(self):
              self.assertEqual(add(2, 3), 5)
      """;

  /** Attacks from inside: each must fail for the script to pass. */
  static final String ATTACKS =
      """
      python3 -c "import socket; socket.create_connection(('127.0.0.1', %d), timeout=3)" \
        2>/dev/null && { echo reached the server; exit 1; }
      cat %s > /dev/null 2>&1 && { echo read the data directory; exit 1; }
      grep -l -e java -e surefire /proc/[0-9]*/cmdline && { echo saw the server; exit 1; }
      n=$(ls /proc | grep -c '^[0-9]'); echo "$n processes visible"
      [ "$n" -le 8 ] || { echo saw too many processes; exit 1; }
      echo every attack failed
      """;

  @Test
  void projectsPostedInChatAreTestedInTheSandbox() throws Exception {
    List<String> human = new ArrayList<>();
    // 1. A Python package that passes.
    String python =
        post(
            null,
            "a python package\n"
                + toml("python3 -m unittest -v", null)
                + file("calc/__init__.py", "\n")
                + file("calc/ops.py", OPS)
                + file("tests/__init__.py", "\n")
                + file("tests/test_ops.py", TEST_OPS));
    human.add(python);
    assertThat(result(python)).isEqualTo("large_green_circle");
    assertThat(reactions(python))
        .contains("white_check_mark")
        .doesNotContain("arrows_counterclockwise");

    // 2. A change that breaks it: red, and one reply in its thread with the log's tail.
    String broken =
        post(null, "oops\n" + file("calc/ops.py", "def add(a, b):\n    return a - b\n"));
    human.add(broken);
    assertThat(result(broken)).isEqualTo("red_circle");
    List<String> replies = eventuallyReplies(broken, 1);
    assertThat(replies).hasSize(1);
    assertThat(replies.get(0))
        .contains("CI failed for `")
        .contains("AssertionError: -1 != 5")
        .contains("FAILED (failures=1)")
        .contains(server.url() + "/ci/runs/");

    // 3. A Node package on a thread branch (replies to the broken message).
    String node =
        post(
            broken,
            toml("node --test", null)
                + file("package.json", "{ \"name\": \"adder\", \"version\": \"1.0.0\" }\n")
                + file("test/add.test.js", NODE_TEST));
    human.add(node);
    assertThat(result(node)).isEqualTo("large_green_circle");
    CiRun nodeRun = runOf(node);
    assertThat(nodeRun.ref()).isEqualTo("thread/" + broken);

    // 4. A shell script that passes, and that proves the sandbox holds from inside: the server's
    // port, its data directory and its processes are out of reach.
    int port = URI.create(server.url()).getPort();
    String attacks = ATTACKS.formatted(port, dir.resolve("data").resolve("workspace.db"));
    String shell =
        post(null, "a shell check\n" + toml("sh check.sh", "1m") + file("check.sh", attacks));
    human.add(shell);
    assertThat(result(shell)).as(log(runOf(shell), true)).isEqualTo("large_green_circle");
    assertThat(log(runOf(shell), true)).contains("every attack failed");

    // 5. A test that hangs: the timeout stops it, with a reply naming the limit.
    String hang = post(null, toml("sleep 60", "2s"));
    human.add(hang);
    assertThat(result(hang)).isEqualTo("warning");
    assertThat(eventuallyReplies(hang, 1).get(0)).contains("exceeded the timeout limit (2s)");

    // 6. Hostile suites: a fork bomb, a flood of output, filling /tmp. Each hits its limit;
    // the server answers all along.
    String bomb = post(null, toml("b() { b | b & }; b; sleep 30", "40s"));
    human.add(bomb);
    assertThat(result(bomb)).isEqualTo("warning");
    assertThat(runOf(bomb).detail()).contains("processes limit");
    String flood = post(null, toml("yes flood", "1m"));
    human.add(flood);
    assertThat(result(flood)).isEqualTo("warning");
    assertThat(runOf(flood).detail()).contains("log size limit (4 MiB)");
    String fill = post(null, toml("head -c 2000000000 /dev/zero > /tmp/big", "1m"));
    human.add(fill);
    assertThat(result(fill)).isEqualTo("warning");
    assertThat(runOf(fill).detail()).contains("disk limit");
    assertThat(get("/healthz", null).body()).isEqualTo("ok");

    // 7. Superseded: a newer commit on main cancels the running one.
    String slow = post(null, toml("echo slow; sleep 60", "2m"));
    human.add(slow);
    assertThat(eventually(() -> status(slow) == RunStatus.RUNNING)).isTrue();
    String quick = post(null, toml("echo quick", "1m"));
    human.add(quick);
    assertThat(result(slow)).isEqualTo("black_square_for_stop");
    assertThat(result(quick)).isEqualTo("large_green_circle");
    assertThat(runOf(slow).detail()).startsWith("cancelled: superseded by ");
    assertThat(eventuallyReplies(slow, 1).get(0)).contains("CI cancelled");

    // threadbare ci: one line per run, newest first.
    List<String> lines =
        cli("ci", "--data", dir.resolve("data").toString(), "--channel", "general");
    assertThat(lines.get(0))
        .matches("[0-9a-f]{40} main passed [0-9.]+ " + server.url() + "/ci/runs/\\d+/log");
    assertThat(lines.stream().map(l -> l.split(" ")[2]).toList())
        .containsExactly(
            "passed",
            "cancelled",
            "error",
            "error",
            "error",
            "error",
            "passed",
            "passed",
            "failed",
            "passed");
    List<String> thread =
        cli(
            "ci",
            "--data",
            dir.resolve("data").toString(),
            "--channel",
            "general",
            "--ref",
            "thread/" + broken);
    assertThat(thread).hasSize(1);
    assertThat(thread.get(0)).startsWith(nodeRun.commit() + " thread/" + broken + " passed ");

    // The pages: a token is needed; the log is whole.
    String token =
        lastLine(
            cli("git", "add-token", "--data", dir.resolve("data").toString(), "--user", userId()));
    assertThat(get("/ci/runs/" + runOf(broken).id() + "/log", null).statusCode()).isEqualTo(401);
    HttpResponse<String> whole = get("/ci/runs/" + runOf(broken).id() + "/log", token);
    assertThat(whole.statusCode()).isEqualTo(200);
    assertThat(whole.body()).contains("test_add (tests.test_ops.AddTest").contains("FAILED");
    HttpResponse<String> page = get("/ci/channels/general/" + runOf(python).commit(), token);
    assertThat(page.body()).contains("passed");
    assertThat(get("/metrics", null).body())
        .contains("threadbare_ci_runs_total{status=\"failed\"} 1.0")
        .contains("threadbare_ci_queue_depth");

    // CI stayed quieter than the people: one reply per failure, error or started-then-cancelled
    // run (broken, hang, bomb, flood, fill, slow), none for the rest.
    assertThat(ciReplies(human)).isEqualTo(6).isLessThan(human.size());
  }

  // ---- helpers

  static CiRun runOf(String ts) {
    return server.ci().orElseThrow().store().list(general, null, 1000).stream()
        .filter(r -> ts.equals(r.messageTs()))
        .findFirst()
        .orElse(null);
  }

  static RunStatus status(String ts) {
    CiRun run = runOf(ts);
    return run == null ? null : run.status();
  }

  static String log(CiRun run, boolean whole) throws Exception {
    return java.nio.file.Files.readString(server.ci().orElseThrow().logFile(run.id()));
  }

  /** The CI result reaction on message {@code ts}, once there is one. */
  static String result(String ts) throws Exception {
    List<String> results =
        List.of("large_green_circle", "red_circle", "warning", "black_square_for_stop");
    String[] found = new String[1];
    boolean done =
        eventually(
            () -> {
              List<String> names = reactions(ts);
              for (String name : results) {
                if (names.contains(name) && !names.contains("arrows_counterclockwise")) {
                  found[0] = name;
                  return true;
                }
              }
              return false;
            });
    assertThat(done)
        .as("a result reaction on " + ts + ": " + reactions(ts) + " " + runOf(ts))
        .isTrue();
    return found[0];
  }

  static List<String> reactions(String ts) {
    return serve.reactions(general, ts);
  }

  static List<String> botReplies(String ts) throws Exception {
    String bot = server.workspace().orElseThrow().botUserId();
    List<Message> messages =
        person.conversationsReplies(r -> r.channel(general).ts(ts)).getMessages();
    return messages == null
        ? List.of()
        : messages.stream()
            .filter(m -> !ts.equals(m.getTs()))
            .filter(m -> bot.equals(m.getUser()) || m.getBotId() != null)
            .map(Message::getText)
            .filter(text -> text.startsWith("CI "))
            .toList();
  }

  static List<String> eventuallyReplies(String ts, int n) throws Exception {
    assertThat(
            eventually(
                () -> {
                  try {
                    return botReplies(ts).size() >= n;
                  } catch (Exception e) {
                    return false;
                  }
                }))
        .as("bot replies under " + ts)
        .isTrue();
    Thread.sleep(1500);
    return botReplies(ts);
  }

  /** The bot's CI replies under the people's messages (waiting out the API's rate limit). */
  static long ciReplies(List<String> human) throws Exception {
    String bot = server.workspace().orElseThrow().botUserId();
    java.util.Set<String> replies = new java.util.HashSet<>();
    for (String ts : human) {
      for (int attempt = 0; ; attempt++) {
        try {
          List<Message> thread =
              person.conversationsReplies(r -> r.channel(general).ts(ts)).getMessages();
          for (Message m : thread == null ? List.<Message>of() : thread) {
            if ((bot.equals(m.getUser()) || m.getBotId() != null)
                && m.getText().startsWith("CI ")) {
              replies.add(m.getTs());
            }
          }
          break;
        } catch (com.slack.api.methods.SlackApiException e) {
          if (attempt > 30) {
            throw e;
          }
          Thread.sleep(2000);
        }
      }
    }
    return replies.size();
  }

  static HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url() + path));
    if (token != null) {
      request.header(
          "Authorization",
          "Basic "
              + Base64.getEncoder()
                  .encodeToString(("me:" + token).getBytes(StandardCharsets.UTF_8)));
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  static List<String> cli(String... args) {
    return ServeFixture.cli(args);
  }

  static String lastLine(List<String> lines) {
    return lines.get(lines.size() - 1).strip();
  }

  static String userId() throws Exception {
    return person.authTest(r -> r).getUserId();
  }
}
