package dev.threadbare.app.repo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.threadbare.app.DataDir;
import dev.threadbare.core.ThreadbareException;
import dev.threadbare.core.chat.SlackEvents;
import dev.threadbare.core.grammar.Problem;
import dev.threadbare.core.journal.JournalEntry;
import dev.threadbare.core.materialization.EntryOutcome;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads Slack Events API envelopes, one JSON object per line, into a data directory: each line
 * through {@link SlackEvents#toEntries}, appended to the journal in batches (durable when the
 * append returns), then materialized on a background thread while the next batch is read and
 * appended. A bad line is reported with its number and skipped; the rest goes in. Single use, not
 * thread safe.
 */
public final class JsonlIngester {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int LINES_PER_BATCH = 20_000;

  private final DataDir data;
  private final PrintWriter err;
  private final String source;
  private long lines;
  private long badLines;
  private long newEntries;
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong commits = new AtomicLong();

  /** Materializes while the next lines are parsed and made durable: one thread, in order. */
  private final ExecutorService materializing =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread thread = new Thread(r, "threadbare-ingest-materializer");
            thread.setDaemon(true);
            return thread;
          });

  private Future<?> materialized;

  /** An ingester into {@code data} that reports problems of {@code source} on {@code err}. */
  public JsonlIngester(DataDir data, String source, PrintWriter err) {
    this.data = data;
    this.source = source;
    this.err = err;
  }

  /** The result of one ingest. */
  public record Summary(long lines, long badLines, long newEntries, long commits, long refused) {}

  /** Ingests every line of {@code reader}. */
  public Summary ingest(BufferedReader reader) throws IOException {
    try {
      return ingestLines(reader);
    } finally {
      materializing.shutdownNow();
    }
  }

  private Summary ingestLines(BufferedReader reader) throws IOException {
    data.materializer().addListener(outcomes -> outcomes.forEach(this::report));
    List<JournalEntry> batch = new ArrayList<>();
    String line;
    while ((line = reader.readLine()) != null) {
      lines++;
      if (line.isBlank()) {
        continue;
      }
      try {
        JsonNode envelope = JSON.readTree(line);
        if (envelope == null || !envelope.isObject()) {
          throw new IllegalArgumentException("not a JSON object");
        }
        batch.addAll(SlackEvents.toEntries(envelope));
      } catch (JsonProcessingException e) {
        bad("malformed JSON (" + e.getOriginalMessage() + ")");
      } catch (ThreadbareException | IllegalArgumentException e) {
        bad(e.getMessage());
      }
      if (lines % LINES_PER_BATCH == 0) {
        flush(batch);
      }
    }
    flush(batch);
    awaitMaterialized();
    err.flush();
    return new Summary(lines, badLines, newEntries, commits.get(), refused.get());
  }

  private void bad(String why) {
    badLines++;
    err.println("threadbare: " + source + ":" + lines + ": " + why + "; line skipped");
  }

  /** Makes the batch durable, then materializes it in the background after the previous one. */
  private void flush(List<JournalEntry> batch) {
    if (!batch.isEmpty()) {
      newEntries += data.journal().append(batch).size();
      batch.clear();
    }
    awaitMaterialized();
    materialized = materializing.submit(() -> data.materializer().catchUp());
  }

  private void awaitMaterialized() {
    if (materialized == null) {
      return;
    }
    try {
      materialized.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("ingest interrupted while materializing", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(String.valueOf(e.getCause().getMessage()), e.getCause());
    }
  }

  private void report(EntryOutcome outcome) {
    commits.addAndGet(outcome.branches().size());
    boolean wasRefused = outcome.result() == EntryOutcome.Result.REFUSED;
    if (wasRefused) {
      refused.incrementAndGet();
    }
    for (Problem problem : outcome.problems()) {
      JournalEntry e = outcome.entry();
      err.println(
          "threadbare: message "
              + e.channel()
              + "/"
              + e.ts()
              + (wasRefused && problem.refusesChange() ? " refused: " : ": ")
              + problem.message());
    }
  }
}
