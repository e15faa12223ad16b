package dev.threadbare.workspace.internal.ui;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.threadbare.workspace.internal.events.EventBus;
import dev.threadbare.workspace.internal.store.Channel;
import dev.threadbare.workspace.internal.store.WorkspaceStore;
import io.javalin.http.sse.SseClient;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The web UI's live feed: every signed-in browser holds a server-sent-events stream and receives
 * the events of the channels it may see (and ephemeral messages meant for its user). Thread-safe.
 */
final class LiveHub implements EventBus.Listener, AutoCloseable {

  private final WorkspaceStore store;
  private final Map<SseClient, String> clients = new ConcurrentHashMap<>();
  private final ScheduledExecutorService heartbeat =
      Executors.newSingleThreadScheduledExecutor(
          runnable ->
              Thread.ofPlatform().daemon().name("workspace-ui-heartbeat").unstarted(runnable));

  LiveHub(WorkspaceStore store) {
    this.store = store;
    // a comment every 15 s keeps idle streams open through Jetty's and proxies' idle timeouts
    var unused = heartbeat.scheduleAtFixedRate(this::beat, 15, 15, TimeUnit.SECONDS);
  }

  private void beat() {
    clients.forEach(
        (client, userId) -> {
          synchronized (client) {
            if (client.terminated()) {
              clients.remove(client);
            } else {
              client.sendComment("keep-alive");
            }
          }
        });
  }

  @Override
  public void close() {
    heartbeat.shutdownNow();
    clients.keySet().forEach(SseClient::close);
    clients.clear();
  }

  void add(SseClient client, String userId) {
    clients.put(client, userId);
    client.onClose(() -> clients.remove(client));
    synchronized (client) {
      client.sendEvent("hello", "{\"type\":\"hello\"}");
    }
  }

  @Override
  public void onEvent(Channel channel, ObjectNode event, String onlyFor) {
    String data = event.toString();
    clients.forEach(
        (client, userId) -> {
          if (onlyFor != null && !onlyFor.equals(userId)) {
            return;
          }
          if (channel.isPrivate() && !store.isMember(channel.id(), userId)) {
            return;
          }
          synchronized (client) {
            if (client.terminated()) {
              clients.remove(client);
            } else {
              client.sendEvent("slack", data);
            }
          }
        });
  }
}
