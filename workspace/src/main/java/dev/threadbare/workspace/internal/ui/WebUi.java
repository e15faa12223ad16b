package dev.threadbare.workspace.internal.ui;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.threadbare.workspace.internal.api.WebApi;
import dev.threadbare.workspace.internal.events.EventBus;
import dev.threadbare.workspace.internal.store.User;
import dev.threadbare.workspace.internal.store.WorkspaceStore;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.SameSite;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The workspace's web UI: static ES modules and CSS (no build step) at {@code /} and {@code /ui/},
 * sign-in with a user's API token into a session (cookie plus an {@code xoxc-} token the page uses
 * on the Web API, as Slack's own client does), and a live server-sent-events feed. Thread-safe.
 */
public final class WebUi implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ASSETS = "dev/threadbare/workspace/ui/";
  private static final String HIGHLIGHT = "META-INF/resources/webjars/highlightjs/11.10.0/";
  private static final String ICONS = "META-INF/resources/webjars/bootstrap-icons/1.11.3/icons/";
  private static final Map<String, String> VENDOR =
      Map.of(
          "highlight.min.js", HIGHLIGHT + "highlight.min.js",
          "github.min.css", HIGHLIGHT + "styles/github.min.css");

  private final WorkspaceStore store;
  private final WebApi api;
  private final LiveHub hub;
  private final Map<String, byte[]> cache = new ConcurrentHashMap<>();
  private final EmojiSet emoji = new EmojiSet(ASSETS + "vendor/emoji.zip");

  /** The UI over {@code store}, signing in through {@code api}, fed live by {@code bus}. */
  public WebUi(WorkspaceStore store, WebApi api, EventBus bus) {
    this.store = store;
    this.api = api;
    this.hub = new LiveHub(store);
    bus.subscribe(hub);
  }

  /** Mounts the UI's routes on {@code app}. */
  public void register(Javalin app) {
    app.get("/", ctx -> asset(ctx, ASSETS + "index.html", "text/html; charset=utf-8"));
    app.post("/ui/signin", this::signIn);
    app.get("/ui/session", this::session);
    app.post("/ui/signout", this::signOut);
    app.sse(
        "/ui/live",
        client -> {
          Optional<WebApi.Auth> auth = sessionOf(client.ctx());
          if (auth.isEmpty()) {
            client.close();
            return;
          }
          client.keepAlive();
          hub.add(client, auth.get().user().id());
        });
    // after the fixed /ui/ paths: Javalin takes the first route that matches
    app.get("/ui/vendor/{name}", this::vendor);
    app.get("/ui/icons/{name}", this::icon);
    app.get("/ui/emoji/{name}", this::emoji);
    app.get("/ui/{name}", this::uiAsset);
    app.get("/archives/{channel}", ctx -> ctx.redirect("/#/" + ctx.pathParam("channel")));
    app.get(
        "/archives/{channel}/{p}",
        ctx -> {
          String p = ctx.pathParam("p").replaceFirst("^p", "");
          String ts =
              p.length() > 6
                  ? p.substring(0, p.length() - 6) + "." + p.substring(p.length() - 6)
                  : p;
          String thread = ctx.queryParam("thread_ts");
          ctx.redirect("/#/" + ctx.pathParam("channel") + "/" + (thread != null ? thread : ts));
        });
  }

  /** Closes the live streams and stops their heartbeat. */
  @Override
  public void close() {
    hub.close();
  }

  private void uiAsset(Context ctx) throws IOException {
    String name = ctx.pathParam("name");
    if (!name.matches("[a-z0-9_\\-]+\\.(js|css|svg)")) {
      ctx.status(404).result("no asset " + name);
      return;
    }
    String type =
        name.endsWith(".js")
            ? "text/javascript; charset=utf-8"
            : name.endsWith(".css") ? "text/css; charset=utf-8" : "image/svg+xml";
    asset(ctx, ASSETS + name, type);
  }

  private void vendor(Context ctx) throws IOException {
    String path = VENDOR.get(ctx.pathParam("name"));
    if (path == null) {
      ctx.status(404).result("no vendor asset " + ctx.pathParam("name"));
      return;
    }
    ctx.header("Cache-Control", "public, max-age=86400");
    asset(
        ctx,
        path,
        path.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8");
  }

  private void icon(Context ctx) throws IOException {
    String name = ctx.pathParam("name");
    if (!name.matches("[a-z0-9\\-]+\\.svg")) {
      ctx.status(404).result("no icon " + name);
      return;
    }
    ctx.header("Cache-Control", "public, max-age=86400");
    asset(ctx, ICONS + name, "image/svg+xml");
  }

  /** An emoji by its Slack short name ({@code thumbsup.svg}, {@code +1.svg}), skin tone ignored. */
  private void emoji(Context ctx) {
    String name = ctx.pathParam("name").replaceFirst("\\.svg$", "").replaceFirst("::.*$", "");
    Optional<byte[]> svg = emoji.svg(name);
    if (svg.isEmpty()) {
      ctx.status(404).contentType("text/plain").result("no emoji :" + name + ":");
      return;
    }
    ctx.header("Cache-Control", "public, max-age=86400");
    ctx.contentType("image/svg+xml").result(svg.get());
  }

  private void asset(Context ctx, String path, String type) throws IOException {
    byte[] bytes = cache.get(path);
    if (bytes == null) {
      try (InputStream in = WebUi.class.getClassLoader().getResourceAsStream(path)) {
        if (in == null) {
          ctx.status(404).result("missing resource " + path);
          return;
        }
        bytes = in.readAllBytes();
      }
      cache.put(path, bytes);
    }
    ctx.contentType(type).result(bytes);
  }

  private Optional<WebApi.Auth> sessionOf(Context ctx) {
    return api.authenticate(ctx.cookie(WebApi.SESSION_COOKIE))
        .filter(a -> a.kind().equals("session"));
  }

  private ObjectNode sessionJson(User user, String token) {
    ObjectNode out = JSON.createObjectNode();
    out.put("ok", true);
    out.put("token", token);
    out.set("user", api.shapes().userJson(user));
    return out;
  }

  private void signIn(Context ctx) {
    String token;
    try {
      JsonNode body = JSON.readTree(ctx.body().isBlank() ? "{}" : ctx.body());
      token = body == null ? "" : body.path("token").asText("").trim();
    } catch (JsonProcessingException e) {
      token = "";
    }
    Optional<WebApi.Auth> auth = api.authenticate(token).filter(a -> a.kind().equals("user"));
    if (auth.isEmpty()) {
      ctx.status(401)
          .json(
              Map.of(
                  "ok",
                  false,
                  "error",
                  "invalid_auth",
                  "message",
                  "that is not a user token of this workspace: ask an admin to run"
                      + " `threadbare workspace add-user` and paste the xoxp- token it prints"));
      return;
    }
    String session = WebApi.newSessionToken();
    store.addToken(auth.get().user().id(), session, "session");
    Cookie cookie = new Cookie(WebApi.SESSION_COOKIE, session);
    cookie.setHttpOnly(true);
    cookie.setPath("/");
    cookie.setSameSite(SameSite.STRICT);
    cookie.setMaxAge(60 * 60 * 24 * 30);
    ctx.cookie(cookie);
    ctx.contentType("application/json").result(sessionJson(auth.get().user(), session).toString());
  }

  private void session(Context ctx) {
    Optional<WebApi.Auth> auth = sessionOf(ctx);
    if (auth.isEmpty()) {
      ctx.status(401)
          .contentType("application/json")
          .result("{\"ok\":false,\"error\":\"not_authed\"}");
      return;
    }
    ctx.contentType("application/json")
        .result(sessionJson(auth.get().user(), auth.get().token()).toString());
  }

  private void signOut(Context ctx) {
    sessionOf(ctx).ifPresent(a -> store.deleteToken(a.token()));
    ctx.removeCookie(WebApi.SESSION_COOKIE, "/");
    ctx.contentType("application/json").result("{\"ok\":true}");
  }
}
