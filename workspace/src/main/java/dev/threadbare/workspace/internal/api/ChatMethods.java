package dev.threadbare.workspace.internal.api;

import static dev.threadbare.workspace.internal.api.ApiSupport.channelType;
import static dev.threadbare.workspace.internal.api.ApiSupport.checkLength;
import static dev.threadbare.workspace.internal.api.ApiSupport.jsonArray;
import static dev.threadbare.workspace.internal.api.ApiSupport.metadata;
import static dev.threadbare.workspace.internal.api.ApiSupport.permalink;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.threadbare.workspace.internal.events.EventBus;
import dev.threadbare.workspace.internal.store.Channel;
import dev.threadbare.workspace.internal.store.StoredMessage;
import dev.threadbare.workspace.internal.store.Timestamps;
import dev.threadbare.workspace.internal.store.User;
import dev.threadbare.workspace.internal.store.WorkspaceStore;
import java.util.Map;
import java.util.UUID;

/**
 * The {@code chat.*} methods: posting (also for file shares), editing, deleting, ephemeral messages
 * and permalinks. Thread-safe.
 */
final class ChatMethods {

  private final ApiSupport support;
  private final WorkspaceStore store;
  private final EventBus bus;
  private final Timestamps clock;
  private final Shapes shapes;

  ChatMethods(ApiSupport support) {
    this.support = support;
    this.store = support.store();
    this.bus = support.bus();
    this.clock = support.clock();
    this.shapes = support.shapes();
  }

  /** Adds this family's methods to {@code methods}. */
  void addTo(Map<String, ApiMethod> methods) {
    methods.put("chat.postMessage", this::chatPostMessage);
    methods.put("chat.update", this::chatUpdate);
    methods.put("chat.delete", this::chatDelete);
    methods.put("chat.postEphemeral", this::chatPostEphemeral);
    methods.put("chat.getPermalink", this::chatGetPermalink);
  }

  /** Stores and publishes a message; {@code files.completeUploadExternal} shares through it. */
  StoredMessage post(
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
    bus.publish(channel, support.messageEvent(channel, message, call.origin()));
    return message;
  }

  private ObjectNode chatPostMessage(ApiCall call) {
    Channel channel = support.visibleChannel(call, "channel");
    support.requireMember(call, channel);
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
    Channel channel = support.visibleChannel(call, "channel");
    StoredMessage before = support.liveMessage(channel, call.param("ts"));
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
    Channel channel = support.visibleChannel(call, "channel");
    StoredMessage before = support.liveMessage(channel, call.param("ts"));
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
    Channel channel = support.visibleChannel(call, "channel");
    support.requireMember(call, channel);
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
    ObjectNode event = support.messageEvent(channel, message, call.origin());
    event.put("is_ephemeral", true);
    bus.publishEphemeral(channel, event, target.id());
    ObjectNode out = Shapes.JSON.createObjectNode();
    out.put("message_ts", message.ts());
    return out;
  }

  private ObjectNode chatGetPermalink(ApiCall call) {
    Channel channel = support.visibleChannel(call, "channel");
    StoredMessage message = support.liveMessage(channel, call.param("message_ts"));
    ObjectNode out = Shapes.JSON.createObjectNode();
    out.put("channel", channel.id());
    out.put("permalink", permalink(call.origin(), message));
    return out;
  }
}
