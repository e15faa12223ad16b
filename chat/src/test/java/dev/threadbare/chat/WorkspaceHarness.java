package dev.threadbare.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.slack.api.Slack;
import com.slack.api.methods.MethodsClient;
import dev.threadbare.workspace.LocalWorkspace;
import dev.threadbare.workspace.RateLimits;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import okhttp3.FormBody;
import okhttp3.Response;

/**
 * A real local workspace on 127.0.0.1, port 0, with a person ({@code ada}) and the bot in {@code
 * #general}; talked to through the real Slack SDK. Close it after each test.
 */
public final class WorkspaceHarness implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  public final LocalWorkspace workspace;
  public final String apiUrl;
  public final Slack slack;
  public final MethodsClient bot;
  public final String userToken;
  public final MethodsClient user;
  public final String general;

  public WorkspaceHarness(Path dir) {
    workspace = LocalWorkspace.open(dir);
    workspace.setRateLimits(RateLimits.unlimited());
    int port = workspace.start("127.0.0.1", 0);
    apiUrl = "http://127.0.0.1:" + port + "/api/";
    slack = Chat.slack(apiUrl);
    bot = slack.methods(workspace.botToken());
    userToken = workspace.addUser("ada", false);
    user = slack.methods(userToken);
    general = channelId("general");
    call(workspace.botToken(), "conversations.join", Map.of("channel", general));
    call(userToken, "conversations.join", Map.of("channel", general));
  }

  /** Creates a channel as ada, with the bot in it; returns its id. */
  public String createChannel(String name) {
    String id =
        call(userToken, "conversations.create", Map.of("name", name))
            .path("channel")
            .path("id")
            .asText();
    call(workspace.botToken(), "conversations.join", Map.of("channel", id));
    return id;
  }

  public String channelId(String name) {
    for (JsonNode c :
        call(workspace.botToken(), "conversations.list", Map.of("limit", "200")).path("channels")) {
      if (name.equals(c.path("name").asText())) {
        return c.path("id").asText();
      }
    }
    throw new IllegalStateException("no channel #" + name);
  }

  /** Calls a Web API method through the SDK's HTTP client; returns the JSON answer (ok or not). */
  public JsonNode call(String token, String method, Map<String, String> params) {
    FormBody.Builder form = new FormBody.Builder();
    params.forEach(form::add);
    try (Response response = slack.methods(token).runPostFormWithToken(form, method, token)) {
      return JSON.readTree(response.body().string());
    } catch (IOException e) {
      throw new IllegalStateException(method + " failed", e);
    }
  }

  /** ada posts {@code text} (in a thread when {@code threadTs} is set); returns the message ts. */
  public String post(String channel, String text, String threadTs) {
    Map<String, String> params = new java.util.HashMap<>(Map.of("channel", channel, "text", text));
    if (threadTs != null) {
      params.put("thread_ts", threadTs);
    }
    JsonNode answer = call(userToken, "chat.postMessage", params);
    if (!answer.path("ok").asBoolean()) {
      throw new IllegalStateException("post failed: " + answer);
    }
    return answer.path("ts").asText();
  }

  /** The channel's top-level messages, oldest first. */
  public List<JsonNode> history(String channel) {
    List<JsonNode> messages = new ArrayList<>();
    call(userToken, "conversations.history", Map.of("channel", channel, "limit", "1000"))
        .path("messages")
        .forEach(messages::add);
    return messages.reversed();
  }

  /** A thread's messages (root first). */
  public List<JsonNode> replies(String channel, String ts) {
    List<JsonNode> messages = new ArrayList<>();
    call(userToken, "conversations.replies", Map.of("channel", channel, "ts", ts, "limit", "1000"))
        .path("messages")
        .forEach(messages::add);
    return messages;
  }

  /** The reaction names on a message. */
  public List<String> reactions(String channel, String ts) {
    List<String> names = new ArrayList<>();
    call(userToken, "reactions.get", Map.of("channel", channel, "timestamp", ts))
        .path("message")
        .path("reactions")
        .forEach(r -> names.add(r.path("name").asText()));
    return names;
  }

  @Override
  public void close() {
    workspace.close();
  }
}
