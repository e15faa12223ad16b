package dev.threadbare.chat.events;

import com.fasterxml.jackson.databind.JsonNode;
import dev.threadbare.core.journal.Journal;
import dev.threadbare.core.journal.JournalEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one path from an event envelope (HTTP Events API, Socket Mode or catch-up) to the journal:
 * convert, append durably, then hand the new entries to listeners on a single background thread.
 *
 * <p>Thread safe: {@link #accept} may be called from many request threads at once. Retries and
 * duplicate deliveries are harmless because the journal skips entries whose identity it holds, and
 * listeners only hear of new entries. {@link #close} drains the hand-off queue.
 */
public final class EventIntake implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EventIntake.class);

  private final Journal journal;
  private final EnvelopeConverter converter;
  private final List<JournalListener> listeners = new CopyOnWriteArrayList<>();
  private final ExecutorService handOff =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "threadbare-chat-handoff");
            t.setDaemon(true);
            return t;
          });
  private final List<PendingAppend> queue = new ArrayList<>();
  private final ReentrantLock writeLock = new ReentrantLock();
  private boolean closed;
  private final List<UnaryOperator<List<JournalEntry>>> enrichments =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  private EventIntake(Journal journal, EnvelopeConverter converter) {
    this.journal = journal;
    this.converter = converter;
  }

  /** An intake appending to {@code journal}, converting envelopes with {@code converter}. */
  public static EventIntake create(Journal journal, EnvelopeConverter converter) {
    return new EventIntake(
        Objects.requireNonNull(journal, "journal"), Objects.requireNonNull(converter, "converter"));
  }

  /** Adds a listener told of every batch of new entries, in journal order. */
  public EventIntake onJournaled(JournalListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
    return this;
  }

  /**
   * Adds a step (steps run in order) on the hand-off thread before listeners hear of new entries,
   * which returns further entries to append (such as downloaded file contents); it runs after the
   * ack, so it may take its time.
   */
  public EventIntake enrichWith(UnaryOperator<List<JournalEntry>> step) {
    enrichments.add(Objects.requireNonNull(step, "step"));
    return this;
  }

  /**
   * Converts the envelope and appends its entries; returns once they are durable. Throws {@link
   * UnreadableEnvelopeException} when the converter cannot read the envelope (nothing is
   * journaled).
   *
   * @return the entries that were new
   */
  public List<JournalEntry> accept(JsonNode envelope) {
    List<JournalEntry> entries;
    try {
      entries = converter.toEntries(envelope);
    } catch (RuntimeException e) {
      throw new UnreadableEnvelopeException(
          "event envelope cannot be read ("
              + e.getMessage()
              + "): expected a Slack Events API"
              + " envelope with type, team_id and event",
          e);
    }
    return append(entries);
  }

  /**
   * Appends entries (from catch-up, say) durably and hands the new ones off; returns them.
   * Concurrent callers share one journal transaction (group commit): one disk sync acknowledges
   * every event that arrived while the previous sync ran.
   */
  public List<JournalEntry> append(List<JournalEntry> entries) {
    if (entries.isEmpty()) {
      return List.of();
    }
    PendingAppend pending = new PendingAppend(List.copyOf(entries));
    synchronized (queue) {
      if (closed) {
        throw new IllegalStateException("event intake is closed");
      }
      queue.add(pending);
    }
    // Group commit without a writer thread: whoever holds the write lock commits everything
    // queued so far; a caller whose entries a previous holder committed just returns.
    writeLock.lock();
    try {
      if (!pending.result().isDone()) {
        List<PendingAppend> batch;
        synchronized (queue) {
          batch = new ArrayList<>(queue);
          queue.clear();
        }
        commit(batch);
      }
    } finally {
      writeLock.unlock();
    }
    try {
      return pending.result().getNow(List.of());
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /** One caller's entries waiting to be committed. */
  private record PendingAppend(
      List<JournalEntry> entries, CompletableFuture<List<JournalEntry>> result) {
    PendingAppend(List<JournalEntry> entries) {
      this(entries, new CompletableFuture<>());
    }
  }

  private void commit(List<PendingAppend> batch) {
    List<JournalEntry> all = new ArrayList<>();
    batch.forEach(p -> all.addAll(p.entries()));
    List<JournalEntry> fresh;
    try {
      fresh = journal.append(all);
    } catch (RuntimeException e) {
      if (batch.size() == 1) {
        batch.get(0).result().completeExceptionally(e);
        return;
      }
      // One bad caller must not fail the others: commit them one by one.
      for (PendingAppend pending : batch) {
        commit(List.of(pending));
      }
      return;
    }
    // Hand each caller the fresh entries that came from its own list (identity comparison).
    List<JournalEntry> handOffBatch = List.copyOf(fresh);
    int cursor = 0;
    for (PendingAppend pending : batch) {
      List<JournalEntry> mine = new ArrayList<>();
      for (JournalEntry entry : pending.entries()) {
        if (cursor < fresh.size() && sameIdentity(entry, fresh.get(cursor))) {
          mine.add(fresh.get(cursor));
          cursor++;
        }
      }
      pending.result().complete(List.copyOf(mine));
    }
    if (!handOffBatch.isEmpty()) {
      try {
        handOff.execute(() -> deliver(handOffBatch));
      } catch (java.util.concurrent.RejectedExecutionException e) {
        LOG.warn(
            "closing: {} journaled entries not handed off (replay reaches them)", fresh.size());
      }
    }
  }

  private static boolean sameIdentity(JournalEntry a, JournalEntry b) {
    return a.team().equals(b.team())
        && a.channel().equals(b.channel())
        && a.ts().equals(b.ts())
        && a.kind() == b.kind()
        && a.version().equals(b.version());
  }

  private void deliver(List<JournalEntry> fresh) {
    List<JournalEntry> batch = fresh;
    try {
      List<JournalEntry> extra = new ArrayList<>();
      for (UnaryOperator<List<JournalEntry>> step : enrichments) {
        extra.addAll(step.apply(fresh));
      }
      if (!extra.isEmpty()) {
        List<JournalEntry> appended = journal.append(extra);
        batch = new ArrayList<>(fresh);
        batch.addAll(appended);
      }
    } catch (RuntimeException e) {
      LOG.warn(
          "enriching {} journal entries failed; listeners get them as they are", fresh.size(), e);
    }
    for (JournalListener listener : listeners) {
      try {
        listener.onJournaled(List.copyOf(batch));
      } catch (RuntimeException e) {
        LOG.warn("journal listener {} failed on {} entries", listener, batch.size(), e);
      }
    }
  }

  /** Waits until every batch handed off so far has reached the listeners (tests, shutdown). */
  public void awaitHandOff() {
    try {
      handOff.submit(() -> {}).get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("hand-off did not drain within 30 s", e);
    }
  }

  /**
   * Stops accepting entries and drains the hand-off queue (up to 30 s). Does not close the journal.
   */
  @Override
  public void close() {
    synchronized (queue) {
      closed = true;
    }
    handOff.shutdown();
    try {
      if (!handOff.awaitTermination(30, TimeUnit.SECONDS)) {
        handOff.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      handOff.shutdownNow();
    }
  }
}
