package dev.threadbare.workspace.internal.api;

import static dev.threadbare.workspace.internal.api.ApiSupport.permalink;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.threadbare.workspace.internal.events.EventBus;
import dev.threadbare.workspace.internal.store.Channel;
import dev.threadbare.workspace.internal.store.StoredMessage;
import dev.threadbare.workspace.internal.store.Timestamps;
import dev.threadbare.workspace.internal.store.WorkspaceStore;
import java.util.Map;
import java.util.regex.Pattern;

/** The {@code reactions.*} methods: adding, removing and reading emoji reactions. Thread-safe. */
final class ReactionsMethods {

  private static final Pattern EMOJI = Pattern.compile("[a-z0-9_+'\\-]+(::skin-tone-[2-6])?");

  private final ApiSupport support;
  private final WorkspaceStore store;
  private final EventBus bus;
  private final Timestamps clock;
  private final Shapes shapes;

  ReactionsMethods(ApiSupport support) {
    this.support = support;
    this.store = support.store();
    this.bus = support.bus();
    this.clock = support.clock();
    this.shapes = support.shapes();
  }

  /** Adds this family's methods to {@code methods}. */
  void addTo(Map<String, ApiMethod> methods) {
    methods.put("reactions.add", this::reactionsAdd);
    methods.put("reactions.remove", this::reactionsRemove);
    methods.put("reactions.get", this::reactionsGet);
  }

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
    Channel channel = support.visibleChannel(call, "channel");
    String name = emoji(call);
    StoredMessage message = support.liveMessage(channel, call.param("timestamp"));
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
    Channel channel = support.visibleChannel(call, "channel");
    String name = emoji(call);
    StoredMessage message = support.liveMessage(channel, call.param("timestamp"));
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
    Channel channel = support.visibleChannel(call, "channel");
    StoredMessage message = support.liveMessage(channel, call.param("timestamp"));
    ObjectNode out = Shapes.JSON.createObjectNode();
    out.put("type", "message");
    out.put("channel", channel.id());
    ObjectNode rendered = shapes.message(message, call.origin(), true);
    rendered.put("permalink", permalink(call.origin(), message));
    out.set("message", rendered);
    return out;
  }
}
