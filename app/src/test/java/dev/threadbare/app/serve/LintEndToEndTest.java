package dev.threadbare.app.serve;

import static dev.threadbare.testing.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import com.slack.api.methods.response.conversations.ConversationsCreateResponse;
import com.slack.api.methods.response.files.FilesUploadV2Response;
import com.slack.api.model.Message;
import com.slack.api.model.Reaction;
import dev.threadbare.app.DataDir;
import dev.threadbare.materializer.GitStore;
import dev.threadbare.workspace.RateLimits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code [lint] max_lines} in {@code serve}, through the Slack SDK on the local workspace: a code
 * block over the limit gets ❌ and a private note naming it, its length, the limit and the way in
 * (an attachment, which is exempt); a channel's {@code threadbare.toml} raises the limit for the
 * messages after it; {@code threadbare rebuild} writes the same commit ids.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class LintEndToEndTest {

  @TempDir Path dir;

  @Test
  void aBlockOverTheLimitIsRefusedPrivatelyAndAnUploadIsTaken() throws Exception {
    Path data = dir.resolve("data");
    Map<String, String> served;
    String channel;
    try (Server server = Server.start(Server.Settings.defaults(data))) {
      server.workspace().orElseThrow().setRateLimits(RateLimits.unlimited());
      SlackConfig config = new SlackConfig();
      config.setMethodsEndpointUrlPrefix(server.url() + "/api/");
      MethodsClient person = Slack.getInstance(config).methods(server.firstRunAdminToken());
      String team = person.authTest(r -> r).getTeamId();
      ConversationsCreateResponse created = person.conversationsCreate(r -> r.name("linted"));
      assertThat(created.isOk()).as(created.getError()).isTrue();
      channel = created.getChannel().getId();
      GitStore git = GitStore.open(data.resolve("git"));

      String small = post(person, channel, file("small.txt", lines(400)));
      awaitReaction(person, channel, small, "white_check_mark");

      String big = post(person, channel, file("big.txt", lines(401)));
      awaitReaction(person, channel, big, "x");
      String note = awaitSent(data, "refused:" + team + ":" + channel + ":" + big + ":");
      assertThat(note)
          .contains("`big.txt` is 401 lines")
          .contains("limit of 400")
          .contains("lint.max_lines")
          .contains("file attachment");
      assertThat(paths(git, channel)).containsExactly("small.txt");

      // The same file as an upload is exempt.
      FilesUploadV2Response upload =
          person.filesUploadV2(
              r ->
                  r.channel(channel)
                      .filename("big.txt")
                      .title("big.txt")
                      .content(lines(401) + "\n"));
      assertThat(upload.isOk()).as(String.valueOf(upload.getError())).isTrue();
      assertThat(eventually(() -> paths(git, channel).contains("big.txt"))).isTrue();
      assertThat(new String(git.read(channel, "main", "big.txt"), StandardCharsets.UTF_8))
          .isEqualTo(lines(401) + "\n");
      assertThat(
              eventually(() -> sharedFileReactions(person, channel).contains("white_check_mark")))
          .isTrue();

      // The channel raises its limit: messages applied after it meet the new one.
      String toml = post(person, channel, file("threadbare.toml", "[lint]\nmax_lines = 1000"));
      awaitReaction(person, channel, toml, "white_check_mark");
      String longer = post(person, channel, file("longer.txt", lines(999)));
      awaitReaction(person, channel, longer, "white_check_mark");
      assertThat(paths(git, channel))
          .containsExactly("big.txt", "longer.txt", "small.txt", "threadbare.toml");
      // The refused block stays refused: a later change of the limit rewrites no history.
      assertThat(reactions(person, channel, big)).containsExactly("x");
      served = refs(git, channel);
    }
    try (DataDir dataDir = DataDir.open(data, null)) {
      dataDir.rebuild();
      assertThat(refs(dataDir.store(), channel)).isEqualTo(served);
    }
  }

  private static String lines(int count) {
    StringBuilder text = new StringBuilder();
    for (int i = 1; i <= count; i++) {
      text.append(i == 1 ? "" : "\n").append("line ").append(i);
    }
    return text.toString();
  }

  private static String file(String path, String content) {
    return "`" + path + "`\n```\n" + content + "\n```\n";
  }

  private static String post(MethodsClient person, String channel, String text) throws Exception {
    ChatPostMessageResponse posted = person.chatPostMessage(r -> r.channel(channel).text(text));
    assertThat(posted.isOk()).as(posted.getError()).isTrue();
    return posted.getTs();
  }

  private static List<String> paths(GitStore git, String channel) {
    try {
      return git.tree(channel, "main").stream().map(e -> e.path()).sorted().toList();
    } catch (RuntimeException e) {
      return List.of();
    }
  }

  private static Map<String, String> refs(GitStore git, String channel) {
    Map<String, String> refs = new TreeMap<>();
    for (String branch : git.branches(channel)) {
      refs.put(branch, git.resolve(channel, branch).name());
    }
    return refs;
  }

  private static void awaitReaction(MethodsClient person, String channel, String ts, String name) {
    assertThat(eventually(() -> reactions(person, channel, ts).contains(name)))
        .as("reaction %s on %s: %s", name, ts, reactions(person, channel, ts))
        .isTrue();
  }

  private static List<String> reactions(MethodsClient person, String channel, String ts) {
    try {
      List<Message> messages =
          person.conversationsReplies(r -> r.channel(channel).ts(ts)).getMessages();
      return messages == null
          ? List.of()
          : messages.stream()
              .filter(m -> ts.equals(m.getTs()))
              .findFirst()
              .map(LintEndToEndTest::names)
              .orElse(List.of());
    } catch (Exception e) {
      return List.of();
    }
  }

  /** The reactions on the message that shared the upload. */
  private static List<String> sharedFileReactions(MethodsClient person, String channel) {
    try {
      List<Message> history = person.conversationsHistory(r -> r.channel(channel)).getMessages();
      return history == null
          ? List.of()
          : history.stream()
              .filter(m -> m.getFiles() != null && !m.getFiles().isEmpty())
              .findFirst()
              .map(LintEndToEndTest::names)
              .orElse(List.of());
    } catch (Exception e) {
      return List.of();
    }
  }

  private static List<String> names(Message message) {
    return message.getReactions() == null
        ? List.of()
        : message.getReactions().stream().map(Reaction::getName).toList();
  }

  /** The body of the outbox call sent under {@code key} (a private note is ephemeral). */
  private static String awaitSent(Path data, String key) {
    String[] sent = new String[1];
    assertThat(eventually(() -> (sent[0] = sent(data, key).orElse(null)) != null))
        .as("an ephemeral answer %s", key)
        .isTrue();
    return sent[0];
  }

  private static Optional<String> sent(Path data, String key) {
    String url = "jdbc:sqlite:" + data.resolve("outbox.db");
    try (Connection c = DriverManager.getConnection(url);
        PreparedStatement q =
            c.prepareStatement(
                "SELECT payload FROM outbox WHERE idempotency_key = ? AND state = 'sent'")) {
      q.setString(1, key);
      try (ResultSet rows = q.executeQuery()) {
        return rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
      }
    } catch (SQLException e) {
      return Optional.empty();
    }
  }
}
