package dev.threadbare.chat.catchup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.slack.api.methods.MethodsClient;
import dev.threadbare.chat.events.EventIntake;
import dev.threadbare.chat.events.JournalListener;
import dev.threadbare.chat.outbox.Outbox;
import dev.threadbare.chat.outbox.OutgoingCall;
import dev.threadbare.core.chat.SlackEvents;
import dev.threadbare.core.chat.SlackTs;
import dev.threadbare.core.journal.EntryKind;
import dev.threadbare.core.journal.Journal;
import dev.threadbare.core.journal.JournalEntry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import okhttp3.FormBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles the journal with the chat after downtime: for every channel the bot is in, reads
 * {@code conversations.history} (and {@code conversations.replies} for threads with new replies)
 * from the newest message already journaled, within a request budget, and journals what it finds
 * through the same {@link EventIntake} as live events; identical identities make this harmless. It
 * says in the ops channel how far behind each channel was.
 *
 * <p>Thread safe; one run at a time. {@link #start} runs it now and then at an interval on its own
 * thread until {@link #close}.
 *
 * <p>Each run re-reads an {@link #OVERLAP} before the newest journaled top-level message (events
 * are delivered concurrently, so an older message may have been lost while a newer one was
 * journaled), and the replies of every thread in that stretch whose {@code latest_reply} is newer
 * than the newest reply journaled for it. Known gap: replies posted during downtime to threads
 * whose root is older than the overlap are found only by the live events that follow.
 */
public final class CatchUp implements JournalListener, AutoCloseable {

  /** Slack's allowance for apps outside the Marketplace: about one history request a minute. */
  public static final double DEFAULT_REQUESTS_PER_MINUTE = 1.0;

  private static final Logger LOG = LoggerFactory.getLogger(CatchUp.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int PAGE = 200;

  /** How far before the newest journaled message each run reads again. */
  public static final Duration OVERLAP = Duration.ofMinutes(10);

  private final Journal journal;
  private final EventIntake intake;
  private final MethodsClient slack;
  private final String botToken;
  private final MessageConverter converter;
  private final RequestBudget budget;
  private final Outbox opsOutbox;
  private final String opsChannel;
  private final Clock clock;
  private final Map<String, String> newestByChannel = new ConcurrentHashMap<>();
  private final Map<String, String> newestReplyByThread = new ConcurrentHashMap<>();
  private long seenSeq;

  /**
   * Guards the scheduler, apart from the monitor {@link #runOnce} holds while it waits for its
   * request budget (a minute a request on real Slack): {@link #close} must not wait for that.
   */
  private final Object lifecycle = new Object();

  private volatile boolean closed;
  private ScheduledExecutorService scheduler;
  private java.util.concurrent.ScheduledFuture<?> scheduled;

  private CatchUp(Builder b) {
    this.journal = b.journal;
    this.intake = b.intake;
    this.slack = b.slack;
    this.botToken = b.botToken;
    this.converter = b.converter;
    this.budget = new RequestBudget(b.requestsPerMinute);
    this.opsOutbox = b.opsOutbox;
    this.opsChannel = b.opsChannel;
    this.clock = b.clock;
  }

  /** Starts describing a catch-up; every argument here is required. */
  public static Builder builder(
      Journal journal,
      EventIntake intake,
      MethodsClient slack,
      String botToken,
      MessageConverter converter) {
    return new Builder(journal, intake, slack, botToken, converter);
  }

  /**
   * Remembers the newest journaled message of each channel as live events arrive (optional: each
   * run also reads the journal from where the previous one stopped).
   */
  @Override
  public void onJournaled(List<JournalEntry> entries) {
    for (JournalEntry entry : entries) {
      note(entry);
    }
  }

  private void note(JournalEntry entry) {
    if (entry.kind() == EntryKind.MESSAGE && SlackTs.isValid(entry.ts())) {
      boolean reply = entry.threadTs() != null && !entry.threadTs().equals(entry.ts());
      String key = entry.team() + ":" + entry.channel() + (reply ? ":" + entry.threadTs() : "");
      (reply ? newestReplyByThread : newestByChannel)
          .merge(key, entry.ts(), (a, b) -> SlackTs.ORDER.compare(a, b) >= 0 ? a : b);
    }
  }

  /** Runs catch-up once, now, on the calling thread. */
  public synchronized CatchUpReport runOnce() {
    // Read what was journaled since the last run (live events included), so each channel's
    // newest message is known without registering this as a listener.
    journal.replay(
        seenSeq,
        entry -> {
          note(entry);
          seenSeq = Math.max(seenSeq, entry.seq());
        });
    JsonNode auth = call("auth.test", Map.of());
    String team = auth.path("team_id").asText();
    String ownUser = auth.path("user_id").asText("");
    Map<String, Integer> read = new LinkedHashMap<>();
    Map<String, Integer> journaled = new LinkedHashMap<>();
    int[] requests = {0};
    List<JsonNode> channels = memberChannels();
    intake.append(describe(team, channels));
    intake.append(people(team));
    for (JsonNode channelNode : channels) {
      String channel = channelNode.path("id").asText();
      String newest = newestByChannel.get(team + ":" + channel);
      List<JsonNode> messages = history(team, channel, newest, requests);
      List<JournalEntry> entries = new ArrayList<>();
      for (JsonNode message : messages) {
        entries.addAll(converter.toEntries(team, channel, message));
      }
      entries.sort(Comparator.comparing(JournalEntry::ts, SlackTs.ORDER));
      List<JournalEntry> fresh = intake.append(entries);
      fresh.forEach(this::note);
      // The bot's own messages (its ops reports among them) are journaled but not reported on,
      // or each report would cause the next. What was read again (the overlap) is not news.
      int missed = (int) fresh.stream().filter(e -> !ownUser.equals(e.user())).count();
      read.put(channel, messages.size());
      journaled.put(channel, fresh.size());
      if (missed > 0) {
        report(team, channel, newest, missed, true);
      }
    }
    return new CatchUpReport(team, read, journaled, requests[0]);
  }

  /** Runs catch-up now and then every {@code interval}, on a background thread. */
  public CatchUp start(Duration interval) {
    synchronized (lifecycle) {
      return startLocked(interval);
    }
  }

  private CatchUp startLocked(Duration interval) {
    if (closed) {
      throw new IllegalStateException("catch-up is closed");
    }
    if (scheduler != null) {
      throw new IllegalStateException("catch-up already started");
    }
    scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "threadbare-catchup");
              t.setDaemon(true);
              return t;
            });
    scheduled =
        scheduler.scheduleWithFixedDelay(
            () -> {
              try {
                CatchUpReport report = runOnce();
                LOG.info("catch-up journaled {} entries", report.totalJournaled());
              } catch (RuntimeException e) {
                LOG.warn("catch-up failed; next try in {}", interval, e);
              }
            },
            0,
            interval.toMillis(),
            TimeUnit.MILLISECONDS);
    return this;
  }

  /**
   * Stops the background runs within a few seconds: a run waiting for its request budget or for
   * Slack's {@code Retry-After} is interrupted (what it journaled so far stays journaled; the next
   * start catches up the rest). Does not wait for the run's monitor. Idempotent.
   */
  @Override
  public void close() {
    ScheduledExecutorService stopping;
    synchronized (lifecycle) {
      closed = true;
      if (scheduled != null) {
        scheduled.cancel(true);
      }
      stopping = scheduler;
      if (stopping != null) {
        stopping.shutdownNow();
      }
    }
    if (stopping != null) {
      try {
        if (!stopping.awaitTermination(5, TimeUnit.SECONDS)) {
          LOG.warn("catch-up did not stop within 5 s; leaving it to finish its current call");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * {@link EntryKind#CHANNEL} entries for the channels as seen now (id, name, privacy), so
   * repositories carry the channel's name; a rename gives a new payload and so a new entry.
   */
  private List<JournalEntry> describe(String team, List<JsonNode> channels) {
    List<JournalEntry> entries = new ArrayList<>();
    for (JsonNode channel : channels) {
      entries.add(
          SlackEvents.channelEntry(
              team,
              channel.path("id").asText(),
              channel.path("name").asText(),
              channel.path("is_private").asBoolean(false),
              clock.instant()));
    }
    return entries;
  }

  /**
   * {@link EntryKind#USER} entries for the workspace's people as seen now, so commits carry their
   * names. The identity is the user id: the first profile journaled names the user for good, which
   * keeps commit ids a function of the journal.
   */
  private List<JournalEntry> people(String team) {
    List<JournalEntry> entries = new ArrayList<>();
    String cursor = "";
    do {
      Map<String, String> params = new HashMap<>();
      params.put("limit", "200");
      if (!cursor.isEmpty()) {
        params.put("cursor", cursor);
      }
      JsonNode page = call("users.list", params);
      for (JsonNode user : page.path("members")) {
        String id = user.path("id").asText("");
        if (!id.isEmpty()) {
          entries.add(
              new JournalEntry(
                  0,
                  team,
                  "",
                  "0",
                  EntryKind.USER,
                  id,
                  null,
                  id,
                  clock.instant(),
                  user.toString()));
        }
      }
      cursor = page.path("response_metadata").path("next_cursor").asText("");
    } while (!cursor.isEmpty());
    return entries;
  }

  private List<JsonNode> memberChannels() {
    List<JsonNode> channels = new ArrayList<>();
    String cursor = "";
    do {
      Map<String, String> params = new HashMap<>();
      params.put("types", "public_channel,private_channel");
      params.put("exclude_archived", "true");
      params.put("limit", "200");
      if (!cursor.isEmpty()) {
        params.put("cursor", cursor);
      }
      JsonNode page = call("conversations.list", params);
      for (JsonNode channel : page.path("channels")) {
        if (channel.path("is_member").asBoolean(false) && !channel.path("id").asText().isEmpty()) {
          channels.add(channel);
        }
      }
      cursor = page.path("response_metadata").path("next_cursor").asText("");
    } while (!cursor.isEmpty());
    return channels;
  }

  /** {@code ts} less the overlap, as a Slack ts; null stays null. */
  private static String overlapped(String ts) {
    if (ts == null) {
      return null;
    }
    long micros = Math.max(0, SlackTs.micros(ts) - OVERLAP.toNanos() / 1000);
    return String.format(Locale.ROOT, "%d.%06d", micros / 1_000_000, micros % 1_000_000);
  }

  private List<JsonNode> history(String team, String channel, String newest, int[] requests) {
    String oldest = overlapped(newest);
    List<JsonNode> messages = new ArrayList<>();
    List<JsonNode> threadRoots = new ArrayList<>();
    String cursor = "";
    do {
      Map<String, String> params = new HashMap<>();
      params.put("channel", channel);
      params.put("limit", String.valueOf(PAGE));
      if (oldest != null) {
        params.put("oldest", oldest);
      }
      if (!cursor.isEmpty()) {
        params.put("cursor", cursor);
      }
      JsonNode page = budgeted("conversations.history", params, requests);
      for (JsonNode message : page.path("messages")) {
        messages.add(message);
        String known =
            newestReplyByThread.get(team + ":" + channel + ":" + message.path("ts").asText());
        if (message.path("reply_count").asInt(0) > 0
            && (known == null
                || !SlackTs.isValid(message.path("latest_reply").asText())
                || SlackTs.ORDER.compare(message.path("latest_reply").asText(), known) > 0)) {
          threadRoots.add(message);
        }
      }
      cursor = page.path("response_metadata").path("next_cursor").asText("");
    } while (!cursor.isEmpty());
    for (JsonNode root : threadRoots) {
      String rootTs = root.path("ts").asText();
      String repliesFrom = overlapped(newestReplyByThread.get(team + ":" + channel + ":" + rootTs));
      String replyCursor = "";
      do {
        Map<String, String> params = new HashMap<>();
        params.put("channel", channel);
        params.put("ts", rootTs);
        params.put("limit", String.valueOf(PAGE));
        if (repliesFrom != null) {
          params.put("oldest", repliesFrom);
        }
        if (!replyCursor.isEmpty()) {
          params.put("cursor", replyCursor);
        }
        JsonNode page = budgeted("conversations.replies", params, requests);
        for (JsonNode reply : page.path("messages")) {
          if (!rootTs.equals(reply.path("ts").asText())) {
            messages.add(reply);
          }
        }
        replyCursor = page.path("response_metadata").path("next_cursor").asText("");
      } while (!replyCursor.isEmpty());
    }
    return messages;
  }

  private JsonNode budgeted(String method, Map<String, String> params, int[] requests) {
    while (true) {
      if (closed || !budget.acquire()) {
        throw new CatchUpException("catch-up interrupted while waiting for its request budget");
      }
      requests[0]++;
      try {
        return call(method, params);
      } catch (RateLimitedException e) {
        LOG.info("{} rate limited; waiting {}", method, e.retryAfter);
        sleep(e.retryAfter);
      }
    }
  }

  private JsonNode call(String method, Map<String, String> params) {
    FormBody.Builder form = new FormBody.Builder();
    params.forEach(form::add);
    try (Response response = slack.runPostFormWithToken(form, method, botToken)) {
      ResponseBody body = response.body();
      String text = body == null ? "" : body.string();
      if (response.code() == 429) {
        throw new RateLimitedException(Outbox.retryAfter(response.header("Retry-After")));
      }
      JsonNode json = JSON.readTree(text);
      if (!json.path("ok").asBoolean(false)) {
        if ("ratelimited".equals(json.path("error").asText())) {
          throw new RateLimitedException(Duration.ofSeconds(1));
        }
        throw new CatchUpException(
            method
                + " failed for "
                + params.getOrDefault("channel", "the workspace")
                + ": "
                + json.path("error").asText("HTTP " + response.code())
                + " (check the bot's channels:history, groups:history and channels:read scopes)");
      }
      return json;
    } catch (IOException e) {
      throw new CatchUpException(
          method + " could not reach Slack (" + e.getMessage() + "); catch-up retries later", e);
    }
  }

  private void report(String team, String channel, String newest, int behind, boolean done) {
    if (opsOutbox == null || opsChannel == null) {
      return;
    }
    String key = "catchup:" + team + ":" + channel;
    String text = CatchUpReports.text(channel, newest, behind, done, clock.instant());
    if (!opsOutbox.enqueue(new OutgoingCall.PostMessage(key, opsChannel, null, text))) {
      opsOutbox.enqueue(
          new OutgoingCall.UpdateMessage(
              key + ":" + clock.millis() + ":" + done, opsChannel, key, text));
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CatchUpException("catch-up interrupted");
    }
  }

  /** Slack said 429. */
  private static final class RateLimitedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Duration retryAfter;

    RateLimitedException(Duration retryAfter) {
      super("rate limited", null, false, false);
      this.retryAfter = retryAfter;
    }
  }

  /** Options of a catch-up; not thread safe, used once. */
  public static final class Builder {
    private final Journal journal;
    private final EventIntake intake;
    private final MethodsClient slack;
    private final String botToken;
    private final MessageConverter converter;
    private double requestsPerMinute = DEFAULT_REQUESTS_PER_MINUTE;
    private Outbox opsOutbox;
    private String opsChannel;
    private Clock clock = Clock.systemUTC();

    private Builder(
        Journal journal,
        EventIntake intake,
        MethodsClient slack,
        String botToken,
        MessageConverter converter) {
      this.journal = Objects.requireNonNull(journal, "journal");
      this.intake = Objects.requireNonNull(intake, "intake");
      this.slack = Objects.requireNonNull(slack, "slack");
      this.botToken = Objects.requireNonNull(botToken, "botToken");
      this.converter = Objects.requireNonNull(converter, "converter");
    }

    /** History requests allowed a minute (default {@value #DEFAULT_REQUESTS_PER_MINUTE}). */
    public Builder requestsPerMinute(double perMinute) {
      this.requestsPerMinute = perMinute;
      return this;
    }

    /** Where to say how far behind each channel is (an outbox and a channel id). */
    public Builder opsChannel(Outbox outbox, String channel) {
      this.opsOutbox = Objects.requireNonNull(outbox, "outbox");
      this.opsChannel = Objects.requireNonNull(channel, "channel");
      return this;
    }

    /** The clock for the "last seen" figures in ops reports. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public CatchUp build() {
      return new CatchUp(this);
    }
  }
}
