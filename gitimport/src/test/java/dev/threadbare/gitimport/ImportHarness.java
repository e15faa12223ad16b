package dev.threadbare.gitimport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.slack.api.Slack;
import dev.threadbare.chat.Chat;
import dev.threadbare.chat.events.EventIntake;
import dev.threadbare.chat.files.FileDownloader;
import dev.threadbare.core.journal.EntryKind;
import dev.threadbare.core.journal.Journal;
import dev.threadbare.journal.Journals;
import dev.threadbare.materializer.Materializer;
import dev.threadbare.workspace.LocalWorkspace;
import dev.threadbare.workspace.RateLimits;
import io.javalin.Javalin;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.FormBody;
import okhttp3.Response;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * The whole path a real import takes, wired as {@code BotEndToEndTest} wires it: a local workspace
 * on 127.0.0.1 port 0 with a person ({@code ada}, whose token imports) and the bot in {@code
 * #general}; signed events delivered to the chat module's events endpoint; a SQLite journal; the
 * real materializer. Close it after each test.
 */
final class ImportHarness implements AutoCloseable {

  private static final String SECRET = "import-secret";
  private static final ObjectMapper JSON = new ObjectMapper();

  final LocalWorkspace workspace;
  final String apiUrl;
  final String userToken;
  final String general;
  final Journal journal;
  final Materializer materializer;
  private final EventIntake intake;
  private final Javalin server;
  private final Slack slack;
  private final Path dir;

  ImportHarness(Path dir, RateLimits limits) {
    this.dir = dir;
    workspace = LocalWorkspace.open(dir.resolve("workspace"));
    workspace.setRateLimits(limits);
    int port = workspace.start("127.0.0.1", 0);
    apiUrl = "http://127.0.0.1:" + port + "/api/";
    slack = Chat.slack(apiUrl);
    userToken = workspace.addUser("ada", false);
    general = channelId("general");
    call(workspace.botToken(), "conversations.join", Map.of("channel", general));
    journal = Journals.sqlite(dir.resolve("journal.db"));
    materializer = Materializer.open(journal, dir.resolve("git"));
    intake =
        Chat.intake(journal)
            .enrichWith(
                FileDownloader.create(
                    workspace.botToken(), FileDownloader.DEFAULT_MAX_BYTES, null));
    server = Javalin.create();
    Chat.eventsEndpoint(SECRET, intake).register(server);
    server.start("127.0.0.1", 0);
    workspace.setEventsRequestUrl("http://127.0.0.1:" + server.port() + "/slack/events", SECRET);
  }

  String channelId(String name) {
    for (JsonNode c :
        call(workspace.botToken(), "conversations.list", Map.of("limit", "200")).path("channels")) {
      if (name.equals(c.path("name").asText())) {
        return c.path("id").asText();
      }
    }
    throw new IllegalStateException("no channel #" + name);
  }

  JsonNode call(String token, String method, Map<String, String> params) {
    FormBody.Builder form = new FormBody.Builder();
    params.forEach(form::add);
    try (Response response = slack.methods(token).runPostFormWithToken(form, method, token)) {
      return JSON.readTree(response.body().string());
    } catch (IOException e) {
      throw new IllegalStateException(method + " failed", e);
    }
  }

  /** The channel's top-level messages, oldest first. */
  List<JsonNode> history(String channel) {
    List<JsonNode> messages = new ArrayList<>();
    call(userToken, "conversations.history", Map.of("channel", channel, "limit", "1000"))
        .path("messages")
        .forEach(messages::add);
    return messages.reversed();
  }

  /**
   * Waits until the journal holds {@code messages} message entries and {@code files} file contents
   * of {@code channel}, then materialises.
   */
  void materialize(String channel, int messages, int files) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      AtomicInteger m = new AtomicInteger();
      AtomicInteger f = new AtomicInteger();
      journal.replay(
          0,
          e -> {
            if (e.channel().equals(channel) && e.kind() == EntryKind.MESSAGE) {
              m.incrementAndGet();
            } else if (e.channel().equals(channel) && e.kind() == EntryKind.FILE_CONTENT) {
              f.incrementAndGet();
            }
          });
      if (m.get() >= messages && f.get() >= files) {
        break;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "journal has "
                + m
                + " messages and "
                + f
                + " files of "
                + channel
                + ", expected "
                + messages
                + " and "
                + files);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    intake.awaitHandOff();
    materializer.catchUp();
  }

  /** Exports the channel with {@code GitStore.exportGit}; returns main's commits, oldest first. */
  List<RevCommit> export(String channel, String name) throws IOException {
    Path out = dir.resolve("export-" + name);
    materializer.store().exportGit(channel, out);
    try (Repository repository =
            new FileRepositoryBuilder().setGitDir(out.resolve(".git").toFile()).build();
        RevWalk walk = new RevWalk(repository)) {
      ObjectId head = repository.resolve("refs/heads/main");
      List<RevCommit> commits = new ArrayList<>();
      RevCommit commit = head == null ? null : walk.parseCommit(head);
      while (commit != null) {
        commits.add(commit);
        commit = commit.getParentCount() == 0 ? null : walk.parseCommit(commit.getParent(0));
      }
      return commits.reversed();
    }
  }

  @Override
  public void close() {
    server.stop();
    intake.close();
    materializer.close();
    journal.close();
    workspace.close();
  }
}
