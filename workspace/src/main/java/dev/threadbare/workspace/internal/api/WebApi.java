package dev.threadbare.workspace.internal.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.threadbare.workspace.RateLimits;
import dev.threadbare.workspace.WorkspaceStorageException;
import dev.threadbare.workspace.internal.events.EventBus;
import dev.threadbare.workspace.internal.store.Channel;
import dev.threadbare.workspace.internal.store.Ids;
import dev.threadbare.workspace.internal.store.StoredFile;
import dev.threadbare.workspace.internal.store.StoredMessage;
import dev.threadbare.workspace.internal.store.Timestamps;
import dev.threadbare.workspace.internal.store.User;
import dev.threadbare.workspace.internal.store.WorkspaceStore;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slack's Web API at {@code /api/<method>}, plus the file upload URL and {@code url_private}
 * downloads: token authentication (bearer header or {@code token} argument), form and JSON bodies,
 * Slack's response shapes, error codes, cursor pagination and rate limiting. Thread-safe; lives as
 * long as the workspace.
 *
 * @see <a href="https://api.slack.com/web">Slack Web API</a>
 */
public final class WebApi {

  /** The cookie that carries a web UI session token. */
  public static final String SESSION_COOKIE = "tb_session";

  /** Slack's limit on a message's {@code text}. */
  public static final int MAX_TEXT = 40_000;

  private static final Logger LOG = LoggerFactory.getLogger(WebApi.class);
  private static final Pattern CHANNEL_NAME = Pattern.compile("[a-z0-9_\\-\\p{L}\\p{N}]+");
  private static final Pattern EMOJI = Pattern.compile("[a-z0-9_+'\\-]+(::skin-tone-[2-6])?");

  private interface Method {
    ObjectNode call(ApiCall call);
  }

  /** The authenticated owner of a token. An immutable value. */
  public record Auth(User user, String kind, String token) {}

  private final WorkspaceStore store;
  private final EventBus bus;
  private final Timestamps clock;
  private final String teamId;
  private final String teamName;
  private final Shapes shapes;
  private final RateLimiter limiter;
  private final Map<String, Method> methods = new HashMap<>();
  private volatile String baseUrl;

  /** The Web API over {@code store}, publishing what happens on {@code bus}. */
  public WebApi(
      WorkspaceStore store,
      EventBus bus,
      Timestamps clock,
      String teamId,
      String teamName,
      String appId,
      RateLimits limits) {
    this.store = store;
    this.bus = bus;
    this.clock = clock;
    this.teamId = teamId;
    this.teamName = teamName;
    this.shapes = new Shapes(store, teamId, appId);
    this.limiter = new RateLimiter(limits);
    methods.put("api.test", this::apiTest);
    methods.put("auth.test", this::authTest);
    methods.put("team.info", this::teamInfo);
    methods.put("users.list", this::usersList);
    methods.put("users.info", this::usersInfo);
    methods.put("conversations.list", this::conversationsList);
    methods.put("conversations.info", this::conversationsInfo);
    methods.put("conversations.members", this::conversationsMembers);
    methods.put("conversations.history", this::conversationsHistory);
    methods.put("conversations.replies", this::conversationsReplies);
    methods.put("conversations.create", this::conversationsCreate);
    methods.put("conversations.join", this::conversationsJoin);
    methods.put("conversations.invite", this::conversationsInvite);
    methods.put("chat.postMessage", this::chatPostMessage);
    methods.put("chat.update", this::chatUpdate);
    methods.put("chat.delete", this::chatDelete);
    methods.put("chat.postEphemeral", this::chatPostEphemeral);
    methods.put("chat.getPermalink", this::chatGetPermalink);
    methods.put("reactions.add", this::reactionsAdd);
    methods.put("reactions.remove", this::reactionsRemove);
    methods.put("reactions.get", this::reactionsGet);
    methods.put("files.getUploadURLExternal", this::filesGetUploadUrlExternal);
    methods.put("files.completeUploadExternal", this::filesCompleteUploadExternal);
    methods.put("files.info", this::filesInfo);
  }

  /** Mounts the API, the upload URL and file downloads on {@code app}. */
  public void register(Javalin app) {
    app.get("/api/{method}", this::handle);
    app.post("/api/{method}", this::handle);
    app.post("/upload/v1/{file}", this::upload);
    app.get("/files-pri/{teamFile}/{name}", ctx -> download(ctx, false));
    app.get("/files-pri/{teamFile}/download/{name}", ctx -> download(ctx, true));
  }

  /** Replaces the rate limits. */
  public void setRateLimits(RateLimits limits) {
    limiter.set(limits);
  }

  /** The rate limits in force. */
  public RateLimits rateLimits() {
    return limiter.limits();
  }

  /** Fixes the origin used in links (permalinks, file URLs); null derives it from each request. */
  public void setBaseUrl(String url) {
    this.baseUrl = url == null ? null : url.replaceAll("/+$", "");
  }

  /** The owner of {@code token}, if it is a live token. */
  public Optional<Auth> authenticate(String token) {
    if (token == null || token.isEmpty()) {
      return Optional.empty();
    }
    return store.tokenOwner(token).map(e -> new Auth(e.getKey(), e.getValue(), token));
  }

  /** The origin links should use for a request arriving on {@code ctx}. */
  public String origin(Context ctx) {
    String fixed = baseUrl;
    return fixed != null ? fixed : ctx.scheme() + "://" + ctx.host();
  }

  /** The renderer of Slack shapes (the web UI uses it for the signed-in user). */
  public Shapes shapes() {
    return shapes;
  }

  // ---- dispatch

  private void handle(Context ctx) {
    String name = ctx.pathParam("method");
    ObjectNode out = Shapes.JSON.createObjectNode();
    try {
      Method method = methods.get(name);
      if (method == null) {
        out.put("ok", false).put("error", SlackError.UNKNOWN_METHOD.code()).put("req_method", name);
        respond(ctx, out);
        return;
      }
      Map<String, String> params = params(ctx);
      String token = bearer(ctx);
      if (token == null) {
        token = params.get("token");
      }
      if (token == null || token.isEmpty()) {
        throw new ApiError(
            SlackError.NOT_AUTHED, "no token: send `Authorization: Bearer xox…` or `token`");
      }
      Auth auth =
          authenticate(token)
              .orElseThrow(
                  () ->
                      new ApiError(
                          SlackError.INVALID_AUTH, "the token is not one of this workspace's"));
      if (!auth.kind().equals("session")) {
        long wait = limiter.acquire(token, name, params.get("channel"));
        if (wait > 0) {
          ctx.status(429).header("Retry-After", Long.toString(wait));
          out.put("ok", false).put("error", SlackError.RATELIMITED.code());
          respond(ctx, out);
          return;
        }
      }
      ObjectNode result =
          method.call(new ApiCall(name, params, auth.user(), auth.kind(), origin(ctx)));
      out.put("ok", true);
      out.setAll(result);
    } catch (ApiError e) {
      out.removeAll();
      out.put("ok", false).put("error", e.error().code());
      if (e.error() == SlackError.INVALID_ARGUMENTS) {
        out.putObject("response_metadata").putArray("messages").add("[ERROR] " + e.detail());
      }
      LOG.debug("{} refused: {}", name, e.getMessage());
    } catch (WorkspaceStorageException e) {
      LOG.error("{} failed", name, e);
      out.removeAll();
      out.put("ok", false).put("error", SlackError.INTERNAL_ERROR.code());
    }
    respond(ctx, out);
  }

  private static void respond(Context ctx, ObjectNode body) {
    ctx.contentType("application/json; charset=utf-8").result(body.toString());
  }

  private static String bearer(Context ctx) {
    String header = ctx.header("Authorization");
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return header.substring(7).trim();
    }
    return null;
  }

  private static Map<String, String> params(Context ctx) {
    Map<String, String> params = new HashMap<>();
    ctx.queryParamMap().forEach((k, v) -> params.put(k, v.isEmpty() ? "" : v.get(0)));
    if (!ctx.method().name().equals("POST")) {
      return params;
    }
    String type = ctx.contentType() == null ? "" : ctx.contentType();
    if (type.startsWith("application/json")) {
      String body = ctx.body();
      if (!body.isBlank()) {
        JsonNode json;
        try {
          json = Shapes.JSON.readTree(body);
        } catch (JsonProcessingException e) {
          throw new ApiError(
              SlackError.INVALID_JSON, "the JSON body does not parse: " + e.getOriginalMessage());
        }
        if (!json.isObject()) {
          throw new ApiError(SlackError.INVALID_JSON, "the JSON body must be an object");
        }
        for (Map.Entry<String, JsonNode> field : json.properties()) {
          JsonNode value = field.getValue();
          params.put(field.getKey(), value.isTextual() ? value.asText() : value.toString());
        }
      }
    } else if (type.startsWith("application/x-www-form-urlencoded")
        || type.startsWith("multipart/form-data")) {
      ctx.formParamMap().forEach((k, v) -> params.put(k, v.isEmpty() ? "" : v.get(0)));
    }
    return params;
  }

  // ---- helpers

  private static String cursor(String kind, String value) {
    return Base64.getEncoder()
        .encodeToString((kind + ":" + value).getBytes(StandardCharsets.UTF_8));
  }

  private static String uncursor(ApiCall call, String kind) {
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

  private static void nextCursor(ObjectNode out, String next) {
    out.putObject("response_metadata").put("next_cursor", next == null ? "" : next);
  }

  private Channel visibleChannel(ApiCall call, String param) {
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

  private void requireMember(ApiCall call, Channel channel) {
    if (!store.isMember(channel.id(), call.caller().id())) {
      throw new ApiError(
          SlackError.NOT_IN_CHANNEL,
          call.caller().name() + " is not in #" + channel.name() + ": join or be invited first");
    }
  }

  private StoredMessage liveMessage(Channel channel, String ts) {
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

  private static String channelType(Channel channel) {
    return channel.isPrivate() ? "group" : "channel";
  }

  private ObjectNode messageEvent(Channel channel, StoredMessage m, String origin) {
    ObjectNode event = shapes.message(m, origin, false);
    event.put("channel", channel.id());
    event.put("event_ts", m.ts());
    event.put("channel_type", channelType(channel));
    return event;
  }

  private static void checkLength(String text) {
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

  private static String jsonArray(ApiCall call, String name) {
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
  private static String metadata(ApiCall call) {
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

  // ---- auth, team, users

  private ObjectNode apiTest(ApiCall call) {
    ObjectNode out = Shapes.JSON.createObjectNode();
    if (!call.params().isEmpty()) {
      ObjectNode args = out.putObject("args");
      call.params()
          .forEach(
              (k, v) -> {
                if (!k.equals("token")) {
                  args.put(k, v);
                }
              });
    }
    return out;
  }

  private ObjectNode authTest(ApiCall call) {
    ObjectNode out = Shapes.JSON.createObjectNode();
    out.put("url", call.origin() + "/");
    out.put("team", teamName);
    out.put("user", call.caller().name());
    out.put("team_id", teamId);
    out.put("user_id", call.caller().id());
    if (call.caller().bot()) {
      out.put("bot_id", call.caller().botId());
    }
    out.put("is_enterprise_install", false);
    return out;
  }

  private ObjectNode teamInfo(ApiCall call) {
    ObjectNode out = Shapes.JSON.createObjectNode();
    ObjectNode team = out.putObject("team");
    team.put("id", teamId);
    team.put("name", teamName);
    team.put("url", call.origin() + "/");
    team.put("domain", "local");
    team.put("email_domain", "");
    team.putObject("icon").put("image_default", true);
    team.put("is_verified", false);
    return out;
  }

  private ObjectNode usersList(ApiCall call) {
    int limit = call.limit("limit", 200, 1000);
    String after = uncursor(call, "next_id");
    List<User> page = store.users(after == null ? "" : after, limit + 1);
    ObjectNode out = Shapes.JSON.createObjectNode();
    ArrayNode members = out.putArray("members");
    page.stream().limit(limit).forEach(u -> members.add(shapes.user(u)));
    out.put("cache_ts", java.time.Instant.now().getEpochSecond());
    nextCursor(out, page.size() > limit ? cursor("next_id", page.get(limit - 1).id()) : null);
    return out;
  }

  private ObjectNode usersInfo(ApiCall call) {
    String id = call.param("user");
    User user =
        store
            .user(id == null ? "" : id)
            .orElseThrow(() -> new ApiError(SlackError.USER_NOT_FOUND, "no user `" + id + "`"));
    ObjectNode out = Shapes.JSON.createObjectNode();
    out.set("user", shapes.user(user));
    return out;
  }

  // ---- conversations

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
    Channel channel = visibleChannel(call, "channel");
    ObjectNode out = Shapes.JSON.createObjectNode();
    out.set("channel", shapes.channel(channel, call.caller().id()));
    return out;
  }

  private ObjectNode conversationsMembers(ApiCall call) {
    Channel channel = visibleChannel(call, "channel");
    int limit = call.limit("limit", 100, 1000);
    String after = uncursor(call, "next_id");
    List<String> page = store.members(channel.id(), after == null ? "" : after, limit + 1);
    ObjectNode out = Shapes.JSON.createObjectNode();
    ArrayNode members = out.putArray("members");
    page.stream().limit(limit).forEach(members::add);
    nextCursor(out, page.size() > limit ? cursor("next_id", page.get(limit - 1)) : null);
    return out;
  }

  private static long bound(ApiCall call, String name, long fallback) {
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

  private ObjectNode conversationsHistory(ApiCall call) {
    Channel channel = visibleChannel(call, "channel");
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
    Channel channel = visibleChannel(call, "channel");
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
    Channel channel = visibleChannel(call, "channel");
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
    Channel channel = visibleChannel(call, "channel");
    requireMember(call, channel);
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

  // ---- chat

  private StoredMessage post(
      ApiCall call,
      Channel channel,
      String text,
      String blocks,
      String attachments,
      String metadata,
      String threadTs,
      boolean broadcast,
      String subtype,
      String fileIds) {
    String rootTs = null;
    if (threadTs != null) {
      StoredMessage parent =
          store
              .message(channel.id(), threadTs)
              .orElseThrow(
                  () ->
                      new ApiError(
                          SlackError.THREAD_NOT_FOUND, "no message " + threadTs + " to reply to"));
      rootTs = parent.isReply() ? parent.threadTs() : parent.ts();
    }
    String normalized = SlackText.normalize(text == null ? "" : text);
    String blocksJson = blocks;
    if (blocksJson == null && !normalized.isEmpty()) {
      blocksJson = SlackText.richTextBlocks(normalized).toString();
    }
    String kind = subtype;
    if (rootTs != null && broadcast) {
      kind = "thread_broadcast";
    }
    StoredMessage message =
        new StoredMessage(
            channel.id(),
            clock.next(),
            rootTs,
            call.caller().id(),
            kind,
            normalized,
            blocksJson,
            attachments,
            metadata,
            fileIds,
            call.tokenKind().equals("session") ? UUID.randomUUID().toString() : null,
            null,
            null,
            false);
    store.insertMessage(message);
    bus.publish(channel, messageEvent(channel, message, call.origin()));
    return message;
  }

  private ObjectNode chatPostMessage(ApiCall call) {
    Channel channel = visibleChannel(call, "channel");
    requireMember(call, channel);
    String text = call.param("text");
    String blocks = jsonArray(call, "blocks");
    String attachments = jsonArray(call, "attachments");
    if (text == null && blocks == null && attachments == null) {
      throw new ApiError(SlackError.NO_TEXT, "a message needs `text`, `blocks` or `attachments`");
    }
    checkLength(text);
    String metadata = metadata(call);
    StoredMessage message =
        post(
            call,
            channel,
            text,
            blocks,
            attachments,
            metadata,
            call.param("thread_ts"),
            call.flag("reply_broadcast", false),
            null,
            null);
    ObjectNode out = Shapes.JSON.createObjectNode();
    out.put("channel", channel.id());
    out.put("ts", message.ts());
    out.set("message", shapes.message(message, call.origin(), false, true));
    return out;
  }

  private ObjectNode chatUpdate(ApiCall call) {
    Channel channel = visibleChannel(call, "channel");
    StoredMessage before = liveMessage(channel, call.param("ts"));
    if (!before.user().equals(call.caller().id())) {
      throw new ApiError(
          SlackError.CANT_UPDATE_MESSAGE, "only the author may edit message " + before.ts());
    }
    String text = call.param("text");
    String blocks = jsonArray(call, "blocks");
    String attachments = jsonArray(call, "attachments");
    if (text == null && blocks == null && attachments == null) {
      throw new ApiError(SlackError.NO_TEXT, "an edit needs `text`, `blocks` or `attachments`");
    }
    checkLength(text);
    String metadata = metadata(call);
    String normalized = text == null ? before.text() : SlackText.normalize(text);
    String blocksJson =
        blocks != null
            ? blocks
            : text != null ? SlackText.richTextBlocks(normalized).toString() : before.blocksJson();
    String editTs = clock.next();
    store.editMessage(
        channel.id(),
        before.ts(),
        normalized,
        blocksJson,
        attachments != null ? attachments : before.attachmentsJson(),
        metadata != null ? metadata : before.metadataJson(),
        editTs,
        call.caller().id());
    StoredMessage after = store.message(channel.id(), before.ts()).orElseThrow();
    ObjectNode event = Shapes.JSON.createObjectNode();
    event.put("type", "message");
    event.put("subtype", "message_changed");
    event.set("message", shapes.message(after, call.origin(), false));
    event.set("previous_message", shapes.message(before, call.origin(), false));
    event.put("channel", channel.id());
    event.put("hidden", true);
    event.put("ts", editTs);
    event.put("event_ts", editTs);
    event.put("channel_type", channelType(channel));
    bus.publish(channel, event);
    ObjectNode out = Shapes.JSON.createObjectNode();
    out.put("channel", channel.id());
    out.put("ts", after.ts());
    out.put("text", after.text());
    out.set("message", shapes.message(after, call.origin(), false, true));
    return out;
  }

  private ObjectNode chatDelete(ApiCall call) {
    Channel channel = visibleChannel(call, "channel");
    StoredMessage before = liveMessage(channel, call.param("ts"));
    boolean adminUser = call.caller().admin() && !call.isBot();
    if (!before.user().equals(call.caller().id()) && !adminUser) {
      throw new ApiError(
          SlackError.CANT_DELETE_MESSAGE,
          "only the author or an admin may delete message " + before.ts());
    }
    store.deleteMessage(channel.id(), before.ts());
    String eventTs = clock.next();
    ObjectNode event = Shapes.JSON.createObjectNode();
    event.put("type", "message");
    event.put("subtype", "message_deleted");
    event.put("hidden", true);
    event.put("channel", channel.id());
    event.set("previous_message", shapes.message(before, call.origin(), false));
    event.put("deleted_ts", before.ts());
    event.put("ts", eventTs);
    event.put("event_ts", eventTs);
    event.put("channel_type", channelType(channel));
    bus.publish(channel, event);
    ObjectNode out = Shapes.JSON.createObjectNode();
    out.put("channel", channel.id());
    out.put("ts", before.ts());
    return out;
  }

  private ObjectNode chatPostEphemeral(ApiCall call) {
    Channel channel = visibleChannel(call, "channel");
    requireMember(call, channel);
    String userId = call.param("user");
    User target =
        store
            .user(userId == null ? "" : userId)
            .orElseThrow(() -> new ApiError(SlackError.USER_NOT_FOUND, "no user `" + userId + "`"));
    if (!store.isMember(channel.id(), target.id())) {
      throw new ApiError(
          SlackError.USER_NOT_IN_CHANNEL, target.name() + " is not in #" + channel.name());
    }
    String text = call.param("text");
    String blocks = jsonArray(call, "blocks");
    if (text == null && blocks == null) {
      throw new ApiError(SlackError.NO_TEXT, "an ephemeral message needs `text` or `blocks`");
    }
    checkLength(text);
    String normalized = SlackText.normalize(text == null ? "" : text);
    StoredMessage message =
        new StoredMessage(
            channel.id(),
            clock.next(),
            call.param("thread_ts"),
            call.caller().id(),
            null,
            normalized,
            blocks != null ? blocks : SlackText.richTextBlocks(normalized).toString(),
            null,
            null,
            null,
            null,
            null,
            null,
            false);
    ObjectNode event = messageEvent(channel, message, call.origin());
    event.put("is_ephemeral", true);
    bus.publishEphemeral(channel, event, target.id());
    ObjectNode out = Shapes.JSON.createObjectNode();
    out.put("message_ts", message.ts());
    return out;
  }

  private ObjectNode chatGetPermalink(ApiCall call) {
    Channel channel = visibleChannel(call, "channel");
    StoredMessage message = liveMessage(channel, call.param("message_ts"));
    ObjectNode out = Shapes.JSON.createObjectNode();
    out.put("channel", channel.id());
    out.put("permalink", permalink(call.origin(), message));
    return out;
  }

  static String permalink(String origin, StoredMessage message) {
    String link = origin + "/archives/" + message.channel() + "/p" + message.ts().replace(".", "");
    if (message.isReply()) {
      link += "?thread_ts=" + message.threadTs() + "&cid=" + message.channel();
    }
    return link;
  }

  // ---- reactions

  private static String emoji(ApiCall call) {
    String raw = call.param("name");
    if (raw == null) {
      throw new ApiError(SlackError.INVALID_NAME, "no emoji `name` given");
    }
    String name = raw.replaceAll("^:|:$", "");
    if (!EMOJI.matcher(name).matches()) {
      throw new ApiError(
          SlackError.INVALID_NAME, "`" + raw + "` is not an emoji name such as `thumbsup`");
    }
    return name;
  }

  private ObjectNode reactionEvent(String type, ApiCall call, StoredMessage message, String name) {
    ObjectNode event = Shapes.JSON.createObjectNode();
    event.put("type", type);
    event.put("user", call.caller().id());
    event.put("reaction", name);
    event.put("item_user", message.user());
    ObjectNode item = event.putObject("item");
    item.put("type", "message");
    item.put("channel", message.channel());
    item.put("ts", message.ts());
    event.put("event_ts", clock.next());
    return event;
  }

  private ObjectNode reactionsAdd(ApiCall call) {
    Channel channel = visibleChannel(call, "channel");
    String name = emoji(call);
    StoredMessage message = liveMessage(channel, call.param("timestamp"));
    if (store.reactions(channel.id(), message.ts()).size() >= 50
        && store.reactions(channel.id(), message.ts()).stream()
            .noneMatch(r -> r.name().equals(name))) {
      throw new ApiError(
          SlackError.TOO_MANY_EMOJI, "message " + message.ts() + " already has 50 different emoji");
    }
    if (!store.addReaction(
        channel.id(), message.ts(), name, call.caller().id(), clock.nextMicros())) {
      throw new ApiError(
          SlackError.ALREADY_REACTED, call.caller().name() + " already reacted :" + name + ":");
    }
    bus.publish(channel, reactionEvent("reaction_added", call, message, name));
    return Shapes.JSON.createObjectNode();
  }

  private ObjectNode reactionsRemove(ApiCall call) {
    Channel channel = visibleChannel(call, "channel");
    String name = emoji(call);
    StoredMessage message = liveMessage(channel, call.param("timestamp"));
    if (!store.removeReaction(channel.id(), message.ts(), name, call.caller().id())) {
      throw new ApiError(
          SlackError.NO_REACTION,
          call.caller().name() + " has no :" + name + ": on " + message.ts());
    }
    bus.publish(channel, reactionEvent("reaction_removed", call, message, name));
    return Shapes.JSON.createObjectNode();
  }

  private ObjectNode reactionsGet(ApiCall call) {
    if (call.param("channel") == null && call.param("file") != null) {
      throw new ApiError(
          SlackError.INVALID_ARGUMENTS,
          "reactions on files are not supported: pass `channel` and `timestamp`");
    }
    Channel channel = visibleChannel(call, "channel");
    StoredMessage message = liveMessage(channel, call.param("timestamp"));
    ObjectNode out = Shapes.JSON.createObjectNode();
    out.put("type", "message");
    out.put("channel", channel.id());
    ObjectNode rendered = shapes.message(message, call.origin(), true);
    rendered.put("permalink", permalink(call.origin(), message));
    out.set("message", rendered);
    return out;
  }

  // ---- files

  private ObjectNode filesGetUploadUrlExternal(ApiCall call) {
    String filename = call.required("filename");
    String length = call.required("length");
    long size;
    try {
      size = Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      throw new ApiError(
          SlackError.INVALID_ARGUMENTS,
          "`length` is `" + length + "`: it must be the file's size in bytes");
    }
    if (size < 0) {
      throw new ApiError(
          SlackError.INVALID_ARGUMENTS, "`length` is " + size + ": it must not be negative");
    }
    String[] type = FileTypes.of(filename, new byte[0]);
    StoredFile file = store.createFile(call.caller().id(), filename, type[1], type[0], size);
    ObjectNode out = Shapes.JSON.createObjectNode();
    out.put("upload_url", call.origin() + "/upload/v1/" + file.id());
    out.put("file_id", file.id());
    return out;
  }

  private void upload(Context ctx) throws IOException {
    String fileId = ctx.pathParam("file");
    Optional<StoredFile> file = store.file(fileId).filter(f -> !f.completed());
    if (file.isEmpty()) {
      ctx.status(404).contentType("text/plain").result("unknown or completed upload " + fileId);
      return;
    }
    byte[] content;
    String type = ctx.contentType() == null ? "" : ctx.contentType();
    if (type.startsWith("multipart/form-data")) {
      List<UploadedFile> files = ctx.uploadedFiles();
      if (files.isEmpty()) {
        ctx.status(400).contentType("text/plain").result("multipart upload without a file part");
        return;
      }
      try (InputStream in = files.get(0).content()) {
        content = in.readAllBytes();
      }
    } else {
      content = ctx.bodyAsBytes();
    }
    String[] kind = FileTypes.of(file.get().name(), content);
    store.putFileContent(fileId, content, kind[0], kind[1]);
    ctx.status(200).contentType("text/plain").result("OK - " + content.length);
  }

  private ObjectNode filesCompleteUploadExternal(ApiCall call) {
    String filesParam = call.required("files");
    JsonNode entries;
    try {
      entries = Shapes.JSON.readTree(filesParam);
    } catch (JsonProcessingException e) {
      throw new ApiError(
          SlackError.INVALID_ARGUMENTS, "`files` is not JSON: " + e.getOriginalMessage());
    }
    if (!entries.isArray() || entries.isEmpty()) {
      throw new ApiError(
          SlackError.INVALID_ARGUMENTS, "`files` must be a JSON array of {\"id\":…,\"title\":…}");
    }
    Channel channel = null;
    String channelRef =
        call.param("channel_id") != null
            ? "channel_id"
            : call.param("channels") != null ? "channels" : null;
    if (channelRef != null) {
      channel = visibleChannel(call, channelRef);
      requireMember(call, channel);
    }
    checkLength(call.param("initial_comment"));
    List<StoredFile> files = new ArrayList<>();
    for (JsonNode entry : entries) {
      String id = entry.path("id").asText("");
      StoredFile file =
          store
              .file(id)
              .filter(f -> f.user().equals(call.caller().id()))
              .orElseThrow(
                  () ->
                      new ApiError(
                          SlackError.FILE_NOT_FOUND, "no upload `" + id + "` by the caller"));
      if (store.fileContent(id).isEmpty()) {
        throw new ApiError(
            SlackError.FILE_NOT_FOUND, "file " + id + " was never uploaded to its upload_url");
      }
      files.add(file);
    }
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      StoredFile file = files.get(i);
      String title = entries.get(i).path("title").asText("");
      store.completeFile(file.id(), title.isEmpty() ? file.name() : title);
      ids.add(file.id());
    }
    if (channel != null) {
      post(
          call,
          channel,
          call.param("initial_comment"),
          jsonArray(call, "blocks"),
          null,
          null,
          call.param("thread_ts"),
          false,
          "file_share",
          String.join(",", ids));
    }
    ObjectNode out = Shapes.JSON.createObjectNode();
    ArrayNode list = out.putArray("files");
    for (String id : ids) {
      list.add(shapes.file(store.file(id).orElseThrow(), call.origin()));
    }
    return out;
  }

  private boolean canSee(User user, StoredFile file) {
    if (file.user().equals(user.id())) {
      return true;
    }
    for (Map.Entry<String, String> share : store.fileShares(file.id())) {
      Optional<Channel> channel = store.channel(share.getKey());
      if (channel.isPresent()
          && (!channel.get().isPrivate() || store.isMember(channel.get().id(), user.id()))) {
        return true;
      }
    }
    return false;
  }

  private ObjectNode filesInfo(ApiCall call) {
    String id = call.param("file");
    StoredFile file =
        store
            .file(id == null ? "" : id)
            .filter(StoredFile::completed)
            .filter(f -> canSee(call.caller(), f))
            .orElseThrow(
                () ->
                    new ApiError(
                        SlackError.FILE_NOT_FOUND, "no file `" + id + "` visible to the caller"));
    ObjectNode out = Shapes.JSON.createObjectNode();
    out.set("file", shapes.file(file, call.origin()));
    out.putArray("comments");
    nextCursor(out, null);
    return out;
  }

  private void download(Context ctx, boolean attachment) {
    String token = bearer(ctx);
    if (token == null) {
      token = ctx.cookie(SESSION_COOKIE);
    }
    Optional<Auth> auth = authenticate(token);
    if (auth.isEmpty()) {
      ctx.status(401)
          .contentType("text/plain")
          .result("sign in, or send `Authorization: Bearer xox…`");
      return;
    }
    String teamFile = ctx.pathParam("teamFile");
    String fileId = teamFile.substring(teamFile.lastIndexOf('-') + 1);
    Optional<StoredFile> file =
        store.file(fileId).filter(StoredFile::completed).filter(f -> canSee(auth.get().user(), f));
    Optional<byte[]> content = file.flatMap(f -> store.fileContent(f.id()));
    if (content.isEmpty()) {
      ctx.status(404).contentType("text/plain").result("no file " + teamFile);
      return;
    }
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("Content-Security-Policy", "sandbox");
    if (attachment) {
      ctx.header(
          "Content-Disposition",
          "attachment; filename=\"" + file.get().name().replace("\"", "") + "\"");
    }
    String mime = file.get().mimetype();
    ctx.contentType(
        FileTypes.isText(mime) && !mime.contains("charset") ? mime + "; charset=utf-8" : mime);
    ctx.result(content.get());
  }

  /** Posts {@code text} as {@code user} (used by the CLI-less admin path and tests). */
  public String postAs(User user, String channelId, String text, String origin) {
    Channel channel =
        store
            .channel(channelId)
            .orElseThrow(() -> new ApiError(SlackError.CHANNEL_NOT_FOUND, channelId));
    return post(
            new ApiCall("chat.postMessage", Map.of(), user, "user", origin),
            channel,
            text,
            null,
            null,
            null,
            null,
            false,
            null,
            null)
        .ts();
  }

  /** A fresh random id for a session token. */
  public static String newSessionToken() {
    return Ids.token("xoxc");
  }
}
