package dev.threadbare.chat.bot;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.threadbare.chat.events.JournalListener;
import dev.threadbare.chat.events.SlashCommandHandler;
import dev.threadbare.chat.outbox.Outbox;
import dev.threadbare.chat.outbox.OutgoingCall;
import dev.threadbare.core.grammar.ChatGrammar;
import dev.threadbare.core.grammar.Command;
import dev.threadbare.core.grammar.ParsedMessage;
import dev.threadbare.core.grammar.Problem;
import dev.threadbare.core.journal.Journal;
import dev.threadbare.core.journal.JournalEntry;
import dev.threadbare.core.materialization.EntryOutcome;
import dev.threadbare.core.materialization.Materialization;
import dev.threadbare.core.review.MergeDecision;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bot's answers (DESIGN.md section 5): a reaction for each change (✅ taken, ❓ a code block
 * without a path, ❌ refused), reasons and help privately to the sender, one compact diff in the
 * thread when a file gets a new version, and one status message per channel that is edited rather
 * than reposted. Everything it says goes through the {@link Outbox}, keyed by the journal entry it
 * answers, so replaying entries never answers twice.
 *
 * <p>Once {@link #resume} has run, the bot keeps a durable cursor in the journal ({@value
 * #CURSOR}): the greatest seq up to which every entry has been answered (its answers enqueued).
 * Entries journaled but never handed to the bot (a crash between the journal's ack and the
 * hand-off) are answered on the next start by {@link #resume}.
 *
 * <p>History is not answered: the first {@link #resume} records when the bot was born ({@value
 * #BORN}, durably, beside the outbox; five minutes before that start, for clock skew), and entries
 * whose event happened before that — a channel's past, journaled by catch-up or imported from an
 * export — are materialized but get no reaction, diff or command answer. Entries after it,
 * including those journaled while the bot was down, are answered. A journal whose bot cursor
 * predates this rule answers everything, as before.
 *
 * <p>It answers from the {@link Materialization}'s outcomes: {@link #create} registers it as a
 * listener there, so it answers every entry whoever materialized it, and {@link #onJournaled}
 * drives the materializer (and recalls entries an earlier run materialized but never answered).
 *
 * <p>Thread safe; its only state beyond the outbox is that cursor. Register it as the intake's
 * {@link JournalListener} and as the {@code /threadbare} handler.
 */
public final class Bot implements JournalListener, SlashCommandHandler {

  private static final Logger LOG = LoggerFactory.getLogger(Bot.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Outbox outbox;
  private final Materialization materialization;
  private final ChatGrammar grammar;
  private final String botUserId;
  private volatile GitAccess gitAccess;
  private volatile MergeGate mergeGate = MergeGate.NONE;
  private volatile Clock clock = Clock.systemUTC();
  private volatile Instant answersFrom = Instant.MIN;

  /** The journal cursor name of the bot's progress. */
  public static final String CURSOR = "bot";

  /**
   * The name of the bot's durable fact (beside the outbox) that holds when it was born, in epoch
   * milliseconds (1: answer everything): events before it are history and are not answered.
   */
  public static final String BORN = "born";

  /**
   * Events this long before the bot's first start still count as live, not history: clock skew
   * between the chat and this host, and the message posted just before starting threadbare.
   */
  static final Duration LIVE_BEFORE_BIRTH = Duration.ofMinutes(5);

  private static final int RESUME_PAGE = 500;

  /**
   * Outcomes materialized while this node follows (another node's bot answers), by seq: answered
   * from here if this node leads before the leader's cursor passes them. Guarded by itself, as is
   * {@link #leading}.
   */
  private final TreeMap<Long, EntryOutcome> held = new TreeMap<>();

  private static final int MAX_HELD = 100_000;
  private boolean leading = true;

  private final Object progress = new Object();
  private Journal journal;
  private long cursor;
  private final TreeSet<Long> done = new TreeSet<>();

  private Bot(Outbox outbox, Materialization materialization, ChatGrammar grammar, String botUser) {
    this.outbox = outbox;
    this.materialization = materialization;
    this.grammar = grammar;
    this.botUserId = botUser;
  }

  /**
   * A bot answering the outcomes of {@code materialization} (it registers itself as a listener
   * there) through {@code outbox}; {@code botUserId} is the bot's own user (its messages are never
   * answered), or null when unknown.
   */
  public static Bot create(
      Outbox outbox, Materialization materialization, ChatGrammar grammar, String botUserId) {
    Bot bot =
        new Bot(
            Objects.requireNonNull(outbox, "outbox"),
            Objects.requireNonNull(materialization, "materialization"),
            Objects.requireNonNull(grammar, "grammar"),
            botUserId);
    materialization.addListener(bot::answerAll);
    return bot;
  }

  /** The clock that dates the bot's birth on its first {@link #resume} (tests move it). */
  public Bot withClock(Clock birthClock) {
    this.clock = Objects.requireNonNull(birthClock, "clock");
    return this;
  }

  /** Lets the {@code token} command issue personal git tokens through {@code access}. */
  public Bot issuingTokens(GitAccess access) {
    this.gitAccess = Objects.requireNonNull(access, "access");
    return this;
  }

  /**
   * Lets {@code gate} decide the merges that main's {@code [review]} gates; an accepted one is
   * recorded in the thread ({@link MergeDecision}), which is what merges.
   */
  public Bot gatingMerges(MergeGate gate) {
    this.mergeGate = Objects.requireNonNull(gate, "gate");
    return this;
  }

  /**
   * Answers every entry journaled after the bot's durable cursor (entries a crash kept from the
   * bot), then keeps the cursor advancing as batches are answered. Call once on start, before live
   * events flow; answering an entry twice is harmless (the outbox keys are idempotent). On a
   * journal the bot has never seen (no cursor) this is its birth: entries of events before now are
   * history and stay unanswered, now and on every later start.
   */
  public void resume(Journal source) {
    Objects.requireNonNull(source, "journal");
    long from = source.cursor(CURSOR);
    // No cursor: born now. A cursor but no birth: a bot from before this rule, which has answered
    // everything so far and goes on doing so.
    long now = Math.max(2, clock.millis() - LIVE_BEFORE_BIRTH.toMillis());
    long born = Long.parseLong(outbox.rememberOnce(BORN, Long.toString(from == 0 ? now : 1)));
    if (born == now) {
      LOG.info(
          "the bot starts answering at {}: chat history from before then is not answered",
          Instant.ofEpochMilli(born));
    }
    answersFrom = Instant.ofEpochMilli(born);
    synchronized (progress) {
      journal = source;
      cursor = from;
      done.headSet(from, true).clear();
    }
    long position = from;
    int replayed = 0;
    while (true) {
      List<JournalEntry> page = source.read(position, RESUME_PAGE);
      if (page.isEmpty()) {
        break;
      }
      onJournaled(page);
      replayed += page.size();
      position = page.get(page.size() - 1).seq();
    }
    if (replayed > 0) {
      LOG.info("answered {} journal entries after the bot's cursor {}", replayed, from);
    }
  }

  /**
   * Materializes what was journaled (the outcomes come back to the bot as a listener) and answers
   * what an earlier run materialized but never answered; then moves the cursor over {@code
   * entries}. When the materializer fails, the cursor stays and the entries are answered on resume.
   */
  @Override
  public void onJournaled(List<JournalEntry> entries) {
    try {
      materialization.catchUp();
      if (!leading()) {
        return; // the leader answers, and moves the shared cursor
      }
      for (JournalEntry entry : entries) {
        Optional<EntryOutcome> kept;
        synchronized (held) {
          kept = Optional.ofNullable(held.remove(entry.seq()));
        }
        kept.or(() -> materialization.recall(entry))
            .ifPresent(outcome -> answerAll(List.of(outcome)));
      }
    } catch (RuntimeException e) {
      LOG.warn("the materializer failed on {} entries: answered on resume", entries.size(), e);
      return;
    }
    advance(entries);
  }

  /**
   * Records {@code entries} as answered and moves the durable cursor over every entry answered
   * without a gap; a seq missing from the journal (a rolled-back sequence number) is no gap.
   */
  private void advance(List<JournalEntry> entries) {
    synchronized (progress) {
      for (JournalEntry entry : entries) {
        if (entry.seq() > cursor) {
          done.add(entry.seq());
        }
      }
      if (journal == null) {
        return;
      }
      long before = cursor;
      while (!done.isEmpty()) {
        if (done.first() == cursor + 1) {
          cursor = done.pollFirst();
          continue;
        }
        List<JournalEntry> next = journal.read(cursor, 1);
        if (!next.isEmpty() && done.remove(next.get(0).seq())) {
          cursor = next.get(0).seq();
          continue;
        }
        break;
      }
      if (cursor > before) {
        try {
          journal.saveCursor(CURSOR, cursor);
        } catch (RuntimeException e) {
          LOG.warn("could not save the bot's journal cursor {}", cursor, e);
        }
      }
    }
  }

  /**
   * Stops answering: another node leads (several nodes on one PostgreSQL journal, DESIGN.md section
   * 8). The outcomes this node's materializer makes meanwhile are kept until the leader's cursor
   * passes them, so that a takeover answers them in full (diffs included). Before {@link #resume},
   * so that a follower's start answers nothing.
   */
  public void follow() {
    synchronized (held) {
      leading = false;
    }
  }

  /**
   * Answers again, this node having become the leader: resumes from the shared cursor (what the
   * previous leader left unanswered, from the kept outcomes or by recall); the outbox's keys make
   * what the previous leader had already enqueued a no-op.
   */
  public void lead() {
    synchronized (held) {
      leading = true;
    }
    Journal source;
    synchronized (progress) {
      source = journal;
    }
    if (source != null) {
      resume(source);
    }
  }

  /** Whether this bot answers (the only or the leading node). */
  public boolean leading() {
    synchronized (held) {
      return leading;
    }
  }

  /** Keeps outcomes a following node made; drops what the leader has answered. */
  private boolean heldWhileFollowing(List<EntryOutcome> outcomes) {
    if (leading()) {
      return false;
    }
    Journal source;
    synchronized (progress) {
      source = journal;
    }
    long answered = source == null ? 0 : source.cursor(CURSOR);
    synchronized (held) {
      if (leading) {
        return false;
      }
      for (EntryOutcome outcome : outcomes) {
        if (outcome.entry().seq() > answered) {
          held.put(outcome.entry().seq(), outcome);
        }
      }
      held.headMap(answered, true).clear();
      while (held.size() > MAX_HELD) {
        held.pollFirstEntry(); // recall still answers it, without its diff
      }
      return true;
    }
  }

  /** Answers the outcomes the bot answers; see {@link #answers}. */
  private void answerAll(List<EntryOutcome> outcomes) {
    if (heldWhileFollowing(outcomes)) {
      return;
    }
    for (EntryOutcome outcome : outcomes) {
      if (answers(outcome)) {
        answer(outcome);
        actOn(outcome);
      } else if (outcome.fromBot() && !history(outcome.entry())) {
        // The bot's own merge decision can meet a conflict (main moved since it was asked).
        postConflicts(outcome);
      }
    }
  }

  /**
   * Whether the bot answers {@code outcome}: {@linkplain EntryOutcome#answerable() answerable}, not
   * the bot's own message, and not history (its event happened after the bot's birth). A shared
   * file's change lands when its content does and is answered on its message.
   */
  public boolean answers(EntryOutcome outcome) {
    JournalEntry entry = outcome.entry();
    return outcome.answerable()
        && !(botUserId != null && botUserId.equals(entry.user()))
        && !history(entry);
  }

  /** Whether the entry's event happened before the bot was born (the channel's past). */
  private boolean history(JournalEntry entry) {
    return entry.eventTime().isBefore(answersFrom);
  }

  private void answer(EntryOutcome outcome) {
    JournalEntry entry = outcome.entry();
    String id = identity(entry);
    String thread = entry.threadTs() != null ? entry.threadTs() : entry.ts();
    switch (outcome.result()) {
      case TAKEN -> {
        react(entry, BotReplies.TAKEN);
        String diff = BotReplies.diff(outcome.changes(), outcome.commit());
        if (diff != null) {
          outbox.enqueue(new OutgoingCall.PostMessage("diff:" + id, entry.channel(), thread, diff));
        }
        // Refused attachments are explained by the file downloader, which knows why.
        List<Problem> problems =
            outcome.problems().stream()
                .filter(p -> !Problem.BINARY_ATTACHMENT.equals(p.rule()) && !p.isMerge())
                .toList();
        if (!problems.isEmpty()) {
          tell(entry, "problems:" + id, BotReplies.problems(problems));
        }
        refreshStatusIfPosted(entry);
      }
      case NO_PATH -> {
        react(entry, BotReplies.NO_PATH);
        tell(entry, "nopath:" + id, BotReplies.noPath());
      }
      case REFUSED -> {
        react(entry, BotReplies.REFUSED);
        tell(entry, "refused:" + id, BotReplies.refused(outcome.problems()));
      }
      case NOTHING -> {}
    }
  }

  private void actOn(EntryOutcome outcome) {
    JournalEntry entry = outcome.entry();
    for (Command.Action action : outcome.actions()) {
      switch (action.name().toLowerCase(Locale.ROOT)) {
        case "help" -> tell(entry, "help:" + identity(entry), BotReplies.help());
        case "status" -> postStatus(entry.team(), entry.channel(), identity(entry));
        case "token" -> giveToken(entry);
        case "merge" -> answerMerge(outcome);
        default -> {
          // merge, deploy, promote, rollback: other pieces act on them.
        }
      }
    }
  }

  /**
   * Answers a {@code merge}: ✅ when main moved; the conflicts in one thread reply; the reason
   * privately when there was nothing to merge; and when main's settings gate it, the gate's
   * decision: recorded in the thread when accepted (that reply is what merges), told privately when
   * refused.
   */
  private void answerMerge(EntryOutcome outcome) {
    JournalEntry entry = outcome.entry();
    String id = identity(entry);
    if (outcome.branches().stream().anyMatch(b -> b.branch().equals("main"))) {
      react(entry, BotReplies.TAKEN);
      return;
    }
    if (postConflicts(outcome)) {
      return;
    }
    for (Problem problem : outcome.problems()) {
      switch (problem.rule()) {
        case Problem.MERGE_NOTHING, Problem.MERGE_SETTINGS ->
            tell(entry, "merge:" + id, problem.message());
        case Problem.MERGE_GATED -> gate(entry, id, problem);
        default -> {}
      }
    }
  }

  private void gate(JournalEntry entry, String id, Problem gated) {
    String thread = entry.threadTs();
    if (thread == null) {
      return;
    }
    String branch = "thread/" + thread;
    MergeGate.Decision decision;
    try {
      decision =
          mergeGate.decide(
              new MergeGate.Request(entry.team(), entry.channel(), thread, branch, entry.user()));
    } catch (RuntimeException e) {
      LOG.warn("the merge gate failed on {}", id, e);
      decision = new MergeGate.Refused("the gate could not be checked (" + e.getMessage() + ")");
    }
    switch (decision) {
      case MergeGate.Accepted accepted ->
          outbox.enqueue(
              new OutgoingCall.PostMessage(
                  "merge-decision:" + id,
                  entry.channel(),
                  thread,
                  MergeDecision.text(branch, accepted.approvers(), accepted.ciCommit())));
      case MergeGate.Refused refused ->
          tell(entry, "merge:" + id, BotReplies.mergeRefused(gated.message(), refused.reason()));
    }
  }

  /** Posts a merge's conflicts as one reply in its thread; whether there were any. */
  private boolean postConflicts(EntryOutcome outcome) {
    List<Problem> conflicts =
        outcome.problems().stream().filter(p -> Problem.MERGE_CONFLICT.equals(p.rule())).toList();
    JournalEntry entry = outcome.entry();
    if (conflicts.isEmpty() || entry.threadTs() == null) {
      return !conflicts.isEmpty();
    }
    outbox.enqueue(
        new OutgoingCall.PostMessage(
            "conflicts:" + identity(entry),
            entry.channel(),
            entry.threadTs(),
            BotReplies.conflicts(conflicts)));
    return true;
  }

  /**
   * Issues a personal git token to the asker and tells it to them alone; the outbox key makes a
   * redelivered {@code token} message tell no second token.
   */
  private void giveToken(JournalEntry entry) {
    GitAccess access = gitAccess;
    String key = "token:" + identity(entry);
    if (entry.user() == null || outbox.contains(key)) {
      return;
    }
    if (access == null) {
      tell(entry, key, BotReplies.tokenUnavailable());
      return;
    }
    GitAccess.Grant grant = access.issue(entry.user(), entry.channel());
    tell(entry, key, BotReplies.token(grant));
  }

  /** Posts the channel's status message the first time, then edits it. */
  void postStatus(String team, String channel, String trigger) {
    String text;
    try {
      text = BotReplies.status(materialization.status(team, channel));
    } catch (RuntimeException e) {
      text = BotReplies.statusUnavailable(e.getMessage());
    }
    String key = statusKey(team, channel);
    if (!outbox.enqueue(new OutgoingCall.PostMessage(key, channel, null, text))) {
      outbox.enqueue(new OutgoingCall.UpdateMessage(key + ":" + trigger, channel, key, text));
    }
  }

  private void refreshStatusIfPosted(JournalEntry entry) {
    if (outbox.contains(statusKey(entry.team(), entry.channel()))) {
      postStatus(entry.team(), entry.channel(), identity(entry));
    }
  }

  @Override
  public String answer(String team, String channel, String user, String text) {
    ObjectNode message = JSON.createObjectNode();
    message.put("type", "message");
    message.put("text", text == null ? "" : text);
    ParsedMessage parsed;
    try {
      parsed = grammar.parse(message, List.of());
    } catch (RuntimeException e) {
      return BotReplies.slashUnknown(text);
    }
    if (parsed.changesTree()) {
      return BotReplies.slashTreeCommand(text.strip());
    }
    for (Command command : parsed.commands()) {
      if (command instanceof Command.Action action) {
        switch (action.name().toLowerCase(Locale.ROOT)) {
          case "help" -> {
            return BotReplies.help();
          }
          case "status" -> {
            try {
              return BotReplies.status(materialization.status(team, channel));
            } catch (RuntimeException e) {
              return BotReplies.statusUnavailable(e.getMessage());
            }
          }
          case "token" -> {
            GitAccess access = gitAccess;
            return access == null
                ? BotReplies.tokenUnavailable()
                : BotReplies.token(access.issue(user, channel));
          }
          default -> {
            return BotReplies.slashAccepted(action.name());
          }
        }
      }
    }
    return text == null || text.isBlank() ? BotReplies.help() : BotReplies.slashUnknown(text);
  }

  private void react(JournalEntry entry, String name) {
    outbox.enqueue(OutgoingCall.AddReaction.to(entry, name));
  }

  private void tell(JournalEntry entry, String key, String text) {
    if (entry.user() == null) {
      return;
    }
    String thread = entry.threadTs();
    outbox.enqueue(
        new OutgoingCall.PostEphemeral(key, entry.channel(), entry.user(), thread, text));
  }

  private static String statusKey(String team, String channel) {
    return "status:" + team + ":" + channel;
  }

  private static String identity(JournalEntry entry) {
    return entry.team() + ":" + entry.channel() + ":" + entry.ts() + ":" + entry.version();
  }
}
