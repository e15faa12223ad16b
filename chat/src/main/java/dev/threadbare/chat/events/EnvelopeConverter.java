package dev.threadbare.chat.events;

import com.fasterxml.jackson.databind.JsonNode;
import dev.threadbare.core.journal.JournalEntry;
import java.util.List;

/**
 * Turns one Events API envelope into journal entries; in production core's {@code
 * SlackEvents::toEntries}, the one code path from an envelope to the journal. Pure and thread safe.
 * Throws an unchecked exception for an envelope it cannot read; the endpoint answers 400.
 */
@FunctionalInterface
public interface EnvelopeConverter {

  /** The entries the envelope records (empty for events threadbare does not journal). */
  List<JournalEntry> toEntries(JsonNode envelope);
}
