package dev.threadbare.chat.channels;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.response.conversations.ConversationsInfoResponse;
import dev.threadbare.core.chat.SlackEvents;
import dev.threadbare.core.journal.EntryKind;
import dev.threadbare.core.journal.JournalEntry;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Learns a channel's name the first time an entry names a channel this process has not seen named
 * ({@code conversations.info}), so {@code --channel NAME} works within a second of a channel's
 * creation rather than at the next catch-up. An intake enrichment step: returns the {@link
 * EntryKind#CHANNEL} entries to journal. Thread safe; looks each channel up at most once per
 * process (a failed lookup is left to catch-up).
 */
public final class ChannelNames implements UnaryOperator<List<JournalEntry>> {

  private static final Logger LOG = LoggerFactory.getLogger(ChannelNames.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final MethodsClient slack;
  private final String botToken;
  private final Clock clock;
  private final Set<String> known = ConcurrentHashMap.newKeySet();

  private ChannelNames(MethodsClient slack, String botToken, Clock clock) {
    this.slack = slack;
    this.botToken = botToken;
    this.clock = clock;
  }

  /** Looks channels up through {@code slack} with {@code botToken}. */
  public static ChannelNames create(MethodsClient slack, String botToken) {
    return new ChannelNames(
        Objects.requireNonNull(slack, "slack"),
        Objects.requireNonNull(botToken, "botToken"),
        Clock.systemUTC());
  }

  @Override
  public List<JournalEntry> apply(List<JournalEntry> entries) {
    List<JournalEntry> named = new ArrayList<>();
    for (JournalEntry entry : entries) {
      if (entry.kind() == EntryKind.CHANNEL && hasName(entry)) {
        known.add(entry.channel());
      }
    }
    for (JournalEntry entry : entries) {
      String channel = entry.channel();
      if (channel.isEmpty() || entry.kind() == EntryKind.USER || !known.add(channel)) {
        continue;
      }
      JournalEntry looked = lookUp(entry.team(), channel);
      if (looked != null) {
        named.add(looked);
      }
    }
    return named;
  }

  private JournalEntry lookUp(String team, String channel) {
    try {
      ConversationsInfoResponse info =
          slack.conversationsInfo(r -> r.token(botToken).channel(channel));
      if (!info.isOk() || info.getChannel() == null || info.getChannel().getName() == null) {
        LOG.info("conversations.info {}: {}; catch-up names it later", channel, info.getError());
        return null;
      }
      return SlackEvents.channelEntry(
          team,
          channel,
          info.getChannel().getName(),
          info.getChannel().isPrivate(),
          clock.instant());
    } catch (IOException | SlackApiException e) {
      LOG.info("conversations.info {} failed ({}); catch-up names it later", channel, e.toString());
      return null;
    }
  }

  private static boolean hasName(JournalEntry entry) {
    try {
      JsonNode payload = JSON.readTree(entry.payload());
      return !payload.path("name").asText("").isBlank();
    } catch (IOException e) {
      return false;
    }
  }
}
