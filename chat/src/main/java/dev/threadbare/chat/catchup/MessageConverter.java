package dev.threadbare.chat.catchup;

import com.fasterxml.jackson.databind.JsonNode;
import dev.threadbare.core.journal.JournalEntry;
import java.util.List;

/**
 * Turns one message object read from history ({@code conversations.history} or {@code
 * conversations.replies}, the shape of an export's day file) into journal entries with the same
 * identity the live event would have had; in production core's {@code SlackEvents}' export
 * conversion. Pure and thread safe.
 */
@FunctionalInterface
public interface MessageConverter {

  /** The entries for {@code message}, read in {@code channel} of workspace {@code team}. */
  List<JournalEntry> toEntries(String team, String channel, JsonNode message);
}
