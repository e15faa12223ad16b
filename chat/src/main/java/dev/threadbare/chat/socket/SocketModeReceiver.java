package dev.threadbare.chat.socket;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.slack.api.Slack;
import com.slack.api.socket_mode.SocketModeClient;
import com.slack.api.socket_mode.request.EventsApiEnvelope;
import com.slack.api.socket_mode.request.SlashCommandsEnvelope;
import dev.threadbare.chat.ChatException;
import dev.threadbare.chat.events.EventIntake;
import dev.threadbare.chat.events.SlashCommandHandler;
import dev.threadbare.chat.events.UnreadableEnvelopeException;
import java.io.IOException;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slack's Socket Mode receiver (no public URL needed): a WebSocket opened with the app-level token
 * ({@code SLACK_APP_TOKEN}, {@code xapp-…}) delivers the same Events API envelopes as HTTP, which
 * go through the same {@link EventIntake}; each is acknowledged once durable. Slash commands are
 * answered in the acknowledgement. See <a href="https://api.slack.com/apis/socket-mode">Socket
 * Mode</a>.
 *
 * <p>The SDK's client reconnects when Slack sends {@code disconnect} or the socket closes. Thread
 * safe; {@link #start} once, {@link #close} when done. Envelopes the journal cannot take (it is
 * down) are not acknowledged, so Slack redelivers them; malformed ones are acknowledged and logged.
 */
public final class SocketModeReceiver implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SocketModeReceiver.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String appToken;
  private final Slack slack;
  private final EventIntake intake;
  private volatile SlashCommandHandler slashCommands;
  private SocketModeClient client;

  private SocketModeReceiver(String appToken, Slack slack, EventIntake intake) {
    this.appToken = appToken;
    this.slack = slack;
    this.intake = intake;
  }

  /** A receiver for the app-level token {@code appToken}, journaling through {@code intake}. */
  public static SocketModeReceiver create(String appToken, Slack slack, EventIntake intake) {
    Objects.requireNonNull(appToken, "appToken");
    if (!appToken.startsWith("xapp-")) {
      throw new IllegalArgumentException(
          "SLACK_APP_TOKEN must be an app-level token starting with xapp- (Basic Information >"
              + " App-Level Tokens, scope connections:write), not `"
              + (appToken.length() > 5 ? appToken.substring(0, 5) + "…" : appToken)
              + "`");
    }
    return new SocketModeReceiver(
        appToken, Objects.requireNonNull(slack, "slack"), Objects.requireNonNull(intake, "intake"));
  }

  /** Sets who answers {@code /threadbare}. */
  public SocketModeReceiver onSlashCommand(SlashCommandHandler handler) {
    this.slashCommands = Objects.requireNonNull(handler, "handler");
    return this;
  }

  /** Opens the WebSocket and starts receiving. */
  public synchronized SocketModeReceiver start() {
    if (client != null) {
      throw new IllegalStateException("Socket Mode receiver already started");
    }
    try {
      client = slack.socketMode(appToken, SocketModeClient.Backend.Tyrus);
    } catch (IOException e) {
      throw new ChatException(
          "cannot open Socket Mode (" + e.getMessage() + "): check SLACK_APP_TOKEN and network", e);
    }
    client.setAutoReconnectEnabled(true);
    client.setAutoReconnectOnCloseEnabled(true);
    SocketModeClient c = client;
    client.addEventsApiEnvelopeListener(e -> onEvent(e, c::sendSocketModeResponse));
    client.addSlashCommandsEnvelopeListener(e -> onSlashCommand(e, c::sendSocketModeResponse));
    try {
      client.connect();
    } catch (IOException e) {
      throw new ChatException("cannot connect Socket Mode (" + e.getMessage() + ")", e);
    }
    return this;
  }

  /** Journals one envelope and acknowledges it through {@code ack} once durable. */
  void onEvent(EventsApiEnvelope envelope, Consumer<String> ack) {
    try {
      JsonNode payload = JSON.readTree(String.valueOf(envelope.getPayload()));
      intake.accept(payload);
    } catch (IOException | UnreadableEnvelopeException e) {
      // It will never read better: acknowledge, so Slack does not redeliver it forever.
      LOG.warn("Socket Mode envelope {} refused: {}", envelope.getEnvelopeId(), e.getMessage());
    } catch (RuntimeException e) {
      LOG.warn(
          "Socket Mode envelope {} not journaled ({}); Slack will redeliver it",
          envelope.getEnvelopeId(),
          e.getMessage());
      return;
    }
    ObjectNode response = JSON.createObjectNode();
    response.put("envelope_id", envelope.getEnvelopeId());
    ack.accept(response.toString());
  }

  /** Answers one slash command in its acknowledgement. */
  void onSlashCommand(SlashCommandsEnvelope envelope, Consumer<String> ack) {
    ObjectNode response = JSON.createObjectNode();
    response.put("envelope_id", envelope.getEnvelopeId());
    SlashCommandHandler handler = slashCommands;
    if (handler != null) {
      String text;
      try {
        JsonNode p = JSON.readTree(String.valueOf(envelope.getPayload()));
        text =
            handler.answer(
                p.path("team_id").asText(""),
                p.path("channel_id").asText(""),
                p.path("user_id").asText(""),
                p.path("text").asText(""));
      } catch (IOException | RuntimeException e) {
        text = "Sorry, that command failed: " + e.getMessage();
      }
      ObjectNode answer = response.putObject("payload");
      answer.put("response_type", "ephemeral");
      answer.put("text", text);
    }
    ack.accept(response.toString());
  }

  @Override
  public synchronized void close() {
    if (client != null) {
      try {
        client.close();
      } catch (IOException e) {
        LOG.info("closing Socket Mode: {}", e.getMessage());
      }
    }
  }
}
