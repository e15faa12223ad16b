package dev.threadbare.app.cli;

import dev.threadbare.app.DataDir;
import dev.threadbare.app.repo.JsonlIngester;
import dev.threadbare.materializer.GitStore;
import dev.threadbare.materializer.LogEntry;
import dev.threadbare.materializer.TreeEntry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The repository commands that work on a data directory without a chat: ingest, tree, show, log,
 * export-git, rebuild. Each run opens the data directory anew and closes it; nothing is written
 * outside it (and OUT for export-git).
 */
public final class RepoCommands {
  private RepoCommands() {}

  /** The data directory options shared by every repository command. */
  public static final class DataOptions {
    @Option(
        names = "--data",
        required = true,
        paramLabel = "DIR",
        description = "The data directory (journal.db, git/).")
    Path data;

    @Option(
        names = "--journal-url",
        paramLabel = "URL",
        description =
            "A PostgreSQL journal (jdbc:postgresql://host:port/db?user=…&password=…);"
                + " default: $THREADBARE_JOURNAL_URL, else SQLite in DIR.")
    String journalUrl;

    DataDir open() {
      return DataDir.open(data, journalUrl);
    }

    DataDir openExisting() {
      return DataDir.openExisting(data, journalUrl);
    }

    /**
     * The git store, brought up to date with the journal when it is behind and nobody else writes
     * the directory (for the read-only commands).
     */
    GitStore readStore() {
      DataDir.catchUpForReading(data, journalUrl);
      return GitStore.open(data.resolve("git"));
    }

    /** Opens the directory holding its one-writer lock for {@code command}. */
    DataDir openForWriting(String command) {
      return DataDir.openForWriting(data, journalUrl, command);
    }
  }

  /** Options naming a channel and a ref. */
  public static final class ChannelRef {
    @Option(
        names = "--channel",
        required = true,
        paramLabel = "C",
        description = "The channel, by id (C0123) or name (general).")
    String channel;

    @Option(
        names = "--ref",
        paramLabel = "REF",
        defaultValue = "main",
        description =
            "A branch (main, thread/<ts>), a commit id or unique prefix, BRANCH@N (the Nth"
                + " commit of the branch, 1-based) or a message permalink (default: main).")
    String ref;
  }

  /** {@code threadbare ingest}. */
  @Command(
      name = "ingest",
      description =
          "Ingest Slack Events API envelopes, one per line (- for stdin), into the journal and"
              + " the git store.")
  public static final class Ingest implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin DataOptions data;

    @Parameters(paramLabel = "FILE.jsonl", description = "Envelopes, one JSON object a line.")
    String file;

    @Override
    public Integer call() throws IOException {
      PrintWriter err = spec.commandLine().getErr();
      BufferedReader reader;
      if (file.equals("-")) {
        reader = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      } else {
        try {
          reader = Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
          err.println("threadbare: no file " + file + ": give a JSONL file of Slack envelopes");
          return 2;
        }
      }
      JsonlIngester.Summary summary;
      try (reader;
          DataDir dir = data.openForWriting("threadbare ingest")) {
        summary = new JsonlIngester(dir, file, err).ingest(reader);
      }
      PrintWriter out = spec.commandLine().getOut();
      out.printf(
          "ingested %d lines: %d new journal entries, %d commits, %d refused messages,"
              + " %d bad lines%n",
          summary.lines(),
          summary.newEntries(),
          summary.commits(),
          summary.refused(),
          summary.badLines());
      out.flush();
      return summary.badLines() > 0 ? 1 : 0;
    }
  }

  /** {@code threadbare tree}. */
  @Command(name = "tree", description = "List a branch's files: path<TAB>blob id, sorted.")
  public static final class Tree implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin DataOptions data;
    @Mixin ChannelRef at;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      out.print(tree(data.readStore(), at.channel, at.ref));
      out.flush();
      return 0;
    }
  }

  /** {@code threadbare show}. */
  @Command(name = "show", description = "Print a file's content at a ref.")
  public static final class Show implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin DataOptions data;
    @Mixin ChannelRef at;

    @Parameters(paramLabel = "PATH", description = "The file's path in the repository.")
    String path;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      out.print(show(data.readStore(), at.channel, at.ref, path));
      out.flush();
      return 0;
    }
  }

  /** {@code threadbare log}. */
  @Command(
      name = "log",
      description =
          "List a branch's commits, newest first: id, BRANCH@N, time, author, subject, link.")
  public static final class Log implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin DataOptions data;
    @Mixin ChannelRef at;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      out.print(log(data.readStore(), at.channel, at.ref));
      out.flush();
      return 0;
    }
  }

  /** What {@code threadbare tree} prints: one {@code path<TAB>blob id} line per file. */
  static String tree(GitStore store, String channel, String ref) {
    StringBuilder text = new StringBuilder();
    for (TreeEntry entry : store.tree(store.channelId(channel), ref)) {
      text.append(entry.path()).append('\t').append(entry.blob().name()).append('\n');
    }
    return text.toString();
  }

  /** What {@code threadbare show} prints: the file's content. */
  static String show(GitStore store, String channel, String ref, String path) {
    return new String(store.read(store.channelId(channel), ref, path), StandardCharsets.UTF_8);
  }

  /** What {@code threadbare log} prints: one tab-separated line per commit, newest first. */
  static String log(GitStore store, String channel, String ref) {
    StringBuilder text = new StringBuilder();
    for (LogEntry e : store.log(store.channelId(channel), ref)) {
      text.append(e.commit().name())
          .append('\t')
          .append(ref)
          .append('@')
          .append(e.number())
          .append('\t')
          .append(e.time())
          .append('\t')
          .append(e.author())
          .append('\t')
          .append(e.subject())
          .append('\t')
          .append(e.link())
          .append('\n');
    }
    return text.toString();
  }

  /** {@code threadbare export-git}. */
  @Command(
      name = "export-git",
      description = "Write a channel's full history, every branch, to a new git repository.")
  public static final class ExportGit implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin DataOptions data;

    @Option(
        names = "--channel",
        required = true,
        paramLabel = "C",
        description = "The channel, by id or name.")
    String channel;

    @Parameters(paramLabel = "OUT", description = "A new (or empty) directory.")
    Path out;

    @Override
    public Integer call() {
      try (DataDir dir = data.openExisting()) {
        dir.catchUp();
        GitStore store = dir.store();
        String id = store.channelId(channel);
        store.exportGit(id, out);
        PrintWriter print = spec.commandLine().getOut();
        print.println("exported " + id + " (" + store.branches(id).size() + " branches) to " + out);
        print.flush();
      }
      return 0;
    }
  }

  /** {@code threadbare rebuild}. */
  @Command(name = "rebuild", description = "Rebuild the git store from the journal alone.")
  public static final class Rebuild implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin DataOptions data;

    @Override
    public Integer call() {
      DataDir.requireExisting(data.data);
      try (DataDir dir = data.openForWriting("threadbare rebuild")) {
        long entries = dir.rebuild();
        PrintWriter out = spec.commandLine().getOut();
        out.println(
            "rebuilt "
                + dir.store().channels().size()
                + " channel repositories from "
                + entries
                + " journal entries");
        out.flush();
      }
      return 0;
    }
  }
}
