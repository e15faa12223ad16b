import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import com.slack.api.model.Conversation;
import com.slack.api.model.Message;
import dev.threadbare.app.serve.Server;
import dev.threadbare.ci.CiRun;
import dev.threadbare.ci.RunStatus;
import dev.threadbare.ci.RunStore;
import dev.threadbare.workspace.RateLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * CI through the whole of {@code threadbare serve} in one process (local workspace, signed events,
 * journal, materializer, CI queue, bubblewrap sandbox):
 *
 * <ol>
 *   <li><b>ack → run start</b>: a code message is posted (Web API) while the queue is idle; the
 *       figure is the run's {@code started_at} minus the moment {@code chat.postMessage} was
 *       called (so it includes the post, the event delivery and its ack, materializing the commit
 *       and queueing). Baseline printed beside it: the {@code chat.postMessage} answer alone.
 *   <li><b>burst</b>: N commits posted back to back on one branch with a test of a second; how
 *       many runs actually executed (the rest must be cancelled, most before starting), and how
 *       many messages the bot posted in the channel for them.
 * </ol>
 *
 * <p>Usage: AckToRunBench [idleRuns=40] [burst=100]
 */
public final class AckToRunBench {

  public static void main(String[] args) throws Exception {
    int idle = args.length > 0 ? Integer.parseInt(args[0]) : 40;
    int burst = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    Path data = Files.createTempDirectory("threadbare-bench-ci");
    try (Server server = Server.start(Server.Settings.defaults(data))) {
      server.workspace().orElseThrow().setRateLimits(RateLimits.unlimited());
      RunStore store =
          server.ci().orElseThrow(() -> new IllegalStateException("CI is off (no bubblewrap?)")).store();
      SlackConfig config = new SlackConfig();
      config.setMethodsEndpointUrlPrefix(server.url() + "/api/");
      MethodsClient person = Slack.getInstance(config).methods(server.firstRunAdminToken());
      String general =
          person.conversationsList(r -> r).getChannels().stream()
              .filter(c -> c.getName().equals("general"))
              .map(Conversation::getId)
              .findFirst()
              .orElseThrow();

      // 1. ack -> run start, one at a time on an idle queue.
      post(person, general, "`threadbare.toml`\n```\n[ci]\ntest = \"true\"\n```");
      List<Double> toStart = new ArrayList<>();
      List<Double> answer = new ArrayList<>();
      int warmUp = Math.min(5, idle);
      for (int i = 0; i < idle + warmUp; i++) {
        long called = System.currentTimeMillis();
        long t0 = System.nanoTime();
        String ts = post(person, general, "`src/v.txt`\n```\nversion " + i + "\n```");
        double answered = (System.nanoTime() - t0) / 1e6;
        CiRun run = awaitFinished(store, general, ts);
        if (i >= warmUp) {
          toStart.add((double) (run.startedAt().toEpochMilli() - called));
          answer.add(answered);
        }
      }
      Collections.sort(toStart);
      Collections.sort(answer);
      System.out.printf(
          Locale.ROOT,
          "ack->run start (%d runs, idle queue): p50 %.0f ms, p99 %.0f ms, max %.0f ms;"
              + " baseline chat.postMessage answer: p50 %.1f ms, p99 %.1f ms%n",
          toStart.size(),
          pct(toStart, 50),
          pct(toStart, 99),
          toStart.get(toStart.size() - 1),
          pct(answer, 50),
          pct(answer, 99));

      // 2. a burst of commits on one branch, each test taking a second.
      post(person, general, "`threadbare.toml`\n```\n[ci]\ntest = \"sleep 1\"\n```");
      awaitIdle(store);
      int botBefore = botMessages(person, general, server);
      long runsBefore = store.list(general, null, 100_000).size();
      List<String> stamps = new ArrayList<>();
      long start = System.nanoTime();
      for (int i = 0; i < burst; i++) {
        stamps.add(post(person, general, "`src/burst.txt`\n```\nburst " + i + "\n```"));
      }
      double posting = (System.nanoTime() - start) / 1e9;
      CiRun last = awaitFinished(store, general, stamps.get(stamps.size() - 1));
      awaitIdle(store);
      awaitQuietBot(person, general, server);
      double settled = (System.nanoTime() - start) / 1e9;
      Map<RunStatus, Integer> byStatus = new EnumMap<>(RunStatus.class);
      int executed = 0;
      for (String ts : stamps) {
        Optional<CiRun> run = runOf(store, general, ts);
        if (run.isEmpty()) {
          continue;
        }
        byStatus.merge(run.get().status(), 1, Integer::sum);
        if (run.get().startedAt() != null) {
          executed++;
        }
      }
      long runs = store.list(general, null, 100_000).size() - runsBefore;
      int botAfter = botMessages(person, general, server);
      System.out.printf(
          Locale.ROOT,
          "burst of %d commits (posted in %.1f s, settled in %.1f s): %d runs recorded, %d executed"
              + " (started), by status %s; the newest %s; bot messages in the channel: %d%n",
          burst,
          posting,
          settled,
          runs,
          executed,
          byStatus,
          last.status(),
          botAfter - botBefore);
    }
  }

  private static String post(MethodsClient person, String channel, String text) throws Exception {
    ChatPostMessageResponse posted = person.chatPostMessage(r -> r.channel(channel).text(text));
    if (!posted.isOk()) {
      throw new IllegalStateException("chat.postMessage: " + posted.getError());
    }
    return posted.getTs();
  }

  private static Optional<CiRun> runOf(RunStore store, String channel, String ts) {
    return store.list(channel, null, 100_000).stream()
        .filter(r -> ts.equals(r.messageTs()))
        .findFirst();
  }

  private static CiRun awaitFinished(RunStore store, String channel, String ts)
      throws InterruptedException {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (System.nanoTime() < deadline) {
      Optional<CiRun> run = runOf(store, channel, ts);
      if (run.isPresent()
          && run.get().status() != RunStatus.QUEUED
          && run.get().status() != RunStatus.RUNNING) {
        return run.get();
      }
      Thread.sleep(2);
    }
    throw new IllegalStateException("no finished run 120 s after message " + ts);
  }

  private static void awaitIdle(RunStore store) throws InterruptedException {
    long deadline = System.nanoTime() + 300_000_000_000L;
    while (store.count(RunStatus.QUEUED) + store.count(RunStatus.RUNNING) > 0) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("CI queue not idle after 300 s");
      }
      Thread.sleep(20);
    }
    Thread.sleep(1500); // reactions and replies go out through the outbox after the result
  }

  /** Waits until the bot's message count holds still for 5 s (its outbox keeps Slack's pace). */
  private static void awaitQuietBot(MethodsClient person, String channel, Server server)
      throws Exception {
    int last = -1;
    long stableSince = System.nanoTime();
    while (System.nanoTime() - stableSince < 5_000_000_000L) {
      int now = botMessages(person, channel, server);
      if (now != last) {
        last = now;
        stableSince = System.nanoTime();
      }
      Thread.sleep(500);
    }
  }

  /** Visible messages by the bot: top level and thread replies. */
  private static int botMessages(MethodsClient person, String channel, Server server)
      throws Exception {
    String bot = server.workspace().orElseThrow().botUserId();
    int count = 0;
    for (Message m : person.conversationsHistory(r -> r.channel(channel).limit(1000)).getMessages()) {
      if (bot.equals(m.getUser())) {
        count++;
      }
      if (m.getReplyCount() != null && m.getReplyCount() > 0) {
        for (Message reply :
            person.conversationsReplies(r -> r.channel(channel).ts(m.getTs()).limit(1000))
                .getMessages()) {
          if (!reply.getTs().equals(m.getTs()) && bot.equals(reply.getUser())) {
            count++;
          }
        }
      }
    }
    return count;
  }

  private static double pct(List<Double> sorted, int p) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
  }
}
