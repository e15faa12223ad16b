package dev.threadbare.app.crash;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.threadbare.core.chat.SlackTs;
import dev.threadbare.core.grammar.ChatGrammar;
import dev.threadbare.core.grammar.FileBlock;
import dev.threadbare.core.grammar.ParsedMessage;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Reads a channel back from a Slack-compatible Web API as raw JSON (what the grammar parses), and
 * computes the head rule's expected tree of {@code main} from it. Test support; thread safe.
 */
final class ChatReader {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ChatGrammar GRAMMAR = ChatGrammar.create();

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String apiUrl;
  private final String token;

  /** A reader of {@code apiUrl} (ending in {@code /api/}) as the holder of {@code token}. */
  ChatReader(String apiUrl, String token) {
    this.apiUrl = apiUrl.endsWith("/") ? apiUrl : apiUrl + "/";
    this.token = token;
  }

  /** One channel's visible messages: the top level in ts order, and each thread's replies. */
  record Channel(List<JsonNode> topLevel, Map<String, List<JsonNode>> replies) {

    /** Every message, top level and replies. */
    List<JsonNode> all() {
      List<JsonNode> all = new ArrayList<>(topLevel);
      replies.values().forEach(all::addAll);
      return all;
    }
  }

  /** Calls {@code method} and returns its answer, failing on anything but {@code ok}. */
  JsonNode call(String method, Map<String, String> params) {
    String form =
        params.entrySet().stream()
            .map(
                e ->
                    URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)
                        + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
            .collect(Collectors.joining("&"));
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(apiUrl + method))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      JsonNode body = JSON.readTree(response.body());
      if (!body.path("ok").asBoolean()) {
        throw new IllegalStateException(method + " " + params + " answered " + response.body());
      }
      return body;
    } catch (IOException e) {
      throw new IllegalStateException(method + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(method + " interrupted", e);
    }
  }

  /** The id of the channel named {@code name}. */
  String channelId(String name) {
    for (JsonNode c : call("conversations.list", Map.of("limit", "1000")).path("channels")) {
      if (name.equals(c.path("name").asText())) {
        return c.path("id").asText();
      }
    }
    throw new IllegalStateException("no channel #" + name);
  }

  /** Everything visible in {@code channel}, paging through history and every thread. */
  Channel read(String channel) {
    List<JsonNode> top = new ArrayList<>();
    String cursor = "";
    do {
      Map<String, String> params = new LinkedHashMap<>();
      params.put("channel", channel);
      params.put("limit", "1000");
      if (!cursor.isEmpty()) {
        params.put("cursor", cursor);
      }
      JsonNode page = call("conversations.history", params);
      page.path("messages").forEach(top::add);
      cursor = page.path("response_metadata").path("next_cursor").asText("");
    } while (!cursor.isEmpty());
    top.sort(Comparator.comparing(m -> m.path("ts").asText(), SlackTs.ORDER));
    Map<String, List<JsonNode>> replies = new LinkedHashMap<>();
    for (JsonNode root : top) {
      if (root.path("reply_count").asInt(0) == 0) {
        continue;
      }
      String rootTs = root.path("ts").asText();
      List<JsonNode> thread = new ArrayList<>();
      String replyCursor = "";
      do {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("channel", channel);
        params.put("ts", rootTs);
        params.put("limit", "1000");
        if (!replyCursor.isEmpty()) {
          params.put("cursor", replyCursor);
        }
        JsonNode page = call("conversations.replies", params);
        for (JsonNode reply : page.path("messages")) {
          if (!rootTs.equals(reply.path("ts").asText())) {
            thread.add(reply);
          }
        }
        replyCursor = page.path("response_metadata").path("next_cursor").asText("");
      } while (!replyCursor.isEmpty());
      replies.put(rootTs, thread);
    }
    return new Channel(top, replies);
  }

  /** Whether {@code message} is live (not a deleted root kept as a tombstone). */
  static boolean live(JsonNode message) {
    return !"tombstone".equals(message.path("subtype").asText());
  }

  /** Whether {@code message} was posted by the user {@code userId}. */
  static boolean by(JsonNode message, String userId) {
    return userId.equals(message.path("user").asText());
  }

  /** What the grammar reads in the message's current text. */
  static ParsedMessage parse(JsonNode message) {
    return GRAMMAR.parse(message, List.of());
  }

  /**
   * The head rule for {@code main} over a channel with file blocks only (no {@code rm}/{@code mv},
   * no attachments): for each path, the content in the newest live top-level human message defining
   * it, by original ts, in its current text.
   */
  static SortedMap<String, String> expectedMain(Channel channel, String botUserId) {
    SortedMap<String, String> tree = new TreeMap<>();
    for (JsonNode message : channel.topLevel()) { // ascending ts: newer overwrites older
      if (!live(message) || by(message, botUserId)) {
        continue;
      }
      ParsedMessage parsed = parse(message);
      if (parsed.changesTree()) {
        for (FileBlock file : parsed.files()) {
          tree.put(file.path().value(), file.content());
        }
      }
    }
    return tree;
  }

  /** The reactions on {@code message} by {@code userId}: name → how many times listed. */
  static Map<String, Integer> reactionsBy(JsonNode message, String userId) {
    Map<String, Integer> names = new TreeMap<>();
    for (JsonNode reaction : message.path("reactions")) {
      for (JsonNode user : reaction.path("users")) {
        if (userId.equals(user.asText())) {
          names.merge(reaction.path("name").asText(), 1, Integer::sum);
        }
      }
    }
    return names;
  }
}
