package dev.threadbare.chat.catchup;

import java.util.Map;

/**
 * What one catch-up run did. Immutable.
 *
 * @param team the workspace
 * @param messagesRead messages read from history, per channel id
 * @param journaled how many of those were new to the journal, per channel id
 * @param requests history requests made
 */
public record CatchUpReport(
    String team, Map<String, Integer> messagesRead, Map<String, Integer> journaled, int requests) {
  public CatchUpReport {
    messagesRead = Map.copyOf(messagesRead);
    journaled = Map.copyOf(journaled);
  }

  /** New journal entries over all channels. */
  public int totalJournaled() {
    return journaled.values().stream().mapToInt(Integer::intValue).sum();
  }
}
