package dev.threadbare.gitimport;

import java.time.Duration;
import java.util.Objects;

/**
 * How to import: into which channel, the tree at HEAD or every commit, at what pace, within which
 * lint limit. Immutable; build with {@link #into(String)} and the {@code with…} methods.
 *
 * @param channel the channel id ({@code C…}) or name ({@code general} or {@code #general})
 * @param history whether to post each commit of the first-parent history (oldest first), one
 *     message per commit, instead of the tree at HEAD
 * @param messagesPerSecond the pace of posted messages (Slack's limit is about one a second)
 * @param maxLines {@code lint.max_lines}: a longer file goes as an upload
 * @param maxUploadBytes the largest file uploaded; larger ones are skipped (the bot downloads at
 *     most 1 MiB by default)
 * @param sourceLink a link to the source, put in history messages (null: none; a URL source is its
 *     own link)
 * @param awaitBot with {@code history}, how long to wait for threadbare's bot to answer (✅, ❌ or ❓)
 *     every message of a commit before posting the next commit, so the chat's history has each
 *     source commit as a state of its own whatever the pace; zero posts without waiting. When the
 *     bot stays silent that long, the rest is posted without waiting.
 */
public record ImportOptions(
    String channel,
    boolean history,
    double messagesPerSecond,
    int maxLines,
    long maxUploadBytes,
    String sourceLink,
    Duration awaitBot) {

  /** Slack's pace: one message a second. */
  public static final double DEFAULT_MESSAGES_PER_SECOND = 1.0;

  /** How long a history import waits for the bot's answer by default: two minutes. */
  public static final Duration DEFAULT_AWAIT_BOT = Duration.ofMinutes(2);

  /** The chat bot's default download limit for shared files: 1 MiB. */
  public static final long DEFAULT_MAX_UPLOAD_BYTES = 1L << 20;

  public ImportOptions {
    Objects.requireNonNull(channel, "channel");
    if (channel.isBlank()) {
      throw new IllegalArgumentException(
          "channel is blank: give a channel id (C0123…) or name (general)");
    }
    if (!(messagesPerSecond > 0) || Double.isInfinite(messagesPerSecond)) {
      throw new IllegalArgumentException(
          "messages per second = " + messagesPerSecond + ": use a positive finite number, e.g. 1");
    }
    if (maxLines < 1) {
      throw new IllegalArgumentException(
          "lint.max_lines = " + maxLines + " leaves no room for a file: use a positive number");
    }
    Objects.requireNonNull(awaitBot, "awaitBot");
    if (awaitBot.isNegative()) {
      throw new IllegalArgumentException(
          "await bot = " + awaitBot + " is negative: use zero to post without waiting");
    }
    if (maxUploadBytes < 1) {
      throw new IllegalArgumentException(
          "max upload bytes = " + maxUploadBytes + ": use a positive number, e.g. 1048576");
    }
  }

  /** The defaults: tree at HEAD, 1 message a second, 400 lines a block, 1 MiB uploads. */
  public static ImportOptions into(String channel) {
    return new ImportOptions(
        channel,
        false,
        DEFAULT_MESSAGES_PER_SECOND,
        400,
        DEFAULT_MAX_UPLOAD_BYTES,
        null,
        DEFAULT_AWAIT_BOT);
  }

  /** These options, posting the history ({@code true}) or the tree at HEAD. */
  public ImportOptions withHistory(boolean value) {
    return new ImportOptions(
        channel, value, messagesPerSecond, maxLines, maxUploadBytes, sourceLink, awaitBot);
  }

  /** These options at another pace. */
  public ImportOptions withMessagesPerSecond(double value) {
    return new ImportOptions(
        channel, history, value, maxLines, maxUploadBytes, sourceLink, awaitBot);
  }

  /** These options with another {@code lint.max_lines}. */
  public ImportOptions withMaxLines(int value) {
    return new ImportOptions(
        channel, history, messagesPerSecond, value, maxUploadBytes, sourceLink, awaitBot);
  }

  /** These options with another upload size limit. */
  public ImportOptions withMaxUploadBytes(long value) {
    return new ImportOptions(
        channel, history, messagesPerSecond, maxLines, value, sourceLink, awaitBot);
  }

  /** These options waiting {@code value} for the bot's answers (zero: not at all). */
  public ImportOptions withAwaitBot(Duration value) {
    return new ImportOptions(
        channel, history, messagesPerSecond, maxLines, maxUploadBytes, sourceLink, value);
  }

  /** These options with a link to the source (null: none). */
  public ImportOptions withSourceLink(String value) {
    return new ImportOptions(
        channel, history, messagesPerSecond, maxLines, maxUploadBytes, value, awaitBot);
  }
}
