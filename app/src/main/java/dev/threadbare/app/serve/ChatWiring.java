package dev.threadbare.app.serve;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.slack.api.Slack;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.response.auth.AuthTestResponse;
import dev.threadbare.app.DataDir;
import dev.threadbare.chat.Chat;
import dev.threadbare.chat.bot.Bot;
import dev.threadbare.chat.bot.GitAccess;
import dev.threadbare.chat.catchup.CatchUp;
import dev.threadbare.chat.channels.ChannelNames;
import dev.threadbare.chat.events.EventIntake;
import dev.threadbare.chat.events.JournalListener;
import dev.threadbare.chat.events.SlashCommandHandler;
import dev.threadbare.chat.files.FileDownloader;
import dev.threadbare.chat.outbox.Outbox;
import dev.threadbare.chat.socket.SocketModeReceiver;
import dev.threadbare.core.ThreadbareException;
import dev.threadbare.core.journal.EntryKind;
import dev.threadbare.core.journal.JournalEntry;
import dev.threadbare.gitserve.GitServe;
import dev.threadbare.workspace.LocalWorkspace;
import io.javalin.Javalin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The chat side of {@code serve}: the connection (the local workspace on our own port, or real
 * Slack), the bot's outbox, the bot over the materializer, the intake with its file downloads, the
 * Events API endpoint and Socket Mode, and catch-up. Built in the order {@link Server} needs it:
 * {@link #connect}, {@link #startOutbox}, {@link #wire}, {@link #answer}, {@link #startCatchUp}.
 * Not thread safe while being built.
 */
final class ChatWiring {

  private final Server.Settings settings;
  private final Server.Closer closer;
  private final LocalWorkspace workspace;
  private final String botToken;
  private final Slack slack;
  private final MethodsClient methods;
  private final String signingSecret;
  private Outbox outbox;
  private Bot bot;
  private String botUserId;
  private EventIntake intake;
  private SlashCommandHandler answersFirst = (team, channel, user, text) -> null;
  private Nodes nodes;

  private ChatWiring(
      Server.Settings settings,
      Server.Closer closer,
      LocalWorkspace workspace,
      String botToken,
      Slack slack,
      String signingSecret) {
    this.settings = settings;
    this.closer = closer;
    this.workspace = workspace;
    this.botToken = botToken;
    this.slack = slack;
    this.methods = slack.methods(botToken);
    this.signingSecret = signingSecret;
  }

  /**
   * Opens the local workspace (served at {@code url}) when {@code settings} name no real Slack;
   * else connects to Slack with the settings' credentials.
   */
  static ChatWiring connect(Server.Settings settings, String url, Server.Closer closer) {
    if (settings.slack() == null) {
      LocalWorkspace workspace = closer.closeLater(LocalWorkspace.open(settings.data()));
      workspace.setBaseUrl(url);
      return new ChatWiring(
          settings,
          closer,
          workspace,
          workspace.botToken(),
          Chat.slack(url + "/api/"),
          randomSecret());
    }
    return new ChatWiring(
        settings,
        closer,
        null,
        settings.slack().botToken(),
        Chat.slack(ServeEnvironment.slackApiUrl()),
        settings.slack().signingSecret());
  }

  /** The local workspace, or null with real Slack. */
  LocalWorkspace workspace() {
    return workspace;
  }

  String botToken() {
    return botToken;
  }

  MethodsClient methods() {
    return methods;
  }

  /** The Slack SDK entry point the bot uses (the local workspace's Web API, or Slack's). */
  Slack slack() {
    return slack;
  }

  /**
   * Lets {@code handler} answer {@code /threadbare} first (such as prod's {@code promote}); its
   * null answer leaves the command to the bot. Call before {@link #wire}.
   */
  void answerSlashFirst(SlashCommandHandler handler) {
    answersFirst = handler;
  }

  /** The bot's own user id, once {@link #wire} has run. */
  String botUserId() {
    return botUserId;
  }

  /** The bot, once {@link #wire}d. */
  Bot bot() {
    return bot;
  }

  /**
   * Starts the bot's durable outbox ({@code DIR/outbox.db}, or beside a journal shared by several
   * {@link Nodes}).
   */
  Outbox startOutbox(Nodes nodes) {
    this.nodes = nodes;
    outbox = closer.closeLater(nodes.outbox(settings.data(), methods).start());
    return outbox;
  }

  /**
   * Builds the bot over {@code dataDir}'s materializer and the intake feeding it, and registers the
   * Events API endpoint on {@code http} (and Socket Mode with an app token); {@code journaled} is
   * told of every journaled batch too.
   */
  void wire(
      Javalin http, DataDir dataDir, GitServe gitServe, String url, JournalListener journaled) {
    String selfTeam;
    if (workspace != null) {
      botUserId = workspace.botUserId();
      selfTeam = workspace.teamId();
    } else {
      AuthTestResponse auth = authTest(methods, botToken);
      botUserId = auth.getUserId();
      selfTeam = auth.getTeamId();
    }
    journalSelf(dataDir, selfTeam, botUserId);
    bot =
        Chat.bot(outbox, dataDir.materializer(), botUserId)
            .issuingTokens(
                (user, channel) ->
                    new GitAccess.Grant(
                        gitServe.addToken(user),
                        url
                            + "/git/"
                            + Optional.ofNullable(dataDir.store().channelName(channel))
                                .orElse(channel)
                            + ".git"));
    intake =
        closer.closeLater(
            Chat.intake(dataDir.journal())
                .enrichWith(
                    FileDownloader.create(botToken, FileDownloader.DEFAULT_MAX_BYTES, outbox))
                .enrichWith(ChannelNames.create(methods, botToken))
                .onJournaled(bot)
                .onJournaled(journaled));
    SlashCommandHandler slash =
        (team, channel, user, text) -> {
          String first = answersFirst.answer(team, channel, user, text);
          return first != null ? first : bot.answer(team, channel, user, text);
        };
    if (signingSecret != null && !signingSecret.isBlank()) {
      Chat.eventsEndpoint(signingSecret, intake).onSlashCommand(slash).register(http);
    }
    String appToken = settings.slack() == null ? null : settings.slack().appToken();
    if (appToken != null && !appToken.isBlank()) {
      closer.closeLater(
          SocketModeReceiver.create(appToken, slack, intake).onSlashCommand(slash).start());
    }
  }

  /**
   * Answers what a crash kept from the bot (journaled, not yet answered), then lets events flow:
   * the local workspace delivers to our own endpoint at {@code url}, signed, as Slack would.
   */
  void answer(DataDir dataDir, String url) {
    nodes.drive(bot, dataDir.journal(), closer);
    if (workspace != null) {
      workspace.setEventsRequestUrl(url + "/slack/events", signingSecret);
    }
  }

  /** Starts catch-up: at once (in the background), then every five minutes. */
  void startCatchUp(DataDir dataDir, OpsReporting ops) {
    CatchUp catchUp =
        closer.closeLater(
            ops.catchUpReports(
                    Chat.catchUp(dataDir.journal(), intake, methods, botToken)
                        .requestsPerMinute(
                            workspace != null ? 600 : ServeEnvironment.catchUpPerMinute()))
                .build());
    catchUp.start(Duration.ofMinutes(5));
  }

  /**
   * Journals threadbare's own bot user ({@link EntryKind#SELF}; once: the entry's identity makes a
   * second append a no-op) before the bot can post, so the materializer counts only its merge
   * decisions and a rebuild reads the same.
   */
  private static void journalSelf(DataDir dataDir, String team, String botUser) {
    String payload =
        JsonNodeFactory.instance
            .objectNode()
            .put("team_id", team)
            .put("user_id", botUser)
            .toString();
    dataDir
        .journal()
        .append(
            List.of(
                new JournalEntry(
                    0,
                    team,
                    "",
                    "0",
                    EntryKind.SELF,
                    botUser,
                    null,
                    botUser,
                    Instant.now(),
                    payload)));
  }

  private static AuthTestResponse authTest(MethodsClient methods, String botToken) {
    try {
      AuthTestResponse auth = methods.authTest(r -> r.token(botToken));
      if (!auth.isOk()) {
        throw new ThreadbareException(
            "auth.test with the bot token failed: " + auth.getError() + " (check SLACK_BOT_TOKEN)");
      }
      return auth;
    } catch (IOException e) {
      throw new UncheckedIOException("auth.test: " + e.getMessage(), e);
    } catch (SlackApiException e) {
      throw new ThreadbareException("auth.test: " + e.getMessage(), e);
    }
  }

  private static String randomSecret() {
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}
