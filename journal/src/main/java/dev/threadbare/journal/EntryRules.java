package dev.threadbare.journal;

import dev.threadbare.core.journal.JournalEntry;
import java.util.ArrayList;
import java.util.List;

/**
 * The rules an entry must meet before it is stored, checked for a whole call before anything is
 * written. Stateless.
 */
final class EntryRules {

  private EntryRules() {}

  /** Returns a copy of {@code entries} once every entry meets the rules; else throws. */
  static List<JournalEntry> check(List<JournalEntry> entries) {
    if (entries == null) {
      throw new NullPointerException(
          "entries is null: pass a list of entries (an empty list appends nothing)");
    }
    List<JournalEntry> copy = new ArrayList<>(entries.size());
    for (int i = 0; i < entries.size(); i++) {
      JournalEntry entry = entries.get(i);
      String where = "entries[" + i + "]";
      if (entry == null) {
        throw new NullPointerException(where + " is null: every element must be an entry");
      }
      if (entry.team().isEmpty()) {
        throw new InvalidEntryException(
            where + " has an empty team: every entry belongs to a Slack team, such as T0123ABC");
      }
      if (entry.ts().isEmpty()) {
        throw new InvalidEntryException(
            where + " has an empty ts: use the message ts, or \"0\" for user and channel entries");
      }
      requireNoNul(where, "team", entry.team());
      requireNoNul(where, "channel", entry.channel());
      requireNoNul(where, "ts", entry.ts());
      requireNoNul(where, "version", entry.version());
      requireNoNul(where, "threadTs", entry.threadTs());
      requireNoNul(where, "user", entry.user());
      requireNoNul(where, "payload", entry.payload());
      copy.add(entry);
    }
    return copy;
  }

  private static void requireNoNul(String where, String field, String value) {
    if (value != null && value.indexOf('\0') >= 0) {
      throw new InvalidEntryException(
          where
              + "."
              + field
              + " contains a NUL character (U+0000) at index "
              + value.indexOf('\0')
              + ": the journal cannot store it; JSON writes it as \\u0000");
    }
  }
}
