package dev.threadbare.core.review;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.threadbare.core.chat.SlackMessages;
import dev.threadbare.core.chat.SlackTs;
import dev.threadbare.core.grammar.ChatGrammar;
import dev.threadbare.core.journal.EntryKind;
import dev.threadbare.core.journal.Journal;
import dev.threadbare.core.journal.JournalEntry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Approvals (DESIGN.md section 3), a pure function of the journal: a {@code :+1:} or {@code
 * :thumbsup:} reaction, with any skin tone ({@code +1::skin-tone-3}), from a person who is not an
 * author of the change, approves that message's commit; on a thread's root it approves the thread.
 * Removing the reaction removes the approval.
 *
 * <p>The rules where the design is silent, chosen so that an approval always covers the code the
 * approver saw:
 *
 * <ul>
 *   <li>Add and remove are ordered by their {@code event_ts}, not by arrival, so the same entries
 *       in any order give the same approvals.
 *   <li>A message's approval counts only if given at or after its current version (an edit after
 *       the 👍 needs a new 👍); a deleted message has none.
 *   <li>A thread's authors are the authors of its messages that change files (code blocks, {@code
 *       rm}/{@code mv}, attachments), root included; a thread approval counts only if given at or
 *       after the thread's newest change (a reply with code after the 👍 needs a new 👍).
 *   <li>Reactions of bots (users journaled with {@code is_bot}) never approve.
 * </ul>
 *
 * <p>Immutable once built; thread safe.
 */
public final class Approvals {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern THUMBS_UP = Pattern.compile("(\\+1|thumbsup)(::skin-tone-[2-6])?");

  private final Map<String, Message> messages;
  private final Map<String, Map<String, Reaction>> reactions;
  private final Set<String> bots;

  private Approvals(
      Map<String, Message> messages,
      Map<String, Map<String, Reaction>> reactions,
      Set<String> bots) {
    this.messages = messages;
    this.reactions = reactions;
    this.bots = bots;
  }

  /** Whether {@code name} (a reaction's name, without colons) is a thumbs-up. */
  public static boolean isApproval(String name) {
    return name != null && THUMBS_UP.matcher(name).matches();
  }

  /** The approvals in {@code entries} (any order). */
  public static Approvals of(Iterable<JournalEntry> entries) {
    Builder builder = new Builder();
    for (JournalEntry entry : entries) {
      builder.add(entry);
    }
    return builder.build();
  }

  /** The approvals of {@code channel} in the whole of {@code journal}. */
  public static Approvals of(Journal journal, String channel) {
    Objects.requireNonNull(journal, "journal");
    Objects.requireNonNull(channel, "channel");
    Builder builder = new Builder();
    journal.replay(
        0,
        entry -> {
          if (entry.kind() == EntryKind.USER || channel.equals(entry.channel())) {
            builder.add(entry);
          }
        });
    return builder.build();
  }

  /**
   * Who approves the commit of message {@code ts} in {@code channel}: its thumbs-up reactions from
   * people other than its author, given at or after its current version. Sorted user ids.
   */
  public SortedSet<String> ofMessage(String channel, String ts) {
    Message message = messages.get(key(channel, ts));
    SortedSet<String> approvers = new TreeSet<>();
    if (message == null || message.deleted) {
      return approvers;
    }
    for (String user : approversOn(channel, ts, message.versionTs)) {
      if (!user.equals(message.user)) {
        approvers.add(user);
      }
    }
    return approvers;
  }

  /**
   * Who approves the thread rooted at {@code rootTs}: thumbs-up reactions on the root from people
   * who wrote none of the thread's changes, given at or after its newest change. Sorted user ids.
   */
  public SortedSet<String> ofThread(String channel, String rootTs) {
    Message root = messages.get(key(channel, rootTs));
    SortedSet<String> approvers = new TreeSet<>();
    if (root == null || root.deleted) {
      return approvers;
    }
    Set<String> authors = new HashSet<>();
    String newest = root.versionTs;
    if (root.change && root.user != null) {
      authors.add(root.user);
    }
    for (Message m : messages.values()) {
      if (!m.deleted && m.change && m.channel.equals(channel) && rootTs.equals(m.threadTs)) {
        if (m.user != null) {
          authors.add(m.user);
        }
        if (SlackTs.ORDER.compare(m.versionTs, newest) > 0) {
          newest = m.versionTs;
        }
      }
    }
    for (String user : approversOn(channel, rootTs, newest)) {
      if (!authors.contains(user)) {
        approvers.add(user);
      }
    }
    return approvers;
  }

  /**
   * Who approves the commit a message made, for promoting or merging it: the message's own
   * approvals, and for a reply or a thread's root, its thread's. Sorted user ids.
   */
  public SortedSet<String> ofCommitOf(String channel, String ts) {
    SortedSet<String> all = ofMessage(channel, ts);
    Message message = messages.get(key(channel, ts));
    if (message != null && !message.deleted) {
      all.addAll(ofThread(channel, message.threadTs != null ? message.threadTs : ts));
    }
    return all;
  }

  private List<String> approversOn(String channel, String ts, String notBefore) {
    Map<String, Reaction> on = reactions.getOrDefault(key(channel, ts), Map.of());
    Set<String> users = new TreeSet<>();
    for (Reaction r : on.values()) {
      if (r.added && !bots.contains(r.user) && SlackTs.ORDER.compare(r.eventTs, notBefore) >= 0) {
        users.add(r.user);
      }
    }
    return new ArrayList<>(users);
  }

  private static String key(String channel, String ts) {
    return channel + "/" + ts;
  }

  /** One message as it stands: its author, thread, current version and whether it changes files. */
  private static final class Message {
    final String channel;
    String user;
    String threadTs;
    String versionTs;
    String editedTs = "";
    boolean change;
    boolean deleted;

    Message(String channel, String ts) {
      this.channel = channel;
      this.versionTs = ts;
    }
  }

  /** The newest event of one user's one reaction on one message. */
  private record Reaction(String user, String eventTs, long seq, boolean added) {}

  /** Folds entries, in any order, into approvals. Not thread safe. */
  private static final class Builder {
    private final Map<String, Message> messages = new HashMap<>();
    private final Map<String, Map<String, Reaction>> reactions = new HashMap<>();
    private final Set<String> bots = new HashSet<>();
    private final ChatGrammar grammar = ChatGrammar.create();

    void add(JournalEntry entry) {
      switch (entry.kind()) {
        case MESSAGE -> message(entry);
        case DELETION ->
            messages.computeIfAbsent(
                        key(entry.channel(), entry.ts()),
                        k -> new Message(entry.channel(), entry.ts()))
                    .deleted =
                true;
        case REACTION_ADDED, REACTION_REMOVED -> reaction(entry);
        case USER -> {
          JsonNode user = read(entry.payload());
          if (user != null && user.path("is_bot").asBoolean(false)) {
            bots.add(entry.version());
          }
        }
        default -> {}
      }
    }

    private void message(JournalEntry entry) {
      JsonNode payload = read(entry.payload());
      if (payload == null) {
        return;
      }
      Message m =
          messages.computeIfAbsent(
              key(entry.channel(), entry.ts()), k -> new Message(entry.channel(), entry.ts()));
      String edited = entry.version();
      if (m.user != null && compareEdits(edited, m.editedTs) < 0) {
        return; // an older version arriving late
      }
      m.editedTs = edited;
      m.versionTs = edited.isEmpty() ? entry.ts() : edited;
      m.user = entry.user() != null ? entry.user() : SlackMessages.user(payload);
      m.threadTs =
          entry.threadTs() != null && !entry.threadTs().equals(entry.ts())
              ? entry.threadTs()
              : null;
      if (SlackMessages.isBot(payload)) {
        m.change = false;
        return;
      }
      m.change = payload.path("files").size() > 0 || changesFiles(payload);
    }

    private boolean changesFiles(JsonNode payload) {
      try {
        return grammar.parse(payload, List.of()).changesTree();
      } catch (RuntimeException e) {
        return true; // a refused change still counts its author as one
      }
    }

    private static int compareEdits(String a, String b) {
      if (a.equals(b)) {
        return 0;
      }
      if (a.isEmpty()) {
        return -1;
      }
      if (b.isEmpty()) {
        return 1;
      }
      return SlackTs.ORDER.compare(a, b);
    }

    private void reaction(JournalEntry entry) {
      String[] parts = entry.version().split(":", -1);
      // version is user:name:event_ts, and a skin tone adds "::skin-tone-N" inside the name.
      if (parts.length < 3 || entry.user() == null) {
        return;
      }
      String user = entry.user();
      String eventTs = parts[parts.length - 1];
      String name =
          entry
              .version()
              .substring(user.length() + 1, entry.version().length() - eventTs.length() - 1);
      if (!isApproval(name) || !SlackTs.isValid(eventTs)) {
        return;
      }
      boolean added = entry.kind() == EntryKind.REACTION_ADDED;
      Reaction next = new Reaction(user, eventTs, entry.seq(), added);
      reactions
          .computeIfAbsent(key(entry.channel(), entry.ts()), k -> new HashMap<>())
          .merge(user + ":" + name, next, Builder::newer);
    }

    /** The later event wins; at the same event_ts a removal wins (the safe side). */
    private static Reaction newer(Reaction a, Reaction b) {
      int order = SlackTs.ORDER.compare(a.eventTs, b.eventTs);
      if (order != 0) {
        return order > 0 ? a : b;
      }
      return !a.added ? a : b;
    }

    Approvals build() {
      // A user approves when any of their thumbs-up variants is on: fold per user, keeping the
      // newest added one (its event_ts is what "given after the change" is checked against).
      Map<String, Map<String, Reaction>> perUser = new HashMap<>();
      for (Map.Entry<String, Map<String, Reaction>> on : reactions.entrySet()) {
        Map<String, Reaction> users = new HashMap<>();
        for (Reaction r : on.getValue().values()) {
          if (r.added) {
            users.merge(
                r.user, r, (x, y) -> SlackTs.ORDER.compare(x.eventTs, y.eventTs) >= 0 ? x : y);
          }
        }
        perUser.put(on.getKey(), users);
      }
      return new Approvals(Map.copyOf(messages), Map.copyOf(perUser), Set.copyOf(bots));
    }

    private static JsonNode read(String json) {
      try {
        return JSON.readTree(json);
      } catch (IOException e) {
        return null;
      }
    }
  }
}
