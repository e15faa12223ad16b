package dev.threadbare.workspace.internal.api;

import static dev.threadbare.workspace.internal.api.ApiSupport.bound;
import static dev.threadbare.workspace.internal.api.ApiSupport.cursor;
import static dev.threadbare.workspace.internal.api.ApiSupport.nextCursor;
import static dev.threadbare.workspace.internal.api.ApiSupport.uncursor;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.threadbare.workspace.internal.events.EventBus;
import dev.threadbare.workspace.internal.store.Channel;
import dev.threadbare.workspace.internal.store.StoredMessage;
import dev.threadbare.workspace.internal.store.Timestamps;
import dev.threadbare.workspace.internal.store.User;
import dev.threadbare.workspace.internal.store.WorkspaceStore;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code conversations.*} methods: listing, reading history and threads, creating, joining and
 * inviting. Thread-safe.
 */
final class ConversationsMethods {

  private static final Pattern CHANNEL_NAME = Pattern.compile("[a-z0-9_\\-\\p{L}\\p{N}]+");

  private final ApiSupport support;
  private final WorkspaceStore store;
  private final EventBus bus;
  private final Timestamps clock;
  private final Shapes shapes;
  private final String teamId;

  ConversationsMethods(ApiSupport support) {
    this.support = support;
    this.store = support.store();
    this.bus = support.bus();
    this.clock = support.clock();
    this.shapes = support.shapes();
    this.teamId = support.teamId();
  }

  /** Adds this family's methods to {@code methods}. */
  void addTo(Map<String, ApiMethod> methods) {
    methods.put("conversations.list", this::conversationsList);
    methods.put("conversations.info", this::conversationsInfo);
    methods.put("conversations.members", this::conversationsMembers);
    methods.put("conversations.history", this::conversationsHistory);
    methods.put("conversations.replies", this::conversationsReplies);
    methods.put("conversations.create", this::conversationsCreate);
    methods.put("conversations.join", this::conversationsJoin);
    methods.put("conversations.invite", this::conversationsInvite);
  }

  private ObjectNode conversationsList(ApiCall call) {
    String types = call.param("types") == null ? "public_channel" : call.param("types");
    Set<String> wanted = new LinkedHashSet<>(List.of(types.split(",")));
    for (String type : wanted) {
      if (!Set.of("public_channel", "private_channel", "im", "mpim").contains(type.trim())) {
        throw new ApiError(
            SlackError.INVALID_TYPES,
            "type `" + type + "` is not one of public_channel, private_channel, im, mpim");
      }
    }
    int limit = call.limit("limit", 100, 1000);
    String after = uncursor(call, "next_name");
    List<Channel> page =
        store.channels(
            call.caller().id(),
            wanted.contains("public_channel"),
            wanted.contains("private_channel"),
            after == null ? "" : after,
            limit + 1);
    ObjectNode out = Shapes.JSON.createObjectNode();
    ArrayNode channels = out.putArray("channels");
    page.stream().limit(limit).forEach(c -> channels.add(shapes.channel(c, call.caller().id())));
    nextCursor(out, page.size() > limit ? cursor("next_name", page.get(limit - 1).name()) : null);
    return out;
  }

  private ObjectNode conversationsInfo(ApiCall call) {
    Channel channel = support.visibleChannel(call, "channel");
    ObjectNode out = Shapes.JSON.createObjectNode();
    out.set("channel", shapes.channel(channel, call.caller().id()));
    return out;
  }

  private ObjectNode conversationsMembers(ApiCall call) {
    Channel channel = support.visibleChannel(call, "channel");
    int limit = call.limit("limit", 100, 1000);
    String after = uncursor(call, "next_id");
    List<String> page = store.members(channel.id(), after == null ? "" : after, limit + 1);
    ObjectNode out = Shapes.JSON.createObjectNode();
    ArrayNode members = out.putArray("members");
    page.stream().limit(limit).forEach(members::add);
    nextCursor(out, page.size() > limit ? cursor("next_id", page.get(limit - 1)) : null);
    return out;
  }

  private ObjectNode conversationsHistory(ApiCall call) {
    Channel channel = support.visibleChannel(call, "channel");
    int limit = call.limit("limit", 100, 999);
    long oldest = bound(call, "oldest", 0);
    long latest = bound(call, "latest", Long.MAX_VALUE);
    boolean inclusive = call.flag("inclusive", false);
    boolean latestInclusive = inclusive;
    String next = uncursor(call, "next_ts");
    if (next != null) {
      latest = Long.parseLong(next);
      latestInclusive = false;
    }
    List<StoredMessage> page =
        store.history(channel.id(), oldest, inclusive, latest, latestInclusive, limit + 1);
    ObjectNode out = Shapes.JSON.createObjectNode();
    ArrayNode messages = out.putArray("messages");
    boolean withMetadata = call.flag("include_all_metadata", false);
    page.stream()
        .limit(limit)
        .forEach(m -> messages.add(shapes.message(m, call.origin(), true, withMetadata)));
    boolean more = page.size() > limit;
    out.put("has_more", more);
    out.put("pin_count", 0);
    out.putNull("channel_actions_ts");
    out.put("channel_actions_count", 0);
    nextCursor(
        out,
        more ? cursor("next_ts", Long.toString(Timestamps.parse(page.get(limit - 1).ts()))) : null);
    return out;
  }

  private ObjectNode conversationsReplies(ApiCall call) {
    Channel channel = support.visibleChannel(call, "channel");
    String ts = call.param("ts");
    StoredMessage start =
        store
            .message(channel.id(), ts == null ? "" : ts)
            .orElseThrow(
                () ->
                    new ApiError(
                        SlackError.THREAD_NOT_FOUND, "no message " + ts + " in " + channel.id()));
    StoredMessage root =
        start.isReply() ? store.message(channel.id(), start.threadTs()).orElse(start) : start;
    if (root.deleted() && store.threadStats(channel.id(), root.ts()).replyCount() == 0) {
      throw new ApiError(SlackError.THREAD_NOT_FOUND, "message " + ts + " was deleted");
    }
    int limit = call.limit("limit", 1000, 1000);
    String next = uncursor(call, "next_ts");
    long after =
        next != null
            ? Long.parseLong(next)
            : bound(call, "oldest", 0) - (call.flag("inclusive", false) ? 1 : 0);
    long latest = bound(call, "latest", Long.MAX_VALUE);
    List<StoredMessage> replies = store.replies(channel.id(), root.ts(), after, latest, limit + 1);
    boolean more = replies.size() > limit;
    ObjectNode out = Shapes.JSON.createObjectNode();
    ArrayNode messages = out.putArray("messages");
    boolean withMetadata = call.flag("include_all_metadata", false);
    messages.add(shapes.message(root, call.origin(), true, withMetadata));
    replies.stream()
        .limit(limit)
        .forEach(m -> messages.add(shapes.message(m, call.origin(), true, withMetadata)));
    out.put("has_more", more);
    nextCursor(
        out,
        more
            ? cursor("next_ts", Long.toString(Timestamps.parse(replies.get(limit - 1).ts())))
            : null);
    return out;
  }

  private ObjectNode conversationsCreate(ApiCall call) {
    String name = call.param("name");
    if (name == null) {
      throw new ApiError(SlackError.INVALID_NAME_REQUIRED, "a channel needs a `name`");
    }
    if (name.length() > 80) {
      throw new ApiError(
          SlackError.INVALID_NAME_MAXLENGTH,
          "channel name `" + name + "` is longer than 80 characters");
    }
    if (!CHANNEL_NAME.matcher(name).matches()
        || !name.equals(name.toLowerCase(java.util.Locale.ROOT))) {
      throw new ApiError(
          SlackError.INVALID_NAME_SPECIALS,
          "channel name `" + name + "` may hold only lower-case letters, digits, `-` and `_`");
    }
    if (store.channelByName(name).isPresent()) {
      throw new ApiError(SlackError.NAME_TAKEN, "a channel named `" + name + "` exists");
    }
    Channel channel =
        store.createChannel(name, call.flag("is_private", false), false, call.caller().id());
    ObjectNode out = Shapes.JSON.createObjectNode();
    out.set("channel", shapes.channel(channel, call.caller().id()));
    ObjectNode event = Shapes.JSON.createObjectNode();
    event.put("type", "channel_created");
    ObjectNode info = event.putObject("channel");
    info.put("id", channel.id()).put("name", channel.name()).put("created", channel.created());
    info.put("creator", channel.creator());
    event.put("event_ts", clock.next());
    bus.publish(channel, event);
    return out;
  }

  private ObjectNode conversationsJoin(ApiCall call) {
    Channel channel = support.visibleChannel(call, "channel");
    if (channel.isPrivate()) {
      throw new ApiError(
          SlackError.METHOD_NOT_SUPPORTED_FOR_CHANNEL_TYPE,
          "#" + channel.name() + " is private: be invited instead");
    }
    boolean joined = store.addMember(channel.id(), call.caller().id());
    ObjectNode out = Shapes.JSON.createObjectNode();
    out.set("channel", shapes.channel(channel, call.caller().id()));
    if (!joined) {
      out.put("warning", "already_in_channel");
      out.putObject("response_metadata").putArray("warnings").add("already_in_channel");
    } else {
      publishJoin(channel, call.caller().id(), null);
    }
    return out;
  }

  private void publishJoin(Channel channel, String userId, String inviter) {
    ObjectNode event = Shapes.JSON.createObjectNode();
    event.put("type", "member_joined_channel");
    event.put("user", userId);
    event.put("channel", channel.id());
    event.put("channel_type", channel.isPrivate() ? "G" : "C");
    event.put("team", teamId);
    if (inviter != null) {
      event.put("inviter", inviter);
    }
    event.put("event_ts", clock.next());
    bus.publish(channel, event);
  }

  private ObjectNode conversationsInvite(ApiCall call) {
    Channel channel = support.visibleChannel(call, "channel");
    support.requireMember(call, channel);
    String users = call.required("users");
    List<User> invitees = new ArrayList<>();
    for (String id : users.split(",")) {
      String trimmed = id.trim();
      if (trimmed.equals(call.caller().id())) {
        throw new ApiError(
            SlackError.CANT_INVITE_SELF, "the caller is already in #" + channel.name());
      }
      invitees.add(
          store
              .user(trimmed)
              .orElseThrow(
                  () -> new ApiError(SlackError.USER_NOT_FOUND, "no user `" + trimmed + "`")));
    }
    boolean anyone = false;
    for (User invitee : invitees) {
      if (store.addMember(channel.id(), invitee.id())) {
        anyone = true;
        publishJoin(channel, invitee.id(), call.caller().id());
      }
    }
    if (!anyone) {
      throw new ApiError(
          SlackError.ALREADY_IN_CHANNEL, "every invitee is already in #" + channel.name());
    }
    ObjectNode out = Shapes.JSON.createObjectNode();
    out.set("channel", shapes.channel(channel, call.caller().id()));
    return out;
  }
}
