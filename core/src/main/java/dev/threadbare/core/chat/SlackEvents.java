package dev.threadbare.core.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.threadbare.core.journal.EntryKind;
import dev.threadbare.core.journal.JournalEntry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Turns Slack's event shapes into journal entries, following {@link EntryKind}: the one code path
 * for the HTTP Events API endpoint, Socket Mode and {@code threadbare ingest}. Stateless and thread
 * safe.
 *
 * <ul>
 *   <li>{@code message} events (plain, {@code bot_message}, thread replies, {@code
 *       thread_broadcast}, {@code file_share}, and any other subtype) become a {@link
 *       EntryKind#MESSAGE} of the event, version {@code edited.ts} or {@code ""};
 *   <li>{@code message_changed} (and {@code message_replied}) become a {@code MESSAGE} of the inner
 *       {@code message}; without {@code edited} (an unfurl) its version is {@code ""}, the same
 *       identity as the original, so appending it changes nothing;
 *   <li>{@code message_deleted} becomes a {@link EntryKind#DELETION} of {@code deleted_ts};
 *   <li>{@code reaction_added}/{@code reaction_removed} on a message become {@link
 *       EntryKind#REACTION_ADDED}/{@link EntryKind#REACTION_REMOVED}, version {@code
 *       user:reaction:event_ts};
 *   <li>{@code url_verification}, other envelope types and other event types give no entries.
 * </ul>
 *
 * @see <a href="https://api.slack.com/apis/events-api#callback-field">Events API envelope</a>
 */
public final class SlackEvents {
  private SlackEvents() {}

  /**
   * The journal entries one Events API envelope ({@code {"type":"event_callback","event":…}})
   * records; empty for envelopes and events the journal does not keep.
   *
   * @throws MalformedEventException naming the field when a kept event lacks a field or has it with
   *     the wrong type
   */
  public static List<JournalEntry> toEntries(JsonNode envelope) {
    Objects.requireNonNull(envelope, "envelope");
    if (!envelope.isObject()) {
      throw malformed("(envelope)", "is not a JSON object", envelope);
    }
    String type = requiredText(envelope, "type", "type");
    if (!type.equals("event_callback")) {
      return List.of();
    }
    JsonNode event = envelope.get("event");
    if (event == null || !event.isObject()) {
      throw malformed("event", "is missing or not an object", event);
    }
    String eventType = requiredText(event, "type", "event.type");
    return switch (eventType) {
      case "message" -> message(envelope, event);
      case "reaction_added" -> reaction(envelope, event, EntryKind.REACTION_ADDED);
      case "reaction_removed" -> reaction(envelope, event, EntryKind.REACTION_REMOVED);
      case "channel_created", "channel_rename", "group_rename" -> channelNamed(envelope, event);
      case "member_joined_channel" -> channelJoined(envelope, event);
      default -> List.of();
    };
  }

  /**
   * The {@link EntryKind#CHANNEL} entry of a channel as seen at {@code seenAt}: payload {@code
   * {"id","name","is_channel","is_private"}}, version a hash of it, so the same name seen by an
   * event and by catch-up is journaled once and a rename is a new entry. A null {@code name}
   * records only that the channel exists (its name is looked up).
   */
  public static JournalEntry channelEntry(
      String team, String channelId, String name, boolean isPrivate, Instant seenAt) {
    Objects.requireNonNull(team, "team");
    Objects.requireNonNull(channelId, "channelId");
    Objects.requireNonNull(seenAt, "seenAt");
    ObjectNode payload = JsonNodeFactory.instance.objectNode();
    payload.put("id", channelId);
    if (name != null) {
      payload.put("name", name);
    }
    payload.put("is_channel", true);
    payload.put("is_private", isPrivate);
    String text = payload.toString();
    return new JournalEntry(
        0,
        team,
        channelId,
        "0",
        EntryKind.CHANNEL,
        UUID.nameUUIDFromBytes(text.getBytes(StandardCharsets.UTF_8)).toString(),
        null,
        null,
        seenAt,
        text);
  }

  /** {@code channel_created} / {@code channel_rename}: the event carries the channel object. */
  private static List<JournalEntry> channelNamed(JsonNode envelope, JsonNode event) {
    JsonNode channel = event.get("channel");
    if (channel == null || !channel.isObject()) {
      throw malformed("event.channel", "is missing or not an object", channel);
    }
    String id = requiredText(channel, "id", "event.channel.id");
    String name = requiredText(channel, "name", "event.channel.name");
    boolean isPrivate =
        channel.path("is_private").asBoolean(false)
            || "group_rename".equals(event.path("type").asText());
    return List.of(
        channelEntry(team(envelope, event), id, name, isPrivate, eventTime(envelope, event)));
  }

  /**
   * {@code member_joined_channel}: the channel's id only; its name is looked up (the chat adapter
   * does, on the first event naming a channel it does not know).
   */
  private static List<JournalEntry> channelJoined(JsonNode envelope, JsonNode event) {
    String id = requiredText(event, "channel", "event.channel");
    boolean isPrivate = "G".equals(event.path("channel_type").asText());
    return List.of(
        channelEntry(team(envelope, event), id, null, isPrivate, eventTime(envelope, event)));
  }

  /**
   * The journal entry of one message of a Slack export's day file ({@code CHANNEL/YYYY-MM-DD.json}
   * holds an array of them). Its event time is the message's {@code edited.ts}, or its {@code ts}.
   *
   * @param team the workspace id (exports do not carry it on every message)
   * @param channelId the channel id, from the export's {@code channels.json}
   * @param message one element of the day file
   * @throws MalformedEventException naming the field when {@code ts} is missing or not a Slack ts
   */
  public static JournalEntry fromExportMessage(String team, String channelId, JsonNode message) {
    Objects.requireNonNull(team, "team");
    Objects.requireNonNull(channelId, "channelId");
    Objects.requireNonNull(message, "message");
    if (!message.isObject()) {
      throw malformed("(message)", "is not a JSON object", message);
    }
    if (channelId.isEmpty()) {
      throw new MalformedEventException(
          "channel", "export message has an empty channel id: pass the id from channels.json");
    }
    return messageEntry(team, channelId, message, "", null);
  }

  /**
   * The MESSAGE entry of one Slack message object, wherever it sits: {@code field} is its place in
   * the input for error messages ({@code "event"}, {@code "event.message"}, or empty for an
   * export's message). A null {@code eventTime} is the message's {@code edited.ts}, or its ts.
   */
  private static JournalEntry messageEntry(
      String team, String channel, JsonNode message, String field, Instant eventTime) {
    String prefix = field.isEmpty() ? "" : field + ".";
    String ts = requiredTs(message, "ts", prefix + "ts");
    String edited = editedTs(message, prefix + "edited.ts");
    return new JournalEntry(
        0,
        team,
        channel,
        ts,
        EntryKind.MESSAGE,
        edited == null ? "" : edited,
        threadTs(message, ts, prefix + "thread_ts"),
        optionalText(message, "user", prefix + "user"),
        eventTime != null ? eventTime : SlackTs.instant(edited == null ? ts : edited),
        message.toString());
  }

  private static List<JournalEntry> message(JsonNode envelope, JsonNode event) {
    String team = team(envelope, event);
    String channel = requiredText(event, "channel", "event.channel");
    Instant eventTime = eventTime(envelope, event);
    String subtype = optionalText(event, "subtype", "event.subtype");
    if ("message_changed".equals(subtype) || "message_replied".equals(subtype)) {
      JsonNode inner = event.get("message");
      if (inner == null || !inner.isObject()) {
        throw malformed("event.message", "is missing or not an object", inner);
      }
      return List.of(messageEntry(team, channel, inner, "event.message", eventTime));
    }
    if ("message_deleted".equals(subtype)) {
      String ts = requiredTs(event, "deleted_ts", "event.deleted_ts");
      JsonNode previous = event.path("previous_message");
      String threadTs =
          previous.isObject() ? threadTs(previous, ts, "event.previous_message.thread_ts") : null;
      String user =
          previous.isObject()
              ? optionalText(previous, "user", "event.previous_message.user")
              : null;
      return List.of(
          new JournalEntry(
              0,
              team,
              channel,
              ts,
              EntryKind.DELETION,
              "",
              threadTs,
              user,
              eventTime,
              event.toString()));
    }
    return List.of(messageEntry(team, channel, event, "event", eventTime));
  }

  private static List<JournalEntry> reaction(JsonNode envelope, JsonNode event, EntryKind kind) {
    JsonNode item = event.get("item");
    if (item == null || !item.isObject()) {
      throw malformed("event.item", "is missing or not an object", item);
    }
    if (!"message".equals(optionalText(item, "type", "event.item.type"))) {
      return List.of(); // reactions to files and file comments are not about messages
    }
    String team = team(envelope, event);
    String channel = requiredText(item, "channel", "event.item.channel");
    String ts = requiredTs(item, "ts", "event.item.ts");
    String user = requiredText(event, "user", "event.user");
    String reaction = requiredText(event, "reaction", "event.reaction");
    String eventTs = requiredTs(event, "event_ts", "event.event_ts");
    return List.of(
        new JournalEntry(
            0,
            team,
            channel,
            ts,
            kind,
            user + ":" + reaction + ":" + eventTs,
            null,
            user,
            eventTime(envelope, event),
            event.toString()));
  }

  private static String team(JsonNode envelope, JsonNode event) {
    String team = optionalText(envelope, "team_id", "team_id");
    if (team == null) {
      team = optionalText(event, "team", "event.team");
    }
    if (team == null) {
      throw new MalformedEventException(
          "team_id",
          "event envelope has no `team_id` (nor `event.team`): the workspace id is needed to"
              + " file the event");
    }
    return team;
  }

  /** {@code event_time} (seconds) of the envelope, else the event's {@code event_ts} or ts. */
  private static Instant eventTime(JsonNode envelope, JsonNode event) {
    JsonNode time = envelope.get("event_time");
    if (time != null && !time.isNull()) {
      if (time.isIntegralNumber() && time.canConvertToLong() && time.asLong() >= 0) {
        return Instant.ofEpochSecond(time.asLong());
      }
      if (time.isTextual() && time.asText().matches("\\d{1,12}")) {
        return Instant.ofEpochSecond(Long.parseLong(time.asText()));
      }
      throw malformed("event_time", "is not a number of seconds since the epoch", time);
    }
    String eventTs = optionalText(event, "event_ts", "event.event_ts");
    if (eventTs != null && SlackTs.isValid(eventTs)) {
      return SlackTs.instant(eventTs);
    }
    String ts = optionalText(event, "ts", "event.ts");
    if (ts != null && SlackTs.isValid(ts)) {
      return SlackTs.instant(ts);
    }
    throw new MalformedEventException(
        "event_time",
        "event has no `event_time`, `event.event_ts` or `event.ts`: cannot tell when it happened");
  }

  private static String threadTs(JsonNode message, String ts, String name) {
    String thread = optionalText(message, "thread_ts", name);
    if (thread == null || thread.equals(ts)) {
      return null;
    }
    if (!SlackTs.isValid(thread)) {
      throw malformed(name, "is not a Slack ts (seconds.micros, as 1700000000.000100)", thread);
    }
    return thread;
  }

  private static String editedTs(JsonNode message, String name) {
    JsonNode edited = message.get("edited");
    if (edited == null || edited.isNull()) {
      return null;
    }
    if (!edited.isObject()) {
      throw malformed(name.substring(0, name.length() - 3), "is not an object", edited);
    }
    return requiredTs(edited, "ts", name);
  }

  private static String requiredTs(JsonNode node, String field, String name) {
    String ts = requiredText(node, field, name);
    if (!SlackTs.isValid(ts)) {
      throw malformed(name, "is not a Slack ts (seconds.micros, as 1700000000.000100)", ts);
    }
    return ts;
  }

  private static String requiredText(JsonNode node, String field, String name) {
    String value = optionalText(node, field, name);
    if (value == null) {
      throw malformed(name, "is missing or empty", node.get(field));
    }
    return value;
  }

  /** The field's text, null when absent, JSON null or empty; wrong types are refused. */
  private static String optionalText(JsonNode node, String field, String name) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw malformed(name, "is not a string", value);
    }
    String text = value.asText();
    return text.isEmpty() ? null : text;
  }

  private static MalformedEventException malformed(String field, String problem, Object value) {
    String shown = String.valueOf(value);
    if (shown.length() > 80) {
      shown = shown.substring(0, 80) + "…";
    }
    return new MalformedEventException(
        field,
        "Slack event field `"
            + field
            + "` "
            + problem
            + " (got "
            + shown
            + "): is this a Slack Events API payload?");
  }
}
