package dev.threadbare.workspace.internal.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.threadbare.workspace.internal.store.Channel;
import dev.threadbare.workspace.internal.store.Reaction;
import dev.threadbare.workspace.internal.store.StoredFile;
import dev.threadbare.workspace.internal.store.StoredMessage;
import dev.threadbare.workspace.internal.store.ThreadStats;
import dev.threadbare.workspace.internal.store.User;
import dev.threadbare.workspace.internal.store.WorkspaceStore;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Renders stored users, channels, messages and files in Slack's JSON shapes (as the Slack SDK's
 * model classes read them). Stateless apart from the store it reads; thread-safe.
 */
public final class Shapes {

  static final ObjectMapper JSON = new ObjectMapper();

  private final WorkspaceStore store;
  private final String teamId;
  private final String appId;

  Shapes(WorkspaceStore store, String teamId, String appId) {
    this.store = store;
    this.teamId = teamId;
    this.appId = appId;
  }

  /** {@code users.info}'s {@code user} object for {@code user}. */
  public ObjectNode userJson(User user) {
    return user(user);
  }

  ObjectNode user(User user) {
    ObjectNode node = JSON.createObjectNode();
    node.put("id", user.id());
    node.put("team_id", teamId);
    node.put("name", user.name());
    node.put("deleted", false);
    node.put("color", "9f69e7");
    node.put("real_name", user.realName());
    node.put("tz", "Etc/UTC");
    node.put("tz_label", "Coordinated Universal Time");
    node.put("tz_offset", 0);
    ObjectNode profile = node.putObject("profile");
    profile.put("real_name", user.realName());
    profile.put("real_name_normalized", user.realName());
    profile.put("display_name", user.name());
    profile.put("display_name_normalized", user.name());
    profile.put("team", teamId);
    if (user.bot()) {
      profile.put("bot_id", user.botId());
      profile.put("api_app_id", appId);
      profile.put("always_active", true);
    }
    node.put("is_admin", user.admin());
    node.put("is_owner", user.admin());
    node.put("is_primary_owner", false);
    node.put("is_restricted", false);
    node.put("is_ultra_restricted", false);
    node.put("is_bot", user.bot());
    node.put("is_app_user", false);
    node.put("updated", user.created());
    node.put("is_email_confirmed", !user.bot());
    return node;
  }

  ObjectNode channel(Channel channel, String viewer) {
    ObjectNode node = JSON.createObjectNode();
    node.put("id", channel.id());
    node.put("name", channel.name());
    node.put("is_channel", true);
    node.put("is_group", false);
    node.put("is_im", false);
    node.put("is_mpim", false);
    node.put("is_private", channel.isPrivate());
    node.put("created", channel.created());
    node.put("is_archived", false);
    node.put("is_general", channel.general());
    node.put("unlinked", 0);
    node.put("name_normalized", channel.name());
    node.put("is_shared", false);
    node.put("is_org_shared", false);
    node.put("is_pending_ext_shared", false);
    node.putArray("pending_shared");
    node.put("context_team_id", teamId);
    node.put("updated", channel.created() * 1000);
    node.putNull("parent_conversation");
    node.put("creator", channel.creator());
    node.put("is_ext_shared", false);
    node.putArray("shared_team_ids").add(teamId);
    node.putArray("pending_connected_team_ids");
    node.put("is_member", viewer != null && store.isMember(channel.id(), viewer));
    ObjectNode topic = node.putObject("topic");
    topic.put("value", channel.topic());
    topic.put("creator", "");
    topic.put("last_set", 0);
    ObjectNode purpose = node.putObject("purpose");
    purpose.put("value", channel.purpose());
    purpose.put("creator", "");
    purpose.put("last_set", 0);
    node.putArray("previous_names");
    node.put("num_members", store.memberCount(channel.id()));
    return node;
  }

  /**
   * A message as {@code conversations.history} shows it ({@code withState}: reply counts and
   * reactions) or as events carry it (without).
   */
  ObjectNode message(StoredMessage m, String origin, boolean withState) {
    return message(m, origin, withState, false);
  }

  /**
   * {@link #message(StoredMessage, String, boolean)}, plus its {@code metadata} when {@code
   * withMetadata} (as {@code include_all_metadata=true} and chat.postMessage's answer show it).
   */
  ObjectNode message(StoredMessage m, String origin, boolean withState, boolean withMetadata) {
    ObjectNode node = JSON.createObjectNode();
    if (m.deleted()) {
      node.put("type", "message");
      node.put("subtype", "tombstone");
      node.put("text", "This message was deleted.");
      node.put("user", "USLACKBOT");
      node.put("hidden", true);
      node.put("ts", m.ts());
      node.put("thread_ts", m.ts());
      if (withState) {
        threadState(node, m);
      }
      return node;
    }
    User author = store.user(m.user()).orElse(null);
    if (author != null && author.bot()) {
      node.put("bot_id", author.botId());
    }
    node.put("type", "message");
    if (m.subtype() != null) {
      node.put("subtype", m.subtype());
    }
    node.put("text", m.text());
    node.put("user", m.user());
    node.put("ts", m.ts());
    if (author != null && author.bot()) {
      node.put("app_id", appId);
    }
    if (m.clientMsgId() != null) {
      node.put("client_msg_id", m.clientMsgId());
    }
    if (m.fileIds() == null) {
      // Slack's file_share messages carry no `team` (see the message_file_share capture)
      node.put("team", teamId);
    }
    if (author != null && author.bot()) {
      ObjectNode profile = node.putObject("bot_profile");
      profile.put("id", author.botId());
      profile.put("deleted", false);
      profile.put("name", author.name());
      profile.put("updated", author.created());
      profile.put("app_id", appId);
      profile.putObject("icons");
      profile.put("team_id", teamId);
    }
    if (m.editedTs() != null) {
      ObjectNode edited = node.putObject("edited");
      edited.put("user", m.editedBy());
      edited.put("ts", m.editedTs());
    }
    if (m.blocksJson() != null) {
      node.set("blocks", parse(m.blocksJson()));
    }
    if (m.attachmentsJson() != null) {
      node.set("attachments", parse(m.attachmentsJson()));
    }
    if (withMetadata && m.metadataJson() != null) {
      node.set("metadata", parse(m.metadataJson()));
    }
    if (m.fileIds() != null) {
      ArrayNode files = node.putArray("files");
      for (String id : m.fileIds().split(",", -1)) {
        store.file(id).ifPresent(f -> files.add(file(f, origin)));
      }
      node.put("upload", true);
      node.put("display_as_bot", false);
    }
    if (m.threadTs() != null) {
      node.put("thread_ts", m.threadTs());
      if (m.isReply()) {
        store
            .message(m.channel(), m.threadTs())
            .ifPresent(root -> node.put("parent_user_id", root.user()));
        if ("thread_broadcast".equals(m.subtype())) {
          store
              .message(m.channel(), m.threadTs())
              .ifPresent(root -> node.set("root", message(root, origin, withState)));
        }
      }
    }
    if (withState) {
      if (!m.isReply()) {
        threadState(node, m);
      }
      ArrayNode reactions = JSON.createArrayNode();
      for (Reaction reaction : store.reactions(m.channel(), m.ts())) {
        ObjectNode r = reactions.addObject();
        r.put("name", reaction.name());
        ArrayNode users = r.putArray("users");
        reaction.users().forEach(users::add);
        r.put("count", reaction.users().size());
      }
      if (!reactions.isEmpty()) {
        node.set("reactions", reactions);
      }
    }
    return node;
  }

  private void threadState(ObjectNode node, StoredMessage root) {
    ThreadStats stats = store.threadStats(root.channel(), root.ts());
    if (stats.replyCount() == 0) {
      return;
    }
    node.put("thread_ts", root.ts());
    node.put("reply_count", stats.replyCount());
    node.put("reply_users_count", stats.replyUsers().size());
    node.put("latest_reply", stats.latestReply());
    ArrayNode users = node.putArray("reply_users");
    stats.replyUsers().forEach(users::add);
    node.put("is_locked", false);
    node.put("subscribed", false);
  }

  ObjectNode file(StoredFile f, String origin) {
    ObjectNode node = JSON.createObjectNode();
    String encodedName = URLEncoder.encode(f.name(), StandardCharsets.UTF_8).replace("+", "%20");
    String base = origin + "/files-pri/" + teamId + "-" + f.id() + "/";
    node.put("id", f.id());
    node.put("created", f.created());
    node.put("timestamp", f.created());
    node.put("name", f.name());
    node.put("title", f.title());
    node.put("mimetype", f.mimetype());
    node.put("filetype", f.filetype());
    node.put("pretty_type", FileTypes.pretty(f.filetype()));
    node.put("user", f.user());
    node.put("user_team", teamId);
    node.put("editable", FileTypes.isText(f.mimetype()));
    node.put("size", f.size());
    node.put("mode", FileTypes.isText(f.mimetype()) ? "snippet" : "hosted");
    node.put("is_external", false);
    node.put("external_type", "");
    node.put("is_public", false);
    node.put("public_url_shared", false);
    node.put("display_as_bot", false);
    node.put("username", "");
    node.put("url_private", base + encodedName);
    node.put("url_private_download", base + "download/" + encodedName);
    node.put("permalink", origin + "/files/" + f.user() + "/" + f.id() + "/" + encodedName);
    node.put("file_access", "visible");
    ArrayNode channels = node.putArray("channels");
    ArrayNode groups = node.putArray("groups");
    node.putArray("ims");
    ObjectNode shares = JSON.createObjectNode();
    for (Map.Entry<String, String> share : store.fileShares(f.id())) {
      store
          .channel(share.getKey())
          .ifPresent(
              c -> {
                (c.isPrivate() ? groups : channels).add(c.id());
                ObjectNode kind =
                    shares.has(c.isPrivate() ? "private" : "public")
                        ? (ObjectNode) shares.get(c.isPrivate() ? "private" : "public")
                        : shares.putObject(c.isPrivate() ? "private" : "public");
                ArrayNode list =
                    kind.has(c.id()) ? (ArrayNode) kind.get(c.id()) : kind.putArray(c.id());
                ObjectNode entry = list.addObject();
                entry.putArray("reply_users");
                entry.put("reply_count", 0);
                entry.put("channel_name", c.name());
                entry.put("team_id", teamId);
                entry.put("share_user_id", f.user());
                entry.put("source", "UNKNOWN");
                entry.put("ts", share.getValue());
              });
    }
    if (!shares.isEmpty()) {
      node.set("shares", shares);
    }
    if (f.completed() && FileTypes.isText(f.mimetype())) {
      store
          .fileContent(f.id())
          .ifPresent(
              bytes -> {
                String text = new String(bytes, StandardCharsets.UTF_8);
                String[] lines = text.split("\n", -1);
                String preview =
                    String.join("\n", java.util.Arrays.copyOf(lines, Math.min(5, lines.length)));
                node.put("preview", preview);
                node.put(
                    "lines",
                    text.isEmpty() ? 0 : text.endsWith("\n") ? lines.length - 1 : lines.length);
                node.put("lines_more", Math.max(0, lines.length - 5));
                node.put("preview_is_truncated", lines.length > 5);
              });
    }
    node.put("has_rich_preview", false);
    return node;
  }

  static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored JSON is malformed: " + json, e);
    }
  }
}
