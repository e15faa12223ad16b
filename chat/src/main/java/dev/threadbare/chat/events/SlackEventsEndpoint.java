package dev.threadbare.chat.events;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slack's HTTP Events API receiver: {@code POST /slack/events} and the {@code /threadbare} slash
 * command at {@code POST /slack/commands}, registered on a caller's Javalin server. See <a
 * href="https://api.slack.com/apis/events-api">the Events API</a>.
 *
 * <p>Every request is signature-checked over its raw body before anything else (401 when missing,
 * forged, stale or future-dated); {@code url_verification} is answered with its challenge; an
 * {@code event_callback} is converted, appended durably and only then acknowledged with 200;
 * malformed bodies get 400 and a failing journal 503 (so Slack retries), never 500. Thread safe;
 * lives as long as the Javalin server it is registered on.
 */
public final class SlackEventsEndpoint {

  /** Where Slack posts events. */
  public static final String EVENTS_PATH = "/slack/events";

  /** Where Slack posts slash commands. */
  public static final String COMMANDS_PATH = "/slack/commands";

  private static final Logger LOG = LoggerFactory.getLogger(SlackEventsEndpoint.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SlackSignature signature;
  private final EventIntake intake;
  private volatile SlashCommandHandler slashCommands =
      (team, channel, user, text) -> "threadbare is starting; try again in a moment.";

  private SlackEventsEndpoint(SlackSignature signature, EventIntake intake) {
    this.signature = signature;
    this.intake = intake;
  }

  /** An endpoint checking requests with {@code signature} and journaling through {@code intake}. */
  public static SlackEventsEndpoint create(SlackSignature signature, EventIntake intake) {
    return new SlackEventsEndpoint(
        Objects.requireNonNull(signature, "signature"), Objects.requireNonNull(intake, "intake"));
  }

  /** Sets who answers {@code /threadbare}. */
  public SlackEventsEndpoint onSlashCommand(SlashCommandHandler handler) {
    this.slashCommands = Objects.requireNonNull(handler, "handler");
    return this;
  }

  /** Registers both routes on {@code app}. */
  public SlackEventsEndpoint register(Javalin app) {
    app.post(EVENTS_PATH, this::handleEvent);
    app.post(COMMANDS_PATH, this::handleCommand);
    return this;
  }

  private boolean verified(Context ctx, byte[] body) {
    try {
      signature.verify(
          ctx.header("X-Slack-Request-Timestamp"), ctx.header("X-Slack-Signature"), body);
      return true;
    } catch (SignatureException e) {
      LOG.info("refused {} from {}: {}", ctx.path(), ctx.ip(), e.getMessage());
      ctx.status(401).contentType("text/plain; charset=utf-8").result(e.getMessage());
      return false;
    }
  }

  private void handleEvent(Context ctx) {
    byte[] body = ctx.bodyAsBytes();
    if (!verified(ctx, body)) {
      return;
    }
    JsonNode envelope;
    try {
      envelope = JSON.readTree(body);
    } catch (JacksonException e) {
      badRequest(ctx, "body is not JSON (" + e.getOriginalMessage() + "): Slack sends JSON events");
      return;
    } catch (java.io.IOException e) {
      badRequest(ctx, "body cannot be read: " + e.getMessage());
      return;
    }
    if (envelope == null || !envelope.isObject()) {
      badRequest(ctx, "body is not a JSON object: Slack sends an envelope object with a type");
      return;
    }
    String type = envelope.path("type").asText("");
    switch (type) {
      case "url_verification" -> {
        ObjectNode answer = JSON.createObjectNode();
        answer.put("challenge", envelope.path("challenge").asText(""));
        ctx.status(200).contentType("application/json").result(answer.toString());
      }
      case "event_callback" -> {
        try {
          intake.accept(envelope);
          ctx.status(200).result("");
        } catch (UnreadableEnvelopeException e) {
          badRequest(ctx, e.getMessage());
        } catch (RuntimeException e) {
          LOG.error("journal append failed; answering 503 so Slack retries", e);
          ctx.status(503).contentType("text/plain; charset=utf-8").result("journal unavailable");
        }
      }
      default ->
          // app_rate_limited and future envelope types: acknowledged, nothing to journal.
          ctx.status(200).result("");
    }
  }

  private void handleCommand(Context ctx) {
    byte[] body = ctx.bodyAsBytes();
    if (!verified(ctx, body)) {
      return;
    }
    Map<String, String> form = parseForm(new String(body, StandardCharsets.UTF_8));
    String channel = form.getOrDefault("channel_id", "");
    String user = form.getOrDefault("user_id", "");
    if (channel.isEmpty() || user.isEmpty()) {
      badRequest(ctx, "slash command without channel_id or user_id: expected Slack's form fields");
      return;
    }
    String text;
    try {
      text =
          slashCommands.answer(
              form.getOrDefault("team_id", ""), channel, user, form.getOrDefault("text", ""));
    } catch (RuntimeException e) {
      LOG.warn("slash command `{}` failed", form.get("text"), e);
      text = "Sorry, that command failed: " + e.getMessage();
    }
    ObjectNode answer = JSON.createObjectNode();
    answer.put("response_type", "ephemeral");
    answer.put("text", text);
    ctx.status(200).contentType("application/json").result(answer.toString());
  }

  private static Map<String, String> parseForm(String body) {
    Map<String, String> form = new HashMap<>();
    for (String pair : body.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      try {
        form.put(
            URLDecoder.decode(key, StandardCharsets.UTF_8),
            URLDecoder.decode(value, StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        // A malformed %-escape: skip the pair rather than fail the whole form.
      }
    }
    return form;
  }

  private static void badRequest(Context ctx, String message) {
    ctx.status(400).contentType("text/plain; charset=utf-8").result(message);
  }
}
