import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import com.slack.api.model.Conversation;
import dev.threadbare.app.serve.Server;
import dev.threadbare.workspace.RateLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * Message posted (Web API, local workspace) -> its commit visible on the channel's branch, through
 * the whole of {@code threadbare serve} in one process: workspace, signed event delivery, journal
 * (durable), materializer, git ref. Baseline, same client and server: the {@code chat.postMessage}
 * answer alone. Messages are posted one after another; each waits for its commit.
 *
 * <p>Usage: PostToCommitBench [messages=300]
 */
public final class PostToCommitBench {

  public static void main(String[] args) throws Exception {
    int messages = args.length > 0 ? Integer.parseInt(args[0]) : 300;
    Path data = Files.createTempDirectory("threadbare-bench-serve");
    try (Server server =
        Server.start(Server.Settings.defaults(data))) {
      // The workspace answers like Slack (about one message a second per channel) by default;
      // this measures threadbare's latency, not Slack's pacing.
      server.workspace().orElseThrow().setRateLimits(RateLimits.unlimited());
      SlackConfig config = new SlackConfig();
      config.setMethodsEndpointUrlPrefix(server.url() + "/api/");
      MethodsClient person = Slack.getInstance(config).methods(server.firstRunAdminToken());
      String general =
          person.conversationsList(r -> r).getChannels().stream()
              .filter(c -> c.getName().equals("general"))
              .map(Conversation::getId)
              .findFirst()
              .orElseThrow();
      List<Double> toCommit = new ArrayList<>();
      List<Double> answer = new ArrayList<>();
      Repository repo = null;
      int warmUp = Math.min(30, messages / 5);
      for (int i = 0; i < messages + warmUp; i++) {
        int n = i;
        ObjectId before = repo == null ? null : head(repo);
        long start = System.nanoTime();
        ChatPostMessageResponse posted =
            person.chatPostMessage(
                r ->
                    r.channel(general)
                        .text(
                            "`src/m"
                                + (n % 50)
                                + ".py`\n```python\ndef f():\n    return "
                                + n
                                + "\n```"));
        long answered = System.nanoTime();
        if (!posted.isOk()) {
          throw new IllegalStateException("chat.postMessage: " + posted.getError());
        }
        while (true) {
          if (repo == null && Files.exists(data.resolve("git").resolve(general + ".git/HEAD"))) {
            repo =
                new FileRepositoryBuilder()
                    .setGitDir(data.resolve("git").resolve(general + ".git").toFile())
                    .build();
          }
          ObjectId now = repo == null ? null : head(repo);
          if (now != null && !now.equals(before)) {
            break;
          }
          if (System.nanoTime() - start > 10_000_000_000L) {
            throw new IllegalStateException("no commit 10 s after message " + n);
          }
          Thread.sleep(0, 200_000);
        }
        long committed = System.nanoTime();
        if (i >= warmUp) {
          toCommit.add((committed - start) / 1e6);
          answer.add((answered - start) / 1e6);
        }
      }
      if (repo != null) {
        repo.close();
      }
      System.out.printf(
          Locale.ROOT,
          "messages: %d (after %d warm-up), sequential%n"
              + "baseline chat.postMessage answer: p50 %.1f ms, p99 %.1f ms%n"
              + "post -> commit on main:           p50 %.1f ms, p99 %.1f ms%n"
              + "ratio p50: %.1fx%n",
          messages,
          warmUp,
          pct(answer, 50),
          pct(answer, 99),
          pct(toCommit, 50),
          pct(toCommit, 99),
          pct(toCommit, 50) / pct(answer, 50));
    }
  }

  private static ObjectId head(Repository repo) throws java.io.IOException {
    repo.getRefDatabase().refresh();
    Ref ref = repo.exactRef("refs/heads/main");
    return ref == null ? null : ref.getObjectId();
  }

  private static double pct(List<Double> values, int p) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
  }
}
