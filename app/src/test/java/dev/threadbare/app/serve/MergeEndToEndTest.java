package dev.threadbare.app.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import com.slack.api.methods.response.conversations.ConversationsCreateResponse;
import com.slack.api.methods.response.reactions.ReactionsAddResponse;
import com.slack.api.model.Message;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code merge} as a team meets it in {@code serve}, through the Slack SDK on the local workspace:
 * a clean merge (a two-parent commit on main), a conflict answered by one thread reply with its
 * hunks, resolved by posting the file and merging again, {@code protect_main} refusing top-level
 * code privately, and a merge gated by {@code [review] approvals = 1} and green CI, refused
 * privately until a 👍 arrives and then recorded by the bot in the thread. The bot stays quieter
 * than the people.
 */
@Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES)
class MergeEndToEndTest {

  @TempDir static Path dir;
  static ServeFixture serve;
  static Server server;
  static MethodsClient person;
  static MethodsClient bob;
  static String bot;

  @BeforeAll
  static void start() throws Exception {
    serve = ServeFixture.start(Server.Settings.defaults(dir.resolve("data")));
    server = serve.server();
    person = serve.person();
    bob = serve.client(server.workspace().orElseThrow().addUser("bob", false));
    bot = server.workspace().orElseThrow().botUserId();
  }

  @AfterAll
  static void stop() {
    if (serve != null) {
      serve.close();
    }
  }

  @Test
  void aThreadMergesAndAConflictIsResolvedInTheThread() throws Exception {
    String channel = channel("merging");
    List<String> human = new ArrayList<>();
    String root = post(channel, null, "feature one\n" + file("b.txt", "bee"));
    human.add(root);
    awaitReaction(channel, root, "white_check_mark");
    human.add(post(channel, root, file("c.txt", "sea")));
    String merge = post(channel, root, "merge");
    human.add(merge);
    awaitReaction(channel, merge, "white_check_mark");
    File repo = repository(channel);
    assertThat(git(repo, "show", "main:c.txt")).isEqualTo("sea\n");
    assertThat(git(repo, "rev-list", "--parents", "-n", "1", "main").strip().split(" "))
        .hasSize(3)
        .contains(git(repo, "rev-parse", "thread/" + root).strip());
    assertThat(git(repo, "log", "-1", "--format=%s", "main").strip())
        .isEqualTo("Merge thread/" + root + " into main");

    // A conflict: the thread and main change the same line.
    String second = post(channel, null, "feature two\n" + file("a.txt", "x = 1\ny = 2\nz = 3"));
    human.add(second);
    human.add(post(channel, second, file("a.txt", "x = 1\nthread = 2\nz = 3")));
    String onMain = post(channel, null, file("a.txt", "x = 1\nmain = 2\nz = 3"));
    human.add(onMain);
    awaitReaction(channel, onMain, "white_check_mark");
    String conflicted = post(channel, second, "merge");
    human.add(conflicted);
    List<String> replies = awaitBotReplies(channel, second, 1);
    assertThat(replies).hasSize(1);
    assertThat(replies.get(0))
        .startsWith("Not merged: 1 file conflicts with `main`.")
        .contains("• `a.txt`")
        .contains(
            "  x = 1\n<<<<<<< main (line 2)\nmain = 2\n=======\nthread = 2\n>>>>>>> thread/"
                + second);
    assertThat(git(repo, "show", "main:a.txt")).isEqualTo("x = 1\nmain = 2\nz = 3\n");

    // The resolution, posted in the thread, then merge again.
    human.add(post(channel, second, file("a.txt", "x = 1\nmain and thread = 2\nz = 3")));
    String again = post(channel, second, "merge");
    human.add(again);
    awaitReaction(channel, again, "white_check_mark");
    assertThat(git(repo, "show", "main:a.txt")).isEqualTo("x = 1\nmain and thread = 2\nz = 3\n");
    assertThat(git(repo, "show", "main:c.txt")).isEqualTo("sea\n");
    assertThat(git(repo, "rev-list", "--merges", "--count", "main").strip()).isEqualTo("2");
    assertThat(git(repo, "fsck", "--no-dangling")).isEmpty();

    // Quiet: reactions, and one reply for the conflict; diffs only where a file got a new version.
    assertThat(awaitBotReplies(channel, second, 1)).hasSize(1);
    assertThat(botMessages(channel)).isLessThan(human.size());
  }

  @Test
  void protectMainRefusesTopLevelCodePrivately() throws Exception {
    String channel = channel("guarded");
    String toml = post(channel, null, file("threadbare.toml", "[review]\nprotect_main = true"));
    awaitReaction(channel, toml, "white_check_mark");
    String sneaked = post(channel, null, file("app.py", "print('straight to main')"));
    awaitReaction(channel, sneaked, "x");
    String told = awaitEphemeral("refused:", channel, sneaked);
    assertThat(told).contains("`main` is protected").contains("only by merge");
    File repo = repository(channel);
    assertThat(git(repo, "ls-tree", "--name-only", "main").strip()).isEqualTo("threadbare.toml");

    // The way in: a thread, and merge.
    String root = post(channel, null, "adding the app");
    post(channel, root, file("app.py", "print('reviewed')"));
    String merge = post(channel, root, "merge");
    awaitReaction(channel, merge, "white_check_mark");
    assertThat(git(repo, "show", "main:app.py")).isEqualTo("print('reviewed')\n");
    assertThat(botMessages(channel)).isLessThanOrEqualTo(1);
  }

  @Test
  void aGatedMergeNeedsAnApprovalAndGreenCi() throws Exception {
    assertThat(server.ci()).as("bubblewrap must work here").isPresent();
    // Approvals are serve's own (core's Approvals over the journal): 👍 on the thread's root from
    // someone who wrote none of it.
    String channel = channel("gated");
    List<String> human = new ArrayList<>();
    String toml =
        post(
            channel,
            null,
            file(
                "threadbare.toml",
                "[ci]\ntest = \"test -f feature.txt\"\n[review]\napprovals = 1"));
    human.add(toml);
    awaitReaction(channel, toml, "white_check_mark");
    String root = post(channel, null, "a feature, please review");
    human.add(root);
    String change = post(channel, root, file("feature.txt", "done"));
    human.add(change);
    awaitReaction(channel, change, "large_green_circle");

    String early = post(channel, root, "merge");
    human.add(early);
    String refused = awaitEphemeral("merge:", channel, early);
    assertThat(refused)
        .contains("`main` asks for 1 approval and green CI")
        .contains("1 approval (a :+1: on the thread's first message")
        .contains("it has 0");
    File repo = repository(channel);
    assertThat(git(repo, "ls-tree", "--name-only", "main").strip()).isEqualTo("threadbare.toml");

    ReactionsAddResponse thumbs =
        bob.reactionsAdd(r -> r.channel(channel).timestamp(root).name("+1"));
    assertThat(thumbs.isOk()).as(thumbs.getError()).isTrue();
    String merge = post(channel, root, "merge");
    human.add(merge);
    List<String> decision = awaitBotReplies(channel, root, 1, "Merge accepted:");
    assertThat(decision.get(0))
        .startsWith("Merge accepted: `thread/" + root + "` into `main` (approved by <@")
        .contains("CI green on `");
    assertThat(eventually(() -> gitOrNull(repo, "show", "main:feature.txt") != null)).isTrue();
    assertThat(git(repo, "show", "main:feature.txt")).isEqualTo("done\n");
    assertThat(git(repo, "rev-list", "--parents", "-n", "1", "main").strip().split(" ")).hasSize(3);
    assertThat(botMessages(channel)).isLessThan(human.size());
  }

  @Test
  void anotherAppsForgedDecisionDoesNotMerge() throws Exception {
    // Any app of the workspace can post in a thread; only threadbare's own bot decides a merge.
    String channel = channel("forged");
    String toml = post(channel, null, file("threadbare.toml", "[review]\napprovals = 1"));
    awaitReaction(channel, toml, "white_check_mark");
    String root = post(channel, null, "a feature nobody approved");
    String change = post(channel, root, file("evil.txt", "unreviewed"));
    awaitReaction(channel, change, "white_check_mark");
    String asked = post(channel, root, "merge");
    assertThat(awaitEphemeral("merge:", channel, asked)).contains("asks for 1 approval");

    var app = server.workspace().orElseThrow().addApp("mallory", null);
    MethodsClient mallory = serve.client(app.botToken());
    ChatPostMessageResponse forged =
        mallory.chatPostMessage(
            r ->
                r.channel(channel)
                    .threadTs(root)
                    .text(
                        dev.threadbare.core.review.MergeDecision.text(
                            "thread/" + root, new java.util.TreeSet<>(List.of("U1")), null)));
    assertThat(forged.isOk()).as(forged.getError()).isTrue();

    // A later message in the thread is materialized after the forged reply: once it is answered,
    // the forged reply has been read.
    String after = post(channel, root, file("later.txt", "after the forgery"));
    awaitReaction(channel, after, "white_check_mark");
    File repo = repository(channel);
    assertThat(git(repo, "ls-tree", "--name-only", "main").strip()).isEqualTo("threadbare.toml");
    assertThat(git(repo, "rev-list", "--merges", "--count", "main").strip()).isEqualTo("0");

    // The real gate still works after it: a 👍 from bob and merge again.
    ReactionsAddResponse thumbs =
        bob.reactionsAdd(r -> r.channel(channel).timestamp(root).name("+1"));
    assertThat(thumbs.isOk()).as(thumbs.getError()).isTrue();
    post(channel, root, "merge");
    assertThat(eventually(() -> gitOrNull(repo, "show", "main:evil.txt") != null)).isTrue();
  }

  // ---- helpers

  static String file(String path, String content) {
    return "`" + path + "`\n```\n" + content + "\n```\n";
  }

  static String channel(String name) throws Exception {
    ConversationsCreateResponse created = person.conversationsCreate(r -> r.name(name));
    assertThat(created.isOk()).as(created.getError()).isTrue();
    return created.getChannel().getId();
  }

  static String post(String channel, String threadTs, String text) throws Exception {
    return serve.post(channel, threadTs, text);
  }

  static File repository(String channel) {
    return dir.resolve("data").resolve("git").resolve(channel + ".git").toFile();
  }

  static void awaitReaction(String channel, String ts, String name) throws Exception {
    assertThat(eventually(() -> reactions(channel, ts).contains(name)))
        .as("reaction %s on %s: %s", name, ts, reactions(channel, ts))
        .isTrue();
  }

  static List<String> reactions(String channel, String ts) {
    return serve.reactions(channel, ts);
  }

  static List<String> botReplies(String channel, String root, String prefix) {
    try {
      List<Message> messages =
          person.conversationsReplies(r -> r.channel(channel).ts(root)).getMessages();
      return messages == null
          ? List.of()
          : messages.stream()
              .filter(m -> !root.equals(m.getTs()))
              .filter(m -> bot.equals(m.getUser()) || m.getBotId() != null)
              .map(Message::getText)
              // The text as stored, Slack-escaped; the bot wrote it plain.
              .map(t -> t.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
              .filter(text -> text.startsWith(prefix))
              .toList();
    } catch (Exception e) {
      return List.of();
    }
  }

  static List<String> awaitBotReplies(String channel, String root, int n) throws Exception {
    return awaitBotReplies(channel, root, n, "Not merged");
  }

  static List<String> awaitBotReplies(String channel, String root, int n, String prefix)
      throws Exception {
    List<List<String>> seen = new ArrayList<>(List.of(List.of()));
    assertThat(
            eventually(
                () -> {
                  seen.set(0, botReplies(channel, root, prefix));
                  return seen.get(0).size() >= n;
                }))
        .as("%d bot replies starting %s under %s", n, prefix, root)
        .isTrue();
    return seen.get(0);
  }

  /** Every message the bot posted in the channel, top level and in threads. */
  static int botMessages(String channel) throws Exception {
    int count = 0;
    List<Message> history = person.conversationsHistory(r -> r.channel(channel)).getMessages();
    for (Message top : history) {
      if (bot.equals(top.getUser()) || top.getBotId() != null) {
        count++;
      }
      if (top.getReplyCount() != null && top.getReplyCount() > 0) {
        for (Message reply :
            person.conversationsReplies(r -> r.channel(channel).ts(top.getTs())).getMessages()) {
          if (!reply.getTs().equals(top.getTs())
              && (bot.equals(reply.getUser()) || reply.getBotId() != null)) {
            count++;
          }
        }
      }
    }
    return count;
  }

  /** The text of the ephemeral answer the outbox sent for the message, under {@code prefix}. */
  static String awaitEphemeral(String prefix, String channel, String ts) throws Exception {
    String team = person.authTest(r -> r).getTeamId();
    String key = prefix + team + ":" + channel + ":" + ts + ":";
    String[] told = new String[1];
    assertThat(eventually(() -> (told[0] = serve.sentByOutbox(key)) != null))
        .as("an ephemeral answer %s", key)
        .isTrue();
    return told[0];
  }

  static boolean eventually(BooleanSupplier condition) throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
    while (Instant.now().isBefore(deadline)) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(200);
    }
    return condition.getAsBoolean();
  }

  static String gitOrNull(File repo, String... args) {
    try {
      return git(repo, args);
    } catch (Exception | AssertionError e) {
      return null;
    }
  }

  static String git(File repo, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("git", "--git-dir=" + repo));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new AssertionError(String.join(" ", command) + " failed:\n" + out);
    }
    return out;
  }
}
