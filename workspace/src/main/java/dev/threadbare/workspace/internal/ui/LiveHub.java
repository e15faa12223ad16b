package dev.threadbare.workspace.internal.ui;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.threadbare.workspace.internal.events.EventBus;
import dev.threadbare.workspace.internal.store.Channel;
import dev.threadbare.workspace.internal.store.WorkspaceStore;
import io.javalin.http.sse.SseClient;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The web UI's live feed: every signed-in browser holds a server-sent-events stream and receives
 * the events of the channels it may see (and ephemeral messages meant for its user). Thread-safe.
 */
final class LiveHub implements EventBus.Listener {

  private final WorkspaceStore store;
  private final Map<SseClient, String> clients = new ConcurrentHashMap<>();

  LiveHub(WorkspaceStore store) {
    this.store = store;
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
