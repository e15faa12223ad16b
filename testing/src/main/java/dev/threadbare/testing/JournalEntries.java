package dev.threadbare.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.threadbare.core.chat.SlackTs;
import dev.threadbare.core.journal.EntryKind;
import dev.threadbare.core.journal.JournalEntry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Fluent builders of realistic {@link JournalEntry journal entries} for tests: the payloads have
 * the shape of Slack's Events API {@code event} objects, and are deterministic (the same calls give
 * byte-identical payloads, so replay tests can compare commit ids).
 *
 * <pre>{@code
 * JournalEntry root = JournalEntries.message("T1", "C1", "1700000000.000100")
 *     .user("U1").text("`app.py`\n```\nprint(1)\n```").richText().build();
 * JournalEntry reply = JournalEntries.message("T1", "C1", "1700000001.000200")
 *     .user("U2").thread("1700000000.000100").text("a reply").build();
 * JournalEntry edit = JournalEntries.message("T1", "C1", "1700000000.000100")
 *     .user("U1").text("new text").edited("1700000050.000000").build();
 * }</pre>
 *
 * <p>Stateless; each builder is a mutable, single-threaded object.
 */
public final class JournalEntries {

  static final ObjectMapper JSON = new ObjectMapper();

  private JournalEntries() {}

  /** A builder of one version of the message {@code ts} in {@code channel}. */
  public static MessageBuilder message(String team, String channel, String ts) {
    return new MessageBuilder(team, channel, ts);
  }

  /** The deletion of message {@code ts}, as a {@code message_deleted} event at {@code eventTs}. */
  public static JournalEntry deletion(String team, String channel, String ts, String eventTs) {
    requireTs(ts, "ts");
    requireTs(eventTs, "eventTs");
    ObjectNode event = JSON.createObjectNode();
    event.put("type", "message");
    event.put("subtype", "message_deleted");
    event.put("hidden", true);
    event.put("channel", channel);
    event.put("ts", eventTs);
    event.put("deleted_ts", ts);
    event.put("event_ts", eventTs);
    event.put("channel_type", "channel");
    return new JournalEntry(
        0,
        team,
        channel,
        ts,
        EntryKind.DELETION,
        "",
        null,
        null,
        SlackTs.instant(eventTs),
        write(event));
  }

  /** {@code user} added the reaction {@code name} (e.g. {@code "+1"}) to message {@code ts}. */
  public static JournalEntry reactionAdded(
      String team, String channel, String ts, String user, String name, String eventTs) {
    return reaction(EntryKind.REACTION_ADDED, team, channel, ts, user, name, eventTs);
  }

  /** {@code user} removed the reaction {@code name} from message {@code ts}. */
  public static JournalEntry reactionRemoved(
      String team, String channel, String ts, String user, String name, String eventTs) {
    return reaction(EntryKind.REACTION_REMOVED, team, channel, ts, user, name, eventTs);
  }

  private static JournalEntry reaction(
      EntryKind kind,
      String team,
      String channel,
      String ts,
      String user,
      String name,
      String eventTs) {
    requireTs(ts, "ts");
    requireTs(eventTs, "eventTs");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(name, "name");
    ObjectNode event = JSON.createObjectNode();
    event.put("type", kind == EntryKind.REACTION_ADDED ? "reaction_added" : "reaction_removed");
    event.put("user", user);
    event.put("reaction", name);
    ObjectNode item = event.putObject("item");
    item.put("type", "message");
    item.put("channel", channel);
    item.put("ts", ts);
    event.put("event_ts", eventTs);
    return new JournalEntry(
        0,
        team,
        channel,
        ts,
        kind,
        user + ":" + name + ":" + eventTs,
        null,
        user,
        SlackTs.instant(eventTs),
        write(event));
  }

  /** A user profile as seen at {@code seenAt}: {@code {"id","team_id","name","real_name"}}. */
  public static JournalEntry user(String team, String userId, String name, Instant seenAt) {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(name, "name");
    ObjectNode user = JSON.createObjectNode();
    user.put("id", userId);
    user.put("team_id", team);
    user.put("name", name);
    user.put("real_name", name);
    user.put("is_bot", false);
    user.putObject("profile").put("real_name", name).put("display_name", name);
    return new JournalEntry(
        0, team, "", "0", EntryKind.USER, userId, null, userId, seenAt, write(user));
  }

  /** A channel's description as seen at {@code seenAt}. */
  public static JournalEntry channel(
      String team, String channelId, String name, boolean isPrivate, Instant seenAt) {
    Objects.requireNonNull(channelId, "channelId");
    Objects.requireNonNull(name, "name");
    ObjectNode channel = JSON.createObjectNode();
    channel.put("id", channelId);
    channel.put("name", name);
    channel.put("is_channel", true);
    channel.put("is_private", isPrivate);
    String payload = write(channel);
    String version = UUID.nameUUIDFromBytes(payload.getBytes(StandardCharsets.UTF_8)).toString();
    return new JournalEntry(
        0, team, channelId, "0", EntryKind.CHANNEL, version, null, null, seenAt, payload);
  }

  /**
   * The content of file {@code fileId}, attached to message {@code ts}: {@code
   * {"id","name","title","mimetype","content_base64"}}.
   */
  public static JournalEntry fileContent(
      String team,
      String channel,
      String ts,
      String fileId,
      String name,
      String title,
      String mimetype,
      byte[] content) {
    requireTs(ts, "ts");
    Objects.requireNonNull(fileId, "fileId");
    Objects.requireNonNull(content, "content");
    ObjectNode file = JSON.createObjectNode();
    file.put("id", fileId);
    file.put("name", name);
    file.put("title", title);
    file.put("mimetype", mimetype);
    file.put("content_base64", Base64.getEncoder().encodeToString(content));
    return new JournalEntry(
        0,
        team,
        channel,
        ts,
        EntryKind.FILE_CONTENT,
        fileId,
        null,
        null,
        SlackTs.instant(ts),
        write(file));
  }

  /**
   * Slack's escaping of message {@code text}: {@code &}, {@code <} and {@code >} become {@code
   * &amp;}, {@code &lt;} and {@code &gt;}.
   */
  public static String slackEscape(String typed) {
    return typed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  static void requireTs(String ts, String parameter) {
    Objects.requireNonNull(ts, parameter);
    if (!SlackTs.isValid(ts)) {
      throw new IllegalArgumentException(
          parameter
              + " `"
              + ts
              + "` is not a Slack ts: expected seconds.micros, as 1700000000.000100");
    }
  }

  static String write(ObjectNode node) {
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render test payload " + node, e);
    }
  }

  /**
   * Builds one {@link EntryKind#MESSAGE} entry. Defaults: user {@code U0000000001}, empty text, no
   * thread, never edited, event time = the message ts (or the edit ts when edited).
   */
  public static final class MessageBuilder {
    private final String team;
    private final String channel;
    private final String ts;
    private String user = "U0000000001";
    private String botId;
    private String slackText = "";
    private String threadTs;
    private boolean broadcast;
    private String editedTs;
    private String editedBy;
    private Instant eventTime;
    private boolean richText;
    private String blocksJson;
    private final List<ObjectNode> files = new ArrayList<>();

    MessageBuilder(String team, String channel, String ts) {
      this.team = Objects.requireNonNull(team, "team");
      this.channel = Objects.requireNonNull(channel, "channel");
      requireTs(ts, "ts");
      this.ts = ts;
    }

    /** The author's user id. */
    public MessageBuilder user(String userId) {
      this.user = Objects.requireNonNull(userId, "userId");
      return this;
    }

    /** Makes this a bot message ({@code subtype bot_message}, {@code bot_id}), still by user. */
    public MessageBuilder bot(String botId) {
      this.botId = Objects.requireNonNull(botId, "botId");
      return this;
    }

    /**
     * The text as the user typed it; stored escaped as Slack does ({@link #slackEscape}), so {@code
     * a < b} is stored as {@code a &lt; b}.
     */
    public MessageBuilder text(String typed) {
      this.slackText = slackEscape(Objects.requireNonNull(typed, "typed"));
      return this;
    }

    /** The {@code text} field verbatim, already in Slack's escaped form. */
    public MessageBuilder slackText(String text) {
      this.slackText = Objects.requireNonNull(text, "text");
      return this;
    }

    /** Makes this a reply in the thread rooted at {@code rootTs}. */
    public MessageBuilder thread(String rootTs) {
      requireTs(rootTs, "rootTs");
      this.threadTs = rootTs;
      return this;
    }

    /** Marks a thread reply as also sent to the channel ({@code subtype thread_broadcast}). */
    public MessageBuilder broadcast() {
      this.broadcast = true;
      return this;
    }

    /**
     * Makes this the version edited at {@code editTs} (by the author): the entry's version and
     * event time become {@code editTs} and the payload carries {@code "edited"}.
     */
    public MessageBuilder edited(String editTs) {
      requireTs(editTs, "editTs");
      this.editedTs = editTs;
      return this;
    }

    /** As {@link #edited(String)}, by another user. */
    public MessageBuilder edited(String editTs, String editorId) {
      edited(editTs);
      this.editedBy = Objects.requireNonNull(editorId, "editorId");
      return this;
    }

    /** Overrides the event time (default: the ts, or the edit ts). */
    public MessageBuilder eventTime(Instant time) {
      this.eventTime = Objects.requireNonNull(time, "time");
      return this;
    }

    /**
     * Adds {@code rich_text} blocks derived from the text, as Slack's composer sends them: each
     * {@code ```} fenced part becomes a {@code rich_text_preformatted} element holding the
     * unescaped content (one newline after the opening and before the closing fence dropped), each
     * other part a {@code rich_text_section} with one plain text element. Simpler than Slack in one
     * way: inline code, links and mentions stay plain text (Slack splits them into styled
     * elements); pass {@link #blocks(String)} for exact shapes.
     */
    public MessageBuilder richText() {
      this.richText = true;
      this.blocksJson = null;
      return this;
    }

    /** Sets the {@code blocks} array verbatim (JSON text of an array). */
    public MessageBuilder blocks(String blocksArrayJson) {
      Objects.requireNonNull(blocksArrayJson, "blocksArrayJson");
      this.blocksJson = blocksArrayJson;
      this.richText = false;
      return this;
    }

    /**
     * Attaches a file share ({@code subtype file_share}, an entry of {@code files}); its content is
     * a separate {@link JournalEntries#fileContent} entry.
     */
    public MessageBuilder file(String fileId, String name, String title, String mimetype) {
      ObjectNode file = JSON.createObjectNode();
      file.put("id", Objects.requireNonNull(fileId, "fileId"));
      file.put("name", Objects.requireNonNull(name, "name"));
      file.put("title", Objects.requireNonNull(title, "title"));
      file.put("mimetype", Objects.requireNonNull(mimetype, "mimetype"));
      file.put("filetype", name.contains(".") ? name.substring(name.lastIndexOf('.') + 1) : "text");
      file.put("mode", "hosted");
      file.put(
          "url_private_download",
          "https://files.slack.com/files-pri/" + team + "-" + fileId + "/download/" + name);
      files.add(file);
      return this;
    }

    /** The payload this builder would store, as JSON text. */
    public String payload() {
      ObjectNode event = JSON.createObjectNode();
      event.put("type", "message");
      if (botId != null) {
        event.put("subtype", "bot_message");
        event.put("bot_id", botId);
      } else if (broadcast) {
        event.put("subtype", "thread_broadcast");
      } else if (!files.isEmpty()) {
        event.put("subtype", "file_share");
      }
      event.put("user", user);
      event.put("text", slackText);
      event.put("ts", ts);
      event.put("team", team);
      event.put("channel", channel);
      if (botId == null) {
        event.put(
            "client_msg_id",
            UUID.nameUUIDFromBytes(
                    (team + "/" + channel + "/" + ts).getBytes(StandardCharsets.UTF_8))
                .toString());
      }
      if (threadTs != null) {
        event.put("thread_ts", threadTs);
      }
      if (editedTs != null) {
        event
            .putObject("edited")
            .put("user", editedBy == null ? user : editedBy)
            .put("ts", editedTs);
      }
      if (!files.isEmpty()) {
        ArrayNode array = event.putArray("files");
        files.forEach(array::add);
        event.put("upload", false);
      }
      if (richText) {
        event.set("blocks", RichText.blocks(slackText, ts));
      } else if (blocksJson != null) {
        try {
          event.set("blocks", JSON.readTree(blocksJson));
        } catch (JsonProcessingException e) {
          throw new IllegalArgumentException(
              "blocks `" + blocksJson + "` is not JSON: pass the text of a JSON array", e);
        }
      }
      event.put("event_ts", editedTs != null ? editedTs : ts);
      event.put("channel_type", "channel");
      return write(event);
    }

    /** The journal entry (seq 0, as before an append). */
    public JournalEntry build() {
      Instant time =
          eventTime != null ? eventTime : SlackTs.instant(editedTs != null ? editedTs : ts);
      return new JournalEntry(
          0,
          team,
          channel,
          ts,
          EntryKind.MESSAGE,
          editedTs == null ? "" : editedTs,
          threadTs,
          user,
          time,
          payload());
    }
  }
}
