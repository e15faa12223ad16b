package dev.threadbare.app.cli;

import dev.threadbare.workspace.AppRegistration;
import dev.threadbare.workspace.LocalWorkspace;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code threadbare workspace …}: administers the local workspace in a data directory ({@code
 * DIR/workspace.db}). Each run opens the workspace, does one thing and closes it; it works while
 * {@code threadbare serve} runs on the same directory (SQLite in WAL mode with a busy timeout). The
 * token a command prints is alone on its last line of standard output, for scripts.
 */
@Command(
    name = "workspace",
    description = "Administer the local workspace.",
    subcommands = {
      WorkspaceCommand.AddUser.class,
      WorkspaceCommand.AddApp.class,
      WorkspaceCommand.BotToken.class
    })
public final class WorkspaceCommand {

  /** {@code threadbare workspace add-user --data DIR NAME [--admin]}. */
  @Command(
      name = "add-user",
      description = "Add a person; prints their API token (also their web UI sign-in) last.")
  public static final class AddUser implements Callable<Integer> {
    @Option(names = "--data", required = true, paramLabel = "DIR", description = "Data directory.")
    Path data;

    @Parameters(index = "0", paramLabel = "NAME", description = "Lower-case user name.")
    String name;

    @Option(names = "--admin", description = "Make the user a workspace admin.")
    boolean admin;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try (LocalWorkspace workspace = LocalWorkspace.open(data)) {
        reportFirstRun(spec, workspace);
        String token = workspace.addUser(name, admin);
        out.println(
            "Added "
                + (admin ? "admin " : "")
                + "user "
                + name
                + ". Their token (API and web UI sign-in):");
        out.println(token);
      }
      out.flush();
      return 0;
    }
  }

  /** {@code threadbare workspace add-app --data DIR NAME [--events-url URL]}. */
  @Command(
      name = "add-app",
      description =
          "Register another Slack app (a Bolt app, say): prints its bot token, signing secret and"
              + " app-level token. Events go to its Socket Mode connection when open, else to"
              + " --events-url.")
  public static final class AddApp implements Callable<Integer> {
    @Option(names = "--data", required = true, paramLabel = "DIR", description = "Data directory.")
    Path data;

    @Parameters(index = "0", paramLabel = "NAME", description = "Lower-case app (and bot) name.")
    String name;

    @Option(
        names = "--events-url",
        paramLabel = "URL",
        description = "The app's Events API Request URL, e.g. http://127.0.0.1:3000/slack/events.")
    String eventsUrl;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try (LocalWorkspace workspace = LocalWorkspace.open(data)) {
        reportFirstRun(spec, workspace);
        AppRegistration app = workspace.addApp(name, eventsUrl);
        out.println(
            "Added app " + app.name() + " (" + app.appId() + ", bot " + app.botUserId() + ").");
        out.println(
            "Events: "
                + (app.eventsUrl() == null
                    ? "Socket Mode only (no --events-url)"
                    : app.eventsUrl() + ", or Socket Mode once the app connects"));
        out.println("Point the Slack SDK at this workspace's Web API: <serve URL>/api/");
        out.println("SLACK_APP_TOKEN=" + app.appToken());
        out.println("SLACK_SIGNING_SECRET=" + app.signingSecret());
        out.println("SLACK_BOT_TOKEN=" + app.botToken());
      }
      out.flush();
      return 0;
    }
  }

  /** {@code threadbare workspace bot-token --data DIR}. */
  @Command(name = "bot-token", description = "Print the bot's token (xoxb-…).")
  public static final class BotToken implements Callable<Integer> {
    @Option(names = "--data", required = true, paramLabel = "DIR", description = "Data directory.")
    Path data;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try (LocalWorkspace workspace = LocalWorkspace.open(data)) {
        reportFirstRun(spec, workspace);
        out.println(workspace.botToken());
      }
      out.flush();
      return 0;
    }
  }

  private static void reportFirstRun(CommandSpec spec, LocalWorkspace workspace) {
    workspace
        .firstRunAdminToken()
        .ifPresent(
            token ->
                spec.commandLine()
                    .getErr()
                    .println(
                        "Created a new local workspace; sign in to its web UI as admin with the"
                            + " token "
                            + token));
  }

  private WorkspaceCommand() {}
}
