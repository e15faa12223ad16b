package dev.threadbare.chat;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.methods.MethodsClient;
import dev.threadbare.chat.bot.Bot;
import dev.threadbare.chat.catchup.CatchUp;
import dev.threadbare.chat.events.EnvelopeConverter;
import dev.threadbare.chat.events.EventIntake;
import dev.threadbare.chat.events.SlackEventsEndpoint;
import dev.threadbare.chat.events.SlackSignature;
import dev.threadbare.chat.outbox.Outbox;
import dev.threadbare.chat.outbox.OutboxLimits;
import dev.threadbare.chat.socket.SocketModeReceiver;
import dev.threadbare.core.chat.SlackEvents;
import dev.threadbare.core.grammar.ChatGrammar;
import dev.threadbare.core.journal.Journal;
import dev.threadbare.core.materialization.Materialization;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Objects;

/**
 * The chat adapter's entry point: static factories for its pieces, which the {@code app} module
 * wires together. Stateless; each piece documents its own lifecycle.
 *
 * <pre>{@code
 * Outbox outbox = Chat.outbox(dataDir, Chat.slack(apiUrl).methods(botToken)).start();
 * Bot bot = Chat.bot(outbox, materializer, botUserId); // materializer: core's Materialization
 * EventIntake intake = Chat.intake(journal).onJournaled(bot);
 * Chat.eventsEndpoint(signingSecret, intake).onSlashCommand(bot).register(javalin);
 * bot.resume(journal); // answers what a crash kept from the bot, before events flow
 * }</pre>
 */
public final class Chat {

  private Chat() {}

  /**
   * The SDK entry for real Slack ({@code apiUrl} null) or a Slack-compatible server's {@code
   * /api/}.
   */
  public static Slack slack(String apiUrl) {
    SlackConfig config = new SlackConfig();
    if (apiUrl != null) {
      config.setMethodsEndpointUrlPrefix(apiUrl.endsWith("/") ? apiUrl : apiUrl + "/");
    }
    config.setPrettyResponseLoggingEnabled(false);
    return Slack.getInstance(config);
  }

  /** The one path from envelopes to the journal (HTTP, Socket Mode and catch-up share it). */
  public static EventIntake intake(Journal journal, EnvelopeConverter converter) {
    return EventIntake.create(journal, converter);
  }

  /** The intake converting envelopes with core's {@code SlackEvents.toEntries}. */
  public static EventIntake intake(Journal journal) {
    return EventIntake.create(journal, SlackEvents::toEntries);
  }

  /**
   * Catch-up for the workspace behind {@code slack}, journaling through {@code intake} the way an
   * export import would ({@code SlackEvents.fromExportMessage}), within {@code requestsPerMinute}.
   */
  public static CatchUp.Builder catchUp(
      Journal journal, EventIntake intake, MethodsClient slack, String botToken) {
    return CatchUp.builder(
        journal,
        intake,
        slack,
        botToken,
        (team, channel, message) -> List.of(SlackEvents.fromExportMessage(team, channel, message)));
  }

  /** The signed HTTP Events API and slash-command endpoint, on the system clock. */
  public static SlackEventsEndpoint eventsEndpoint(String signingSecret, EventIntake intake) {
    return SlackEventsEndpoint.create(
        SlackSignature.create(signingSecret, Clock.systemUTC()), intake);
  }

  /**
   * The Socket Mode receiver for the app-level token {@code appToken} ({@code SLACK_APP_TOKEN}),
   * journaling through {@code intake}; call {@code start()} to connect.
   */
  public static SocketModeReceiver socketMode(String appToken, EventIntake intake) {
    return SocketModeReceiver.create(appToken, slack(null), intake);
  }

  /** The durable outbox in {@code dataDirectory/outbox.db} with Slack's limits (not started). */
  public static Outbox outbox(Path dataDirectory, MethodsClient slack) {
    return Outbox.sqlite(dataDirectory, slack, OutboxLimits.slackDefaults(), Clock.systemUTC());
  }

  /** The bot answering through {@code outbox} with the default grammar. */
  public static Bot bot(Outbox outbox, Materialization materialization, String botUserId) {
    Objects.requireNonNull(outbox, "outbox");
    return Bot.create(outbox, materialization, ChatGrammar.create(), botUserId);
  }
}
