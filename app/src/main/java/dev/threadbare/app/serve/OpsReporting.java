package dev.threadbare.app.serve;

import dev.threadbare.chat.Chat;
import dev.threadbare.chat.catchup.CatchUp;
import dev.threadbare.chat.outbox.Outbox;
import dev.threadbare.chat.outbox.OutgoingCall;
import dev.threadbare.db.DbOptions;
import java.nio.file.Path;
import java.time.Clock;

/**
 * Where ops events go: catch-up reports and the indexes the db layer made or dropped, posted to the
 * ops channel (through the bot's own outbox in the served workspace, or a second outbox in {@code
 * DIR/ops/outbox.db} with the ops channel's own token), or to the log only when no channel is set.
 * Thread safe as its outbox is.
 */
final class OpsReporting {

  private final Server.OpsChannel channel;
  private final Outbox outbox;

  private OpsReporting(Server.OpsChannel channel, Outbox outbox) {
    this.channel = channel;
    this.outbox = outbox;
  }

  /**
   * Reporting to {@code channel} (null: the log only); {@code chatOutbox} is the bot's. A second
   * outbox, when the channel has its own token, is started and handed to {@code closer}.
   */
  static OpsReporting open(
      Server.OpsChannel channel, Path data, Outbox chatOutbox, Server.Closer closer) {
    if (channel == null || channel.token() == null) {
      return new OpsReporting(channel, chatOutbox);
    }
    Outbox own =
        closer.closeLater(
            Outbox.sqlite(
                    data.resolve("ops"),
                    Chat.slack(channel.apiUrl()).methods(channel.token()),
                    ServeEnvironment.outboxLimits(),
                    Clock.systemUTC())
                .start());
    return new OpsReporting(channel, own);
  }

  /** {@code options} with the db layer's ops events posted to the channel. */
  DbOptions dbOptions(DbOptions options) {
    if (channel == null) {
      return options;
    }
    return options.withOpsListener(
        event ->
            outbox.enqueue(
                new OutgoingCall.PostMessage(
                    "db:"
                        + event.at().toEpochMilli()
                        + ":"
                        + event.database()
                        + ":"
                        + event.kind()
                        + ":"
                        + Integer.toHexString(event.message().hashCode()),
                    channel.channel(),
                    null,
                    "db `" + event.database() + "`: " + event.message())));
  }

  /** Posts {@code text} to the ops channel once per {@code key}; without a channel, logs it. */
  void report(String key, String text) {
    if (channel == null) {
      org.slf4j.LoggerFactory.getLogger(OpsReporting.class).info("ops: {}", text);
      return;
    }
    outbox.enqueue(new OutgoingCall.PostMessage("ops:" + key, channel.channel(), null, text));
  }

  /** {@code builder} with its reports posted to the channel. */
  CatchUp.Builder catchUpReports(CatchUp.Builder builder) {
    return channel == null ? builder : builder.opsChannel(outbox, channel.channel());
  }
}
