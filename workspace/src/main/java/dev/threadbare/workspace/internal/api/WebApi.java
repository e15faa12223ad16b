package dev.threadbare.workspace.internal.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.threadbare.workspace.RateLimits;
import dev.threadbare.workspace.WorkspaceStorageException;
import dev.threadbare.workspace.internal.events.EventBus;
import dev.threadbare.workspace.internal.events.SocketMode;
import dev.threadbare.workspace.internal.store.Ids;
import dev.threadbare.workspace.internal.store.Timestamps;
import dev.threadbare.workspace.internal.store.User;
import dev.threadbare.workspace.internal.store.WorkspaceStore;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slack's Web API at {@code /api/<method>}, plus the file upload URL and {@code url_private}
 * downloads. This class is the dispatcher: token authentication (bearer header or {@code token}
 * argument), form and JSON bodies, rate limiting and Slack's response envelope; the methods live in
 * one class per family ({@link UsersMethods}, {@link ConversationsMethods}, {@link ChatMethods},
 * {@link ReactionsMethods}, {@link FilesMethods}), sharing {@link ApiSupport}. A new method goes
 * into its family's {@code addTo}. Thread-safe; lives as long as the workspace.
 *
 * @see <a href="https://api.slack.com/web">Slack Web API</a>
 */
public final class WebApi {

  /** The cookie that carries a web UI session token. */
  public static final String SESSION_COOKIE = "tb_session";

  /** Slack's limit on a message's {@code text}. */
  public static final int MAX_TEXT = ApiSupport.MAX_TEXT;

  private static final Logger LOG = LoggerFactory.getLogger(WebApi.class);

  /** The authenticated owner of a token. An immutable value. */
  public record Auth(User user, String kind, String token) {}

  private final WorkspaceStore store;
  private final Shapes shapes;
  private final RateLimiter limiter;
  private final FilesMethods files;
  private final Map<String, ApiMethod> methods = new HashMap<>();
  private volatile String baseUrl;

  /** The Web API over {@code store}, publishing what happens on {@code bus}. */
  public WebApi(
      WorkspaceStore store,
      EventBus bus,
      Timestamps clock,
      String teamId,
      String teamName,
      String appId,
      RateLimits limits,
      SocketMode socketMode) {
    this.store = store;
    this.shapes = new Shapes(store, teamId, appId);
    this.limiter = new RateLimiter(limits);
    ApiSupport support = new ApiSupport(store, bus, clock, shapes, teamId, teamName);
    ChatMethods chat = new ChatMethods(support);
    this.files = new FilesMethods(support, chat, this::authenticate);
    new UsersMethods(support).addTo(methods);
    new ConversationsMethods(support).addTo(methods);
    chat.addTo(methods);
    new ReactionsMethods(support).addTo(methods);
    files.addTo(methods);
    new AppsMethods(support, socketMode).addTo(methods);
  }

  /** Mounts the API, the upload URL and file downloads on {@code app}. */
  public void register(Javalin app) {
    app.get("/api/{method}", this::handle);
    app.post("/api/{method}", this::handle);
    files.register(app);
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
      ApiMethod method = methods.get(name);
      if (method == null) {
        out.put("ok", false).put("error", SlackError.UNKNOWN_METHOD.code()).put("req_method", name);
        respond(ctx, out);
        return;
      }
      Map<String, String> params;
      try {
        params = params(ctx);
      } catch (HttpResponseException e) {
        if (e.getStatus() != HttpStatus.CONTENT_TOO_LARGE.getCode()) {
          throw e;
        }
        // Slack answers every call with its JSON envelope; a body over the server's limit too
        throw new ApiError(
            SlackError.REQUEST_TOO_LARGE,
            "the request body of "
                + ctx.contentLength()
                + " bytes is over this server's limit: send a large text as a file"
                + " (files.getUploadURLExternal)");
      }
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
      // an app-level token opens Socket Mode connections and does nothing else, as at Slack
      if (auth.kind().equals("app") != name.startsWith("apps.")) {
        throw new ApiError(
            SlackError.NOT_ALLOWED_TOKEN_TYPE,
            auth.kind().equals("app")
                ? "an app-level token (xapp-) only calls apps.connections.open: use the bot"
                    + " token (xoxb-) for "
                    + name
                : name + " needs the app-level token (xapp-) that `workspace add-app` printed");
      }
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
      if (e.error() == SlackError.INVALID_ARGUMENTS || e.error() == SlackError.REQUEST_TOO_LARGE) {
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

  static String bearer(Context ctx) {
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

  /** A fresh random id for a session token. */
  public static String newSessionToken() {
    return Ids.token("xoxc");
  }
}
