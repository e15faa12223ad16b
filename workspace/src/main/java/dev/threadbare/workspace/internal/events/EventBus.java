package dev.threadbare.workspace.internal.events;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.threadbare.workspace.internal.store.Channel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Fans every workspace event out to its listeners (the Events API delivery and the web UI's live
 * feed). Thread-safe; listeners must not block.
 */
public final class EventBus {

  /** Receives workspace events. */
  public interface Listener {
    /**
     * An event happened in {@code channel}. {@code onlyFor} is null for events everyone who can see
     * the channel may see, else the one user id an ephemeral message is for.
     */
    void onEvent(Channel channel, ObjectNode event, String onlyFor);
  }

  private final List<Listener> listeners = new CopyOnWriteArrayList<>();

  /** Adds {@code listener}. */
  public void subscribe(Listener listener) {
    listeners.add(listener);
  }

  /** Publishes a channel event to every listener. */
  public void publish(Channel channel, ObjectNode event) {
    for (Listener listener : listeners) {
      listener.onEvent(channel, event, null);
    }
  }

  /** Publishes an ephemeral message meant for {@code userId} only. */
  public void publishEphemeral(Channel channel, ObjectNode event, String userId) {
    for (Listener listener : listeners) {
      listener.onEvent(channel, event, userId);
    }
  }
}
