package dev.threadbare.chat.events;

/**
 * Answers the {@code /threadbare} slash command. Called on the HTTP thread, so it must answer well
 * within Slack's 3 second limit; implementations are thread safe.
 */
@FunctionalInterface
public interface SlashCommandHandler {

  /**
   * Answers {@code text} typed by {@code user} in {@code channel}.
   *
   * @return the private (ephemeral) answer shown to the user
   */
  String answer(String team, String channel, String user, String text);
}
