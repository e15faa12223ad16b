package dev.threadbare.app;

import dev.threadbare.app.cli.CiCommand;
import dev.threadbare.app.cli.DbCommand;
import dev.threadbare.app.cli.GitCommand;
import dev.threadbare.app.cli.ImportGitCommand;
import dev.threadbare.app.cli.RepoCommands;
import dev.threadbare.app.cli.ServeCommand;
import dev.threadbare.app.cli.WorkspaceCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code threadbare} command line: the one entry point of the application. */
@Command(
    name = "threadbare",
    mixinStandardHelpOptions = true,
    version = "threadbare 0.1.0",
    description = "A team's codebase that lives in its chat.",
    subcommands = {
      ServeCommand.class,
      RepoCommands.Ingest.class,
      RepoCommands.Tree.class,
      RepoCommands.Show.class,
      RepoCommands.Log.class,
      RepoCommands.ExportGit.class,
      RepoCommands.Rebuild.class,
      WorkspaceCommand.class,
      DbCommand.class,
      GitCommand.class,
      ImportGitCommand.class,
      CiCommand.class,
    })
public final class Main {

  private Main() {}

  /** Runs the CLI and exits with its status. */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the CLI and returns its exit status (for tests). */
  public static int run(String... args) {
    return commandLine().execute(args);
  }

  /** The configured picocli command line: errors are one clear line and a non-zero exit. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Main());
    cli.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          commandLine.getErr().println("threadbare: " + ex.getMessage());
          return 1;
        });
    return cli;
  }
}
