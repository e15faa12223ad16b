package dev.threadbare.workspace.internal.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.threadbare.workspace.internal.events.EventBus;
import dev.threadbare.workspace.internal.store.Channel;
import dev.threadbare.workspace.internal.store.StoredMessage;
import dev.threadbare.workspace.internal.store.Timestamps;
import dev.threadbare.workspace.internal.store.WorkspaceStore;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * What every method family shares: the store, the event bus, the clock and the shapes, and the
 * argument rules Slack applies to every method (cursors, channel lookup and visibility, JSON
 * arguments, the text limit). Thread-safe; one per {@link WebApi}.
 */
final class ApiSupport {

  /** Slack's limit on a message's {@code text}. */
  static final int MAX_TEXT = 40_000;

  private final WorkspaceStore store;
  private final EventBus bus;
  private final Timestamps clock;
  private final Shapes shapes;
  private final String teamId;
  private final String teamName;

  ApiSupport(
      WorkspaceStore store,
      EventBus bus,
      Timestamps clock,
      Shapes shapes,
      String teamId,
      String teamName) {
    this.store = store;
    this.bus = bus;
    this.clock = clock;
    this.shapes = shapes;
    this.teamId = teamId;
    this.teamName = teamName;
  }

  WorkspaceStore store() {
    return store;
  }

  EventBus bus() {
    return bus;
  }

  Timestamps clock() {
    return clock;
  }

  Shapes shapes() {
    return shapes;
  }

  String teamId() {
    return teamId;
  }

  String teamName() {
    return teamName;
  }

  static String cursor(String kind, String value) {
    return Base64.getEncoder()
        .encodeToString((kind + ":" + value).getBytes(StandardCharsets.UTF_8));
  }

  static String uncursor(ApiCall call, String kind) {
    String cursor = call.param("cursor");
    if (cursor == null) {
      return null;
    }
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(cursor), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      decoded = "";
    }
    if (!decoded.startsWith(kind + ":")) {
      throw new ApiError(
          SlackError.INVALID_CURSOR, "cursor `" + cursor + "` was not issued by " + call.method());
    }
    return decoded.substring(kind.length() + 1);
  }

  static void nextCursor(ObjectNode out, String next) {
    out.putObject("response_metadata").put("next_cursor", next == null ? "" : next);
  }

  Channel visibleChannel(ApiCall call, String param) {
    String ref = call.param(param);
    if (ref == null) {
      throw new ApiError(SlackError.CHANNEL_NOT_FOUND, "no `" + param + "` given");
    }
    Optional<Channel> found = store.channel(ref);
    if (found.isEmpty()) {
      found = store.channelByName(ref.startsWith("#") ? ref.substring(1) : ref);
    }
    Channel channel =
        found.orElseThrow(
            () -> new ApiError(SlackError.CHANNEL_NOT_FOUND, "no channel `" + ref + "`"));
    if (channel.isPrivate() && !store.isMember(channel.id(), call.caller().id())) {
      throw new ApiError(
          SlackError.CHANNEL_NOT_FOUND,
          "private channel `" + ref + "` is not visible to the caller");
    }
    return channel;
  }

  void requireMember(ApiCall call, Channel channel) {
    if (!store.isMember(channel.id(), call.caller().id())) {
      throw new ApiError(
          SlackError.NOT_IN_CHANNEL,
          call.caller().name() + " is not in #" + channel.name() + ": join or be invited first");
    }
  }

  StoredMessage liveMessage(Channel channel, String ts) {
    if (ts == null) {
      throw new ApiError(SlackError.MESSAGE_NOT_FOUND, "no message ts given");
    }
    return store
        .message(channel.id(), ts)
        .filter(m -> !m.deleted())
        .orElseThrow(
            () ->
                new ApiError(
                    SlackError.MESSAGE_NOT_FOUND, "no message " + ts + " in " + channel.id()));
  }

  static String channelType(Channel channel) {
    return channel.isPrivate() ? "group" : "channel";
  }

  ObjectNode messageEvent(Channel channel, StoredMessage m, String origin) {
    ObjectNode event = shapes.message(m, origin, false);
    event.put("channel", channel.id());
    event.put("event_ts", m.ts());
    event.put("channel_type", channelType(channel));
    return event;
  }

  static void checkLength(String text) {
    if (text != null && text.length() > MAX_TEXT) {
      throw new ApiError(
          SlackError.MSG_TOO_LONG,
          "text is "
              + text.length()
              + " characters; Slack's limit is "
              + MAX_TEXT
              + ": send it as a file");
    }
  }

  static String jsonArray(ApiCall call, String name) {
    String raw = call.param(name);
    if (raw == null) {
      return null;
    }
    try {
      JsonNode node = Shapes.JSON.readTree(raw);
      if (!node.isArray()) {
        throw new ApiError(SlackError.of("invalid_" + name), "`" + name + "` must be a JSON array");
      }
      return node.isEmpty() ? null : node.toString();
    } catch (JsonProcessingException e) {
      throw new ApiError(
          SlackError.of("invalid_" + name),
          "`" + name + "` is not JSON: " + e.getOriginalMessage());
    }
  }

  /**
   * The {@code metadata} argument ({@code {"event_type":"…","event_payload":{…}}}, a JSON object in
   * JSON bodies, its JSON text in forms) as compact JSON, or null when absent; {@code
   * invalid_metadata_format} as Slack answers when it is not of that shape.
   */
  static String metadata(ApiCall call) {
    String raw = call.param("metadata");
    if (raw == null) {
      return null;
    }
    JsonNode node;
    try {
      node = Shapes.JSON.readTree(raw);
    } catch (JsonProcessingException e) {
      throw new ApiError(
          SlackError.INVALID_METADATA_FORMAT,
          "`metadata` is not JSON ("
              + e.getOriginalMessage()
              + "): send {\"event_type\":\"…\",\"event_payload\":{…}}");
    }
    if (node == null || !node.isObject()) {
      throw new ApiError(
          SlackError.INVALID_METADATA_FORMAT,
          "`metadata` is `"
              + raw
              + "`: it must be a JSON object {\"event_type\":\"…\",\"event_payload\":{…}}");
    }
    JsonNode type = node.get("event_type");
    if (type == null || !type.isTextual() || type.asText().isBlank()) {
      throw new ApiError(
          SlackError.INVALID_METADATA_FORMAT,
          "`metadata.event_type` is "
              + (type == null ? "missing" : "`" + type + "`")
              + ": it must be a non-empty string");
    }
    JsonNode payload = node.get("event_payload");
    if (payload == null || !payload.isObject()) {
      throw new ApiError(
          SlackError.INVALID_METADATA_FORMAT,
          "`metadata.event_payload` is "
              + (payload == null ? "missing" : "`" + payload + "`")
              + ": it must be a JSON object");
    }
    ObjectNode stored = Shapes.JSON.createObjectNode();
    stored.set("event_type", type);
    stored.set("event_payload", payload);
    return stored.toString();
  }

  static long bound(ApiCall call, String name, long fallback) {
    String value = call.param(name);
    if (value == null) {
      return fallback;
    }
    long micros = Timestamps.parse(value);
    if (micros < 0) {
      throw new ApiError(
          SlackError.of("invalid_ts_" + name),
          "`" + name + "` is `" + value + "`: it must be a Slack ts like 1663966382.046509");
    }
    return micros;
  }

  static String permalink(String origin, StoredMessage message) {
    String link = origin + "/archives/" + message.channel() + "/p" + message.ts().replace(".", "");
    if (message.isReply()) {
      link += "?thread_ts=" + message.threadTs() + "&cid=" + message.channel();
    }
    return link;
  }
}
