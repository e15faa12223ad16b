package dev.threadbare.app.cli;

import dev.threadbare.gitimport.GitImport;
import dev.threadbare.gitimport.ImportOptions;
import dev.threadbare.gitimport.ImportReport;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code threadbare import-git --channel C PATH_OR_URL [--history]}: posts a repository into a
 * channel through the Slack Web API as the owner of a user token, at the chat's pace (DESIGN.md
 * section 4). Progress goes to standard error, the summary (including every skipped or altered
 * file) to standard output. Owned by the gitimport work; each run is independent.
 */
@Command(
    name = "import-git",
    description =
        "Post a git repository's tree at HEAD (or, with --history, each commit) into a channel.",
    mixinStandardHelpOptions = true)
public final class ImportGitCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--channel",
      required = true,
      paramLabel = "C",
      description = "The channel, by id (C0123…) or name.")
  String channel;

  @Parameters(
      index = "0",
      paramLabel = "PATH_OR_URL",
      description = "A local repository, or a URL that git can clone.")
  String source;

  @Option(names = "--history", description = "Post each first-parent commit, oldest first.")
  boolean history;

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      description = "A user token (xoxp-…); default: $SLACK_USER_TOKEN.")
  String token;

  @Option(
      names = "--api-url",
      paramLabel = "URL",
      description =
          "The Web API base, e.g. http://localhost:8080/api/ for the local workspace;"
              + " default: real Slack.")
  String apiUrl;

  @Option(
      names = "--rate",
      paramLabel = "N",
      defaultValue = "1",
      description = "Messages per second (default ${DEFAULT-VALUE}, Slack's pace).")
  double rate;

  @Option(
      names = "--max-lines",
      paramLabel = "N",
      defaultValue = "400",
      description = "lint.max_lines: longer files go as uploads (default ${DEFAULT-VALUE}).")
  int maxLines;

  @Option(
      names = "--max-upload-bytes",
      paramLabel = "N",
      defaultValue = "1048576",
      description =
          "Larger files are skipped (default ${DEFAULT-VALUE}, the bot's download limit).")
  long maxUploadBytes;

  @Option(
      names = "--await-bot",
      paramLabel = "SECONDS",
      defaultValue = "120",
      description =
          "With --history: post a commit only once threadbare's bot has answered the previous"
              + " one, waiting up to this long (0: do not wait; default ${DEFAULT-VALUE}), so"
              + " every source commit becomes a state of its own at any --rate.")
  long awaitBotSeconds;

  @Option(
      names = "--link",
      paramLabel = "URL",
      description = "A web link to the source, put in --history messages.")
  String link;

  @Override
  public Integer call() {
    if (awaitBotSeconds < 0) {
      throw new ParameterException(
          spec.commandLine(),
          "--await-bot " + awaitBotSeconds + " is negative: use 0 to post without waiting");
    }
    String userToken = token != null ? token : System.getenv("SLACK_USER_TOKEN");
    if (userToken == null || userToken.isBlank()) {
      throw new ParameterException(
          spec.commandLine(),
          "no token: pass --token xoxp-… or set SLACK_USER_TOKEN (the importing person's token)");
    }
    PrintWriter err = spec.commandLine().getErr();
    ImportOptions options =
        ImportOptions.into(channel)
            .withHistory(history)
            .withMessagesPerSecond(rate)
            .withMaxLines(maxLines)
            .withMaxUploadBytes(maxUploadBytes)
            .withSourceLink(link)
            .withAwaitBot(java.time.Duration.ofSeconds(awaitBotSeconds));
    ImportReport report =
        GitImport.connect(apiUrl, userToken)
            .run(
                source,
                options,
                line -> {
                  err.println(line);
                  err.flush();
                });
    PrintWriter out = spec.commandLine().getOut();
    out.print(report.summary());
    out.flush();
    return 0;
  }
}
