package dev.threadbare.chat.outbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.SlackApiTextResponse;
import com.slack.api.model.Message;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable outbox every outgoing Web API call goes through: a call is stored (SQLite {@code
 * DIR/outbox.db} or PostgreSQL) before anything is sent, then one drain thread sends calls in
 * enqueue order per channel, about one message a second per channel, within per-method budgets,
 * pausing a method for as long as Slack's {@code 429 Retry-After} says.
 *
 * <p>Each call moves {@code pending → sending → sent} (or {@code failed} for a refusal Slack will
 * repeat, such as {@code channel_not_found}); {@code sending} is stored before the request and
 * {@code sent} with Slack's result right after it, so a clean {@link #close} never loses or repeats
 * a call. After a crash between those two steps, a posted message is looked for by the idempotency
 * key it carries in its metadata before being resent; reactions and edits are idempotent. Thread
 * safe; {@link #start} the drain thread once, {@link #close} when done.
 */
public final class Outbox implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String METADATA_TYPE = "threadbare_outbox";
  private static final int BATCH = 500;

  /** Slack errors that mean the call already took effect. */
  private static final Set<String> ALREADY_DONE = Set.of("already_reacted");

  private final OutboxStore store;
  private final MethodsClient slack;
  private final RateLimiter limiter;
  private final Clock clock;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wake = lock.newCondition();
  private final AtomicLong rateLimitWaits = new AtomicLong();
  private final AtomicLong sentCount = new AtomicLong();

  /** True while a drain pass runs: its counters may lag the store until the pass ends. */
  private volatile boolean draining;

  private final AtomicLong failedCount = new AtomicLong();
  private final AtomicLong retries = new AtomicLong();
  private boolean signalled;
  private volatile boolean running;
  private volatile BooleanSupplier drainGate;
  private static final long GATED_WAIT_MILLIS = 250;
  private static final Duration GATED_WAIT = Duration.ofMillis(GATED_WAIT_MILLIS);
  private Thread drainer;

  private Outbox(OutboxStore store, MethodsClient slack, OutboxLimits limits, Clock clock) {
    this.store = store;
    this.slack = slack;
    this.limiter = new RateLimiter(limits);
    this.clock = clock;
  }

  /** An outbox stored in {@code directory/outbox.db}, sending through {@code slack}. */
  public static Outbox sqlite(
      Path directory, MethodsClient slack, OutboxLimits limits, Clock clock) {
    Objects.requireNonNull(directory, "directory");
    return new Outbox(
        OutboxStore.sqlite(directory),
        Objects.requireNonNull(slack, "slack"),
        Objects.requireNonNull(limits, "limits"),
        Objects.requireNonNull(clock, "clock"));
  }

  /**
   * An outbox stored in PostgreSQL (its own {@code outbox} table), sending through {@code slack}.
   */
  public static Outbox postgres(
      String jdbcUrl,
      String user,
      String password,
      MethodsClient slack,
      OutboxLimits limits,
      Clock clock) {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    return new Outbox(
        OutboxStore.postgres(jdbcUrl, user, password),
        Objects.requireNonNull(slack, "slack"),
        Objects.requireNonNull(limits, "limits"),
        Objects.requireNonNull(clock, "clock"));
  }

  /**
   * Stores {@code call} durably unless its key is already stored, and wakes the drain thread.
   *
   * @return whether the call was new
   */
  public boolean enqueue(OutgoingCall call) {
    Objects.requireNonNull(call, "call");
    boolean fresh = store.insert(call, encode(call), clock.millis());
    if (fresh) {
      signal();
    }
    return fresh;
  }

  /**
   * The bot's durable fact {@code name}: the value stored under it, storing {@code value} first if
   * there is none (so the first caller's value wins for good).
   */
  public String rememberOnce(String name, String value) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
    return store.rememberOnce(name, value);
  }

  /** Whether a call with {@code key} was ever enqueued (sent or not). */
  public boolean contains(String key) {
    return store.state(key).isPresent();
  }

  /** The state of the call with {@code key}: pending, sending, sent or failed. */
  public Optional<String> state(String key) {
    return store.state(key);
  }

  /**
   * Drains only while {@code gate} says so (the leading node of several sharing one PostgreSQL
   * outbox; the others only enqueue), looking at the table at least every {@value
   * #GATED_WAIT_MILLIS} ms since other nodes enqueue without waking this one. Call before {@link
   * #start}.
   */
  public Outbox drainingWhile(BooleanSupplier gate) {
    this.drainGate = Objects.requireNonNull(gate, "gate");
    return this;
  }

  /** Starts the drain thread; calls enqueued before are sent too. */
  public synchronized Outbox start() {
    if (drainer != null) {
      throw new IllegalStateException("outbox already started");
    }
    running = true;
    drainer = new Thread(this::drainLoop, "threadbare-outbox");
    drainer.setDaemon(true);
    drainer.start();
    return this;
  }

  /** Calls not yet sent (pending or in flight): the outbox depth metric. */
  public long depth() {
    return store.count(OutboxStore.PENDING) + store.count(OutboxStore.SENDING);
  }

  /** How many times a call had to wait because Slack answered 429. */
  public long rateLimitWaits() {
    return rateLimitWaits.get();
  }

  /** Calls sent since this outbox was opened. */
  public long sentCount() {
    return sentCount.get();
  }

  /** Calls Slack refused for good since this outbox was opened. */
  public long failedCount() {
    return failedCount.get();
  }

  /** Calls retried after a network or server failure since this outbox was opened. */
  public long retryCount() {
    return retries.get();
  }

  /** Waits until nothing is pending or in flight; returns whether that happened in time. */
  public boolean awaitDrained(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      // The store first, then the pass: a call marked sent counts once its pass has ended.
      if (depth() == 0 && !draining) {
        return true;
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return depth() == 0 && !draining;
  }

  /** Stops the drain thread after its call in flight, then closes the store. */
  @Override
  public void close() {
    Thread thread;
    synchronized (this) {
      running = false;
      thread = drainer;
    }
    signal();
    if (thread != null) {
      try {
        thread.join(TimeUnit.SECONDS.toMillis(30));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    store.close();
  }

  private void signal() {
    lock.lock();
    try {
      signalled = true;
      wake.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void drainLoop() {
    boolean firstPass = true;
    while (running) {
      Instant nextWake;
      BooleanSupplier gate = drainGate;
      if (gate != null && !gate.getAsBoolean()) {
        // Another node drains; when this one takes over, its first pass looks for the calls the
        // other left in flight before sending them again.
        firstPass = true;
        nextWake = clock.instant().plus(GATED_WAIT);
      } else {
        try {
          draining = true;
          try {
            nextWake = drainOnce(firstPass);
          } finally {
            draining = false;
          }
          firstPass = false;
        } catch (RuntimeException e) {
          LOG.error("outbox drain pass failed; retrying in a second", e);
          nextWake = clock.instant().plusSeconds(1);
        }
        if (gate != null
            && (nextWake == null || nextWake.isAfter(clock.instant().plus(GATED_WAIT)))) {
          nextWake = clock.instant().plus(GATED_WAIT); // other nodes enqueue without waking us
        }
      }
      lock.lock();
      try {
        if (!signalled && running) {
          long waitNanos =
              nextWake == null
                  ? TimeUnit.SECONDS.toNanos(5)
                  : Math.max(1, Duration.between(clock.instant(), nextWake).toNanos());
          wake.awaitNanos(waitNanos);
        }
        signalled = false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } finally {
        lock.unlock();
      }
    }
  }

  /** One pass over the unsent calls; returns when the next blocked one may go, or null. */
  private Instant drainOnce(boolean afterStart) {
    Instant nextWake = null;
    Set<String> blocked = new HashSet<>();
    for (OutboxStore.Row row : store.unsent(BATCH)) {
      if (!running) {
        return null;
      }
      if (blocked.contains(row.channel())) {
        continue; // an earlier call of this channel waits: keep the channel's order
      }
      Instant now = clock.instant();
      Instant ready = limiter.readyAt(row.channel(), row.method(), now);
      if (ready.isAfter(now)) {
        blocked.add(row.channel());
        nextWake = nextWake == null || ready.isBefore(nextWake) ? ready : nextWake;
        continue;
      }
      if (afterStart && OutboxStore.SENDING.equals(row.state()) && alreadyPosted(row)) {
        continue;
      }
      if (!send(row)) {
        blocked.add(row.channel());
        Instant retry = limiter.readyAt(row.channel(), row.method(), clock.instant());
        nextWake = nextWake == null || retry.isBefore(nextWake) ? retry : nextWake;
      }
    }
    return nextWake;
  }

  /** Sends one call; returns false when it must be retried later. */
  private boolean send(OutboxStore.Row row) {
    if (!store.markSending(row.id(), row.state())) {
      return true; // sent by another node meanwhile
    }
    Instant now = clock.instant();
    try {
      SlackApiTextResponse response = call(row);
      limiter.sent(row.channel(), row.method(), now);
      if (response.isOk() || ALREADY_DONE.contains(response.getError())) {
        store.markSent(row.id(), row.payload(), resultTs(response), clock.millis());
        sentCount.incrementAndGet();
        return true;
      }
      if ("ratelimited".equals(response.getError())) {
        rateLimitWaits.incrementAndGet();
        limiter.pause(row.method(), Duration.ofSeconds(1), clock.instant());
        store.markPending(row.id(), "ratelimited");
        return false;
      }
      LOG.warn(
          "Slack refused {} `{}` for {}: {}",
          row.method(),
          row.key(),
          row.channel(),
          response.getError());
      store.markFailed(row.id(), row.payload(), response.getError());
      failedCount.incrementAndGet();
      return true;
    } catch (SlackApiException e) {
      int code = e.getResponse().code();
      if (code == 429) {
        rateLimitWaits.incrementAndGet();
        Duration wait = retryAfter(e.getResponse().header("Retry-After"));
        limiter.pause(row.method(), wait, clock.instant());
        store.markPending(row.id(), "429 retry after " + wait.toSeconds() + "s");
        return false;
      }
      retries.incrementAndGet();
      limiter.backOff(row.channel(), row.attempts() + 1, clock.instant());
      store.markPending(row.id(), "HTTP " + code);
      return false;
    } catch (IOException | RuntimeException e) {
      retries.incrementAndGet();
      limiter.backOff(row.channel(), row.attempts() + 1, clock.instant());
      store.markPending(row.id(), String.valueOf(e.getMessage()));
      LOG.info("{} `{}` failed ({}); will retry", row.method(), row.key(), e.toString());
      return false;
    } catch (UnresolvedTargetException e) {
      store.markFailed(row.id(), row.payload(), e.getMessage());
      failedCount.incrementAndGet();
      return true;
    }
  }

  private SlackApiTextResponse call(OutboxStore.Row row)
      throws IOException, SlackApiException, UnresolvedTargetException {
    JsonNode p = decode(row.payload());
    String channel = row.channel();
    return switch (row.method()) {
      case "chat.postMessage" ->
          slack.chatPostMessage(
              r ->
                  r.channel(channel)
                      .threadTs(text(p, "thread_ts"))
                      .text(p.path("text").asText())
                      .metadata(
                          new Message.Metadata(
                              METADATA_TYPE, Map.<String, Object>of("key", row.key()))));
      case "chat.postEphemeral" ->
          slack.chatPostEphemeral(
              r ->
                  r.channel(channel)
                      .user(p.path("user").asText())
                      .threadTs(text(p, "thread_ts"))
                      .text(p.path("text").asText()));
      case "reactions.add" ->
          slack.reactionsAdd(
              r ->
                  r.channel(channel)
                      .timestamp(p.path("ts").asText())
                      .name(p.path("name").asText()));
      case "reactions.remove" ->
          slack.reactionsRemove(
              r ->
                  r.channel(channel)
                      .timestamp(p.path("ts").asText())
                      .name(p.path("name").asText()));
      case "chat.update" -> {
        String targetKey = p.path("target_key").asText();
        String ts =
            store
                .sentTs(targetKey)
                .orElseThrow(
                    () ->
                        new UnresolvedTargetException(
                            "chat.update `"
                                + row.key()
                                + "` edits `"
                                + targetKey
                                + "`, which was never posted"));
        yield slack.chatUpdate(r -> r.channel(channel).ts(ts).text(p.path("text").asText()));
      }
      default ->
          throw new UnresolvedTargetException(
              "outbox row `" + row.key() + "` has unknown method " + row.method());
    };
  }

  /** After a crash mid-send: was this message posted? If so it is marked sent. */
  private boolean alreadyPosted(OutboxStore.Row row) {
    if (!"chat.postMessage".equals(row.method())) {
      return false;
    }
    JsonNode p = decode(row.payload());
    String threadTs = text(p, "thread_ts");
    String oldest = String.valueOf(Math.max(0, row.enqueuedAt() / 1000 - 1));
    try {
      List<Message> messages =
          threadTs == null
              ? slack
                  .conversationsHistory(
                      r ->
                          r.channel(row.channel())
                              .oldest(oldest)
                              .limit(200)
                              .includeAllMetadata(true))
                  .getMessages()
              : slack
                  .conversationsReplies(
                      r ->
                          r.channel(row.channel())
                              .ts(threadTs)
                              .oldest(oldest)
                              .limit(200)
                              .includeAllMetadata(true))
                  .getMessages();
      if (messages == null) {
        return false;
      }
      for (Message m : messages) {
        if (m.getMetadata() != null
            && METADATA_TYPE.equals(m.getMetadata().getEventType())
            && m.getMetadata().getEventPayload() != null
            && row.key().equals(String.valueOf(m.getMetadata().getEventPayload().get("key")))) {
          store.markSent(row.id(), row.payload(), m.getTs(), clock.millis());
          sentCount.incrementAndGet();
          LOG.info("outbox `{}` was posted before a restart; not resending", row.key());
          return true;
        }
      }
    } catch (IOException | SlackApiException | RuntimeException e) {
      LOG.info("cannot check whether `{}` was posted ({}); resending", row.key(), e.toString());
    }
    return false;
  }

  private static String resultTs(SlackApiTextResponse response) {
    if (response instanceof com.slack.api.methods.response.chat.ChatPostMessageResponse r) {
      return r.getTs();
    }
    if (response instanceof com.slack.api.methods.response.chat.ChatUpdateResponse r) {
      return r.getTs();
    }
    if (response instanceof com.slack.api.methods.response.chat.ChatPostEphemeralResponse r) {
      return r.getMessageTs();
    }
    return null;
  }

  /**
   * Slack's {@code Retry-After} header as a wait: its seconds (at least one), or one second when
   * absent or unreadable.
   */
  public static Duration retryAfter(String header) {
    if (header != null) {
      try {
        long seconds = Long.parseLong(header.trim());
        if (seconds >= 0 && seconds <= 3600) {
          return Duration.ofSeconds(Math.max(seconds, 1));
        }
      } catch (NumberFormatException e) {
        // Not seconds (an HTTP date, say): fall through to the default.
      }
    }
    return Duration.ofSeconds(1);
  }

  private static String text(JsonNode payload, String field) {
    JsonNode node = payload.get(field);
    return node == null || node.isNull() ? null : node.asText();
  }

  static String encode(OutgoingCall call) {
    ObjectNode node = JSON.createObjectNode();
    switch (call) {
      case OutgoingCall.PostMessage m -> {
        node.put("thread_ts", m.threadTs());
        node.put("text", m.text());
      }
      case OutgoingCall.PostEphemeral m -> {
        node.put("user", m.user());
        node.put("thread_ts", m.threadTs());
        node.put("text", m.text());
      }
      case OutgoingCall.AddReaction r -> {
        node.put("ts", r.ts());
        node.put("name", r.name());
      }
      case OutgoingCall.RemoveReaction r -> {
        node.put("ts", r.ts());
        node.put("name", r.name());
      }
      case OutgoingCall.UpdateMessage u -> {
        node.put("target_key", u.targetKey());
        node.put("text", u.text());
      }
    }
    return node.toString();
  }

  private static JsonNode decode(String payload) {
    try {
      return JSON.readTree(payload);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("outbox payload is not JSON: " + payload, e);
    }
  }

  /** A chat.update whose target message was never posted. */
  private static final class UnresolvedTargetException extends Exception {
    private static final long serialVersionUID = 1L;

    UnresolvedTargetException(String message) {
      super(message);
    }
  }
}
