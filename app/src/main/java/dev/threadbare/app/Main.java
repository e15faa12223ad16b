package dev.threadbare.app;

import dev.threadbare.app.cli.BackupCommands;
import dev.threadbare.app.cli.CiCommand;
import dev.threadbare.app.cli.DbCommand;
import dev.threadbare.app.cli.DeploysCommand;
import dev.threadbare.app.cli.GitCommand;
import dev.threadbare.app.cli.ImportGitCommand;
import dev.threadbare.app.cli.ProdCommand;
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
      BackupCommands.Backup.class,
      BackupCommands.Restore.class,
      WorkspaceCommand.class,
      DbCommand.class,
      GitCommand.class,
      ImportGitCommand.class,
      DeploysCommand.class,
      ProdCommand.class,
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

  /**
   * The configured picocli command line: every command and subcommand answers {@code --help} /
   * {@code -h} (usage on standard output, exit 0); errors are one clear line and a non-zero exit.
   */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Main());
    withHelpEverywhere(cli);
    cli.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          commandLine.getErr().println("threadbare: " + ex.getMessage());
          return 1;
        });
    return cli;
  }

  /**
   * Gives {@code cli} and every subcommand below it a {@code -h/--help} option, so a command added
   * later cannot forget it. Only help is added: some commands use {@code --version} for their own
   * purpose (the deployed version in {@code db add-credentials}).
   */
  private static void withHelpEverywhere(CommandLine cli) {
    CommandLine.Model.CommandSpec spec = cli.getCommandSpec();
    if (spec.findOption("--help") == null) {
      spec.addOption(
          CommandLine.Model.OptionSpec.builder("-h", "--help")
              .usageHelp(true)
              .description("Show this help message and exit.")
              .build());
    }
    for (CommandLine sub : cli.getSubcommands().values()) {
      withHelpEverywhere(sub);
    }
  }
}
