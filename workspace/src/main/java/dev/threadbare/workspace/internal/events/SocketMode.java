package dev.threadbare.workspace.internal.events;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.threadbare.workspace.internal.store.Ids;
import io.javalin.Javalin;
import io.javalin.websocket.WsContext;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Socket Mode for the apps registered in the workspace: {@code apps.connections.open} hands out a
 * one-time WebSocket URL ({@link #open}); the app connects there, gets Slack's {@code hello}, and
 * from then on receives its events as {@code events_api} envelopes that it acknowledges by {@code
 * envelope_id}. The server pings every 10 s (Slack's client library reconnects when the server
 * stays silent). Thread-safe; connections end when the workspace closes.
 *
 * @see <a href="https://api.slack.com/apis/socket-mode">Socket Mode</a>
 */
public final class SocketMode {

  private static final Logger LOG = LoggerFactory.getLogger(SocketMode.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PATH = "/apps/socket";
  private static final Duration TICKET_LIFETIME = Duration.ofSeconds(30);

  private record Ticket(String appId, Instant expires) {}

  private final Map<String, Ticket> tickets = new ConcurrentHashMap<>();
  private final Map<String, List<WsContext>> connections = new ConcurrentHashMap<>();

  /** Mounts the WebSocket endpoint on {@code app}. */
  public void register(Javalin app) {
    app.ws(
        PATH,
        ws -> {
          ws.onConnect(this::connected);
          ws.onMessage(
              ctx -> LOG.debug("socket mode message from {}: {}", appOf(ctx), ctx.message()));
          ws.onClose(this::closed);
          ws.onError(this::closed);
        });
  }

  /**
   * A one-time URL for {@code appId} to connect to, under {@code origin} ({@code http://host:port},
   * answered as {@code ws://host:port}).
   */
  public String open(String appId, String origin) {
    Instant now = Instant.now();
    tickets.values().removeIf(t -> t.expires().isBefore(now));
    String ticket = Ids.random("abcdefghijklmnopqrstuvwxyz0123456789", 32);
    tickets.put(ticket, new Ticket(appId, now.plus(TICKET_LIFETIME)));
    return origin.replaceFirst("^http", "ws") + PATH + "?ticket=" + ticket;
  }

  /** Whether {@code appId} has a connection open. */
  public boolean connected(String appId) {
    List<WsContext> open = connections.get(appId);
    return open != null && !open.isEmpty();
  }

  /**
   * Sends the {@code event_callback} {@code envelope} to one of {@code appId}'s connections; false
   * when it has none.
   */
  public boolean deliver(String appId, ObjectNode envelope) {
    List<WsContext> open = connections.get(appId);
    Optional<WsContext> target =
        open == null ? Optional.empty() : open.stream().filter(c -> c.session.isOpen()).findFirst();
    if (target.isEmpty()) {
      return false;
    }
    ObjectNode message = JSON.createObjectNode();
    message.put("envelope_id", UUID.randomUUID().toString());
    message.set("payload", envelope);
    message.put("type", "events_api");
    message.put("accepts_response_payload", false);
    message.put("retry_attempt", 0);
    message.put("retry_reason", "");
    synchronized (target.get()) {
      target.get().send(message.toString());
    }
    return true;
  }

  private void connected(WsContext ctx) {
    String ticket = ctx.queryParam("ticket");
    Ticket found = ticket == null ? null : tickets.remove(ticket);
    if (found == null || found.expires().isBefore(Instant.now())) {
      ctx.closeSession(4001, "unknown or expired ticket: call apps.connections.open again");
      return;
    }
    ctx.attribute("app", found.appId());
    List<WsContext> open =
        connections.computeIfAbsent(found.appId(), k -> new CopyOnWriteArrayList<>());
    open.add(ctx);
    ctx.enableAutomaticPings(
        Duration.ofSeconds(10).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    ObjectNode hello = JSON.createObjectNode();
    hello.put("type", "hello");
    hello.put("num_connections", open.size());
    hello
        .putObject("debug_info")
        .put("host", "threadbare-local")
        .put("approximate_connection_time", 18060);
    hello.putObject("connection_info").put("app_id", found.appId());
    synchronized (ctx) {
      ctx.send(hello.toString());
    }
  }

  private static String appOf(WsContext ctx) {
    Object app = ctx.attribute("app");
    return app == null ? "?" : app.toString();
  }

  private void closed(WsContext ctx) {
    Object app = ctx.attribute("app");
    if (app != null) {
      List<WsContext> open = connections.get(app.toString());
      if (open != null) {
        open.remove(ctx);
      }
    }
  }

  /** Closes every connection. */
  public void close() {
    connections
        .values()
        .forEach(
            open ->
                open.forEach(
                    ctx -> {
                      try {
                        ctx.closeSession(1001, "the workspace is shutting down");
                      } catch (RuntimeException e) {
                        LOG.debug("closing a socket mode connection failed", e);
                      }
                    }));
    connections.clear();
  }
}
