package dev.threadbare.workspace.internal.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.threadbare.workspace.UrlVerificationFailedException;
import dev.threadbare.workspace.internal.store.Channel;
import dev.threadbare.workspace.internal.store.Ids;
import dev.threadbare.workspace.internal.store.PresentedSecrets;
import dev.threadbare.workspace.internal.store.StoredApp;
import dev.threadbare.workspace.internal.store.WorkspaceStore;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers workspace events to the configured Events API Request URL, and to every app registered
 * in the workspace (over its Socket Mode connection when one is open, else to its Request URL), as
 * Slack does: {@code event_callback} envelopes signed with the v0 scheme, a 3-second answer
 * deadline, and retries carrying {@code X-Slack-Retry-Num} and {@code X-Slack-Retry-Reason}.
 * Deliveries are in memory: a retry pending at shutdown is lost, as at Slack. Thread-safe; {@link
 * #close()} stops it.
 *
 * @see <a href="https://api.slack.com/apis/events-api">Events API</a>
 * @see <a href="https://api.slack.com/authentication/verifying-requests-from-slack">Signing</a>
 */
public final class EventDelivery implements EventBus.Listener, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EventDelivery.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The event types an app subscribed to messages and reactions receives. */
  private static final java.util.Set<String> APP_EVENTS =
      java.util.Set.of("message", "reaction_added", "reaction_removed");

  /** Where events go and the secret they are signed with. An immutable value. */
  public record Endpoint(URI url, String signingSecret) {}

  /** Identity of the workspace and app stamped on every envelope. An immutable value. */
  public record Identity(String teamId, String appId, String botUserId, String verificationToken) {}

  private final WorkspaceStore store;
  private final Identity identity;
  private final HttpClient http;
  private final ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor();
  private final ScheduledExecutorService retries =
      Executors.newSingleThreadScheduledExecutor(
          runnable ->
              Thread.ofPlatform().daemon().name("workspace-event-retries").unstarted(runnable));
  private final SocketMode socketMode;
  private final Function<StoredApp, Optional<String>> appSecrets;
  private volatile Endpoint endpoint;
  private volatile AppsSnapshot appsSnapshot;
  private volatile List<Duration> retryDelays =
      List.of(Duration.ZERO, Duration.ofMinutes(1), Duration.ofMinutes(5));
  private volatile Duration timeout = Duration.ofSeconds(3);

  /**
   * A delivery for {@code identity}'s app, with no Request URL yet, and for the apps registered in
   * {@code store}, over {@code socketMode} where they are connected.
   */
  /**
   * @param appSecrets each registered app's signing secret (kept outside the database), empty when
   *     it is missing: that app's HTTP deliveries are skipped, and logged
   */
  public EventDelivery(
      WorkspaceStore store,
      Identity identity,
      SocketMode socketMode,
      Function<StoredApp, Optional<String>> appSecrets) {
    this.store = store;
    this.appSecrets = appSecrets;
    this.identity = identity;
    this.socketMode = socketMode;
    this.http =
        HttpClient.newBuilder()
            .executor(senders)
            .connectTimeout(Duration.ofSeconds(3))
            .version(HttpClient.Version.HTTP_1_1)
            .build();
  }

  /** Sets the delays before the 1st, 2nd, … retry (Slack: immediately, 1 min, 5 min). */
  public void setRetryDelays(List<Duration> delays) {
    this.retryDelays = List.copyOf(delays);
  }

  /** Sets how long the receiver may take to answer before the delivery counts as timed out. */
  public void setTimeout(Duration timeout) {
    this.timeout = timeout;
  }

  /** The current Request URL, if set. */
  public Endpoint endpoint() {
    return endpoint;
  }

  /**
   * Sends the {@code url_verification} handshake to {@code url} and, when it answers with the
   * challenge, delivers events there from now on.
   *
   * @throws UrlVerificationFailedException when the URL does not answer with the challenge
   */
  public void setEndpoint(Endpoint candidate) {
    String challenge =
        Ids.random("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 48);
    ObjectNode payload = JSON.createObjectNode();
    payload.put("token", identity.verificationToken());
    payload.put("challenge", challenge);
    payload.put("type", "url_verification");
    String body = payload.toString();
    HttpResponse<String> response;
    try {
      response =
          http.send(
              signed(candidate, body).timeout(timeout).build(),
              HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UrlVerificationFailedException(
          "Request URL "
              + candidate.url()
              + " did not answer the url_verification handshake ("
              + e
              + "): start the receiver first, or check the URL",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UrlVerificationFailedException("interrupted verifying " + candidate.url(), e);
    }
    if (response.statusCode() / 100 != 2 || !answersChallenge(response.body(), challenge)) {
      throw new UrlVerificationFailedException(
          "Request URL "
              + candidate.url()
              + " answered the url_verification handshake with HTTP "
              + response.statusCode()
              + " and `"
              + abbreviate(response.body())
              + "`: it must answer 200 with the `challenge` value (plain, or as JSON"
              + " {\"challenge\":…})",
          null);
    }
    this.endpoint = candidate;
  }

  /** Delivers to {@code restored} without a handshake (it was verified before a restart). */
  public void restoreEndpoint(Endpoint restored) {
    this.endpoint = restored;
  }

  /** Stops delivering events. */
  public void clearEndpoint() {
    this.endpoint = null;
  }

  private static boolean answersChallenge(String body, String challenge) {
    String trimmed = body.trim();
    if (trimmed.equals(challenge) || trimmed.equals("challenge=" + challenge)) {
      return true;
    }
    try {
      JsonNode node = JSON.readTree(trimmed);
      return node != null && challenge.equals(node.path("challenge").asText(null));
    } catch (JsonProcessingException e) {
      return false;
    }
  }

  private static String abbreviate(String body) {
    return body.length() > 200 ? body.substring(0, 200) + "…" : body;
  }

  @Override
  public void onEvent(Channel channel, ObjectNode event, String onlyFor) {
    if (onlyFor != null || !APP_EVENTS.contains(event.path("type").asText())) {
      return;
    }
    Endpoint target = endpoint;
    if (target != null
        && (!channel.isPrivate() || store.isMember(channel.id(), identity.botUserId()))) {
      send(target, envelope(event, identity).toString(), 0, null);
    }
    for (StoredApp app : apps()) {
      if (channel.isPrivate() && !store.isMember(channel.id(), app.botUserId())) {
        continue;
      }
      Identity appIdentity =
          new Identity(identity.teamId(), app.id(), app.botUserId(), identity.verificationToken());
      ObjectNode envelope = envelope(event, appIdentity);
      // an app with a Socket Mode connection gets its events there, as at Slack
      if (socketMode.deliver(app.id(), envelope)) {
        continue;
      }
      if (app.eventsUrl() != null) {
        Optional<String> secret = appSecrets.apply(app);
        if (secret.isEmpty()) {
          LOG.warn(
              "app {} ({}) has no signing secret ({}): its events are not delivered",
              app.name(),
              app.id(),
              PresentedSecrets.appSigningSecret(app.id()));
          continue;
        }
        send(new Endpoint(URI.create(app.eventsUrl()), secret.get()), envelope.toString(), 0, null);
      }
    }
  }

  /** The registered apps, read at most once a second (another process may add one). */
  private List<StoredApp> apps() {
    long now = System.nanoTime();
    AppsSnapshot snapshot = appsSnapshot;
    if (snapshot == null || now - snapshot.readAt() > 1_000_000_000L) {
      snapshot = new AppsSnapshot(store.apps(), now);
      appsSnapshot = snapshot;
    }
    return snapshot.apps();
  }

  private record AppsSnapshot(List<StoredApp> apps, long readAt) {}

  /** Forgets the registered apps read last, so the next event sees a change at once. */
  public void appsChanged() {
    appsSnapshot = null;
  }

  /** The {@code event_callback} envelope around {@code event}, shaped like Slack's. */
  public ObjectNode envelope(ObjectNode event) {
    return envelope(event, identity);
  }

  private static ObjectNode envelope(ObjectNode event, Identity identity) {
    ObjectNode envelope = JSON.createObjectNode();
    envelope.put("token", identity.verificationToken());
    envelope.put("team_id", identity.teamId());
    envelope.put("context_team_id", identity.teamId());
    envelope.putNull("context_enterprise_id");
    envelope.put("api_app_id", identity.appId());
    envelope.set("event", event);
    envelope.put("type", "event_callback");
    envelope.put("event_id", Ids.id("Ev"));
    envelope.put("event_time", Instant.now().getEpochSecond());
    ObjectNode authorization = envelope.putArray("authorizations").addObject();
    authorization.putNull("enterprise_id");
    authorization.put("team_id", identity.teamId());
    authorization.put("user_id", identity.botUserId());
    authorization.put("is_bot", true);
    authorization.put("is_enterprise_install", false);
    envelope.put("is_ext_shared_channel", false);
    envelope.put(
        "event_context",
        "4-"
            + java.util.Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(
                    ("{\"et\":\""
                            + event.path("type").asText()
                            + "\",\"tid\":\""
                            + identity.teamId()
                            + "\",\"aid\":\""
                            + identity.appId()
                            + "\",\"cid\":\""
                            + event
                                .path("channel")
                                .asText(event.path("item").path("channel").asText())
                            + "\"}")
                        .getBytes(StandardCharsets.UTF_8)));
    return envelope;
  }

  private void send(Endpoint target, String body, int retry, String reason) {
    HttpRequest.Builder request = signed(target, body).timeout(timeout);
    if (retry > 0) {
      request.header("X-Slack-Retry-Num", Integer.toString(retry));
      request.header("X-Slack-Retry-Reason", reason);
    }
    var unused =
        http.sendAsync(request.build(), HttpResponse.BodyHandlers.discarding())
            .whenComplete(
                (response, failure) -> {
                  if (failure == null && response.statusCode() / 100 == 2) {
                    return;
                  }
                  if (failure == null
                      && response.headers().firstValue("X-Slack-No-Retry").orElse("").equals("1")) {
                    return;
                  }
                  String why = failure == null ? "http_error" : reasonOf(failure);
                  List<Duration> delays = retryDelays;
                  if (retry >= delays.size()) {
                    LOG.warn(
                        "event delivery to {} given up after {} retries ({})",
                        target.url(),
                        retry,
                        why);
                    return;
                  }
                  long delay = delays.get(retry).toMillis();
                  try {
                    var unusedRetry =
                        retries.schedule(
                            () -> send(target, body, retry + 1, why), delay, TimeUnit.MILLISECONDS);
                  } catch (java.util.concurrent.RejectedExecutionException closed) {
                    LOG.debug("event retry dropped at shutdown");
                  }
                });
  }

  private static String reasonOf(Throwable failure) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    if (cause instanceof HttpTimeoutException) {
      return "http_timeout";
    }
    if (cause instanceof ConnectException) {
      return "connection_failed";
    }
    return "http_error";
  }

  private HttpRequest.Builder signed(Endpoint target, String body) {
    String timestamp = Long.toString(Instant.now().getEpochSecond());
    return HttpRequest.newBuilder(target.url())
        .header("Content-Type", "application/json")
        .header("X-Slack-Request-Timestamp", timestamp)
        .header("X-Slack-Signature", signature(target.signingSecret(), timestamp, body))
        .header("User-Agent", "Slackbot 1.0 (+https://api.slack.com/robots)")
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
  }

  /** {@code v0=hex(HMAC-SHA256(secret, "v0:" + timestamp + ":" + body))}. */
  public static String signature(String secret, String timestamp, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      byte[] digest =
          mac.doFinal(("v0:" + timestamp + ":" + body).getBytes(StandardCharsets.UTF_8));
      return "v0=" + HexFormat.of().formatHex(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  @Override
  public void close() {
    retries.shutdownNow();
    senders.shutdownNow();
    http.shutdownNow();
  }
}
