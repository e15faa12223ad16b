package dev.threadbare.workspace.internal.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.threadbare.workspace.internal.events.SocketMode;
import dev.threadbare.workspace.internal.store.StoredApp;
import dev.threadbare.workspace.internal.store.WorkspaceStore;
import java.util.Map;

/**
 * The {@code apps.*} methods an app-level token ({@code xapp-}) may call: {@code
 * apps.connections.open}, which hands a registered app its Socket Mode URL. Thread-safe.
 */
final class AppsMethods {

  private final WorkspaceStore store;
  private final SocketMode socketMode;

  AppsMethods(ApiSupport support, SocketMode socketMode) {
    this.store = support.store();
    this.socketMode = socketMode;
  }

  /** Adds this family's methods to {@code methods}. */
  void addTo(Map<String, ApiMethod> methods) {
    methods.put("apps.connections.open", this::connectionsOpen);
  }

  private ObjectNode connectionsOpen(ApiCall call) {
    StoredApp app =
        store
            .appOfBot(call.caller().id())
            .orElseThrow(
                () ->
                    new ApiError(
                        SlackError.INVALID_AUTH,
                        "the token belongs to no app registered with `threadbare workspace"
                            + " add-app`"));
    ObjectNode out = Shapes.JSON.createObjectNode();
    out.put("url", socketMode.open(app.id(), call.origin()));
    return out;
  }
}
