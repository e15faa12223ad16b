package dev.threadbare.app.cli;

import picocli.CommandLine.Command;

/**
 * The repository commands that work on a data directory without a chat: ingest, tree, show, log,
 * export-git, rebuild. Owned by the materializer work.
 */
public final class RepoCommands {
  private RepoCommands() {}

  /** {@code threadbare ingest}. */
  @Command(name = "ingest", description = "Ingest Slack Events API envelopes, one per line.")
  public static final class Ingest {}

  /** {@code threadbare tree}. */
  @Command(name = "tree", description = "List a branch's files: path<TAB>blob id.")
  public static final class Tree {}

  /** {@code threadbare show}. */
  @Command(name = "show", description = "Print a file's content.")
  public static final class Show {}

  /** {@code threadbare log}. */
  @Command(name = "log", description = "List a branch's commits with their message links.")
  public static final class Log {}

  /** {@code threadbare export-git}. */
  @Command(name = "export-git", description = "Write a channel's full history to a git repository.")
  public static final class ExportGit {}

  /** {@code threadbare rebuild}. */
  @Command(name = "rebuild", description = "Rebuild the git store from the journal alone.")
  public static final class Rebuild {}
}
