package dev.threadbare.app.cli;

import dev.threadbare.app.DataDir;
import dev.threadbare.backup.BackupOptions;
import dev.threadbare.backup.BackupSummary;
import dev.threadbare.backup.Backups;
import dev.threadbare.backup.NotRestorable;
import dev.threadbare.backup.OpenedExport;
import dev.threadbare.core.journal.JournalEntry;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code threadbare backup} and {@code threadbare restore}: the chat in Slack's export format (the
 * {@code backup} module). Each run opens the data directory anew and closes it.
 */
public final class BackupCommands {
  private BackupCommands() {}

  /** The data directory's folder of secrets a backup carries only with {@code --with-secrets}. */
  public static final String SECRETS = "secrets";

  private static final int APPEND_BATCH = 1000;

  /** The secret files of {@code data} ({@code DIR/secrets/*}), by name. */
  public static Map<String, byte[]> secretFiles(Path data) {
    Map<String, byte[]> files = new LinkedHashMap<>();
    Path secrets = data.resolve(SECRETS);
    if (!Files.isDirectory(secrets)) {
      return files;
    }
    try (Stream<Path> list = Files.list(secrets)) {
      for (Path file : list.sorted().toList()) {
        if (Files.isRegularFile(file)) {
          files.put(file.getFileName().toString(), Files.readAllBytes(file));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the secrets in " + secrets, e);
    }
    return files;
  }

  /** The one line saying what a backup holds, for the CLI and the ops channel. */
  public static String describe(BackupSummary summary) {
    return String.format(
        Locale.ROOT,
        "backup %s: %d messages (%d journal entries up to seq %d) in %d channels, %,d bytes, in"
            + " %.1f s; %s",
        summary.file(),
        summary.messages(),
        summary.entries(),
        summary.lastSeq(),
        summary.channels(),
        summary.bytes(),
        summary.took().toMillis() / 1000.0,
        summary.withSecrets()
            ? "WITH secrets (" + SECRETS + "/ and Slack's file-link tokens): keep it private"
            : "no secrets (tokens left out; --with-secrets includes them)");
  }

  /** {@code threadbare backup}. */
  @Command(
      name = "backup",
      description = {
        "Write the chat as a Slack export zip (channels.json, users.json, <channel>/<day>.json,",
        "files under __uploads/): a consistent cut of the journal, taken while serve runs.",
        "Holds no secrets unless --with-secrets."
      })
  public static final class Backup implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin RepoCommands.DataOptions data;

    @Option(
        names = "--with-secrets",
        description =
            "Include DIR/secrets/ (the bot's token) and Slack's file-link tokens; default: left"
                + " out.")
    boolean withSecrets;

    @Parameters(paramLabel = "OUT.zip", description = "The zip to write (replaced atomically).")
    Path out;

    @Override
    public Integer call() {
      DataDir.requireExisting(data.data);
      BackupOptions options =
          withSecrets
              ? new BackupOptions(true, secretFiles(data.data))
              : BackupOptions.withoutSecrets();
      try (DataDir dir = data.open()) {
        BackupSummary summary = Backups.write(dir.journal(), out.toAbsolutePath(), options);
        PrintWriter print = spec.commandLine().getOut();
        print.println(describe(summary));
        print.flush();
      }
      return 0;
    }
  }

  /** {@code threadbare restore}. */
  @Command(
      name = "restore",
      description = {
        "Rebuild the journal and every channel's repository from an export: a threadbare backup",
        "(every commit id as it was) or the zip a Slack workspace admin downloaded."
      })
  public static final class Restore implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin RepoCommands.DataOptions data;

    @Option(
        names = "--merge",
        description =
            "Add the export to a data directory that already holds data (entries it holds are"
                + " skipped).")
    boolean merge;

    @Option(
        names = "--team",
        paramLabel = "T",
        description = "The workspace id for a Slack export whose users.json names none.")
    String team;

    @Parameters(paramLabel = "FILE.zip", description = "The export to restore.")
    Path zip;

    @Override
    public Integer call() {
      if (!Files.isRegularFile(zip)) {
        throw new IllegalArgumentException(
            "export " + zip + " does not exist: pass the zip `threadbare backup` wrote or Slack's");
      }
      if (!merge && holdsData(data.data)) {
        throw new IllegalArgumentException(
            "data directory "
                + data.data
                + " already holds data: restore into a new directory, or pass --merge to add"
                + " the export to it");
      }
      PrintWriter print = spec.commandLine().getOut();
      List<NotRestorable> notRestorable;
      try (DataDir dir = data.openForWriting("threadbare restore")) {
        if (!merge && dir.journal().lastSeq() > 0) {
          throw new IllegalArgumentException(
              "the journal of "
                  + data.data
                  + " ("
                  + dir.journal()
                  + ") already holds entries: restore into an empty journal, or pass --merge");
        }
        // The export is read one fact at a time and sorted on disk in this scratch folder (the
        // data directory's own disk, owner-only), so a restore of any size runs in a small heap.
        Path scratch = data.data.resolve("restore-" + ProcessHandle.current().pid() + ".tmp");
        try (OpenedExport export = Backups.open(zip, team, scratch)) {
          long[] added = {0};
          List<JournalEntry> batch = new ArrayList<>(APPEND_BATCH);
          export.forEachEntry(
              entry -> {
                batch.add(entry.withSeq(0));
                if (batch.size() == APPEND_BATCH) {
                  added[0] += dir.journal().append(batch).size();
                  batch.clear();
                }
              });
          added[0] += dir.journal().append(batch).size();
          dir.catchUp();
          writeSecrets(export.secretFiles());
          notRestorable = export.notRestorable();
          print.println(
              "restored "
                  + (export.fromThreadbare() ? "a threadbare backup" : "a Slack export")
                  + ": "
                  + export.entryCount()
                  + " journal entries ("
                  + added[0]
                  + " new), "
                  + dir.store().channels().size()
                  + " channel repositories"
                  + (export.secretFiles().isEmpty()
                      ? ""
                      : ", " + export.secretFiles().size() + " secret files"));
        }
      }
      if (!notRestorable.isEmpty()) {
        print.println(
            notRestorable.size()
                + " files not restorable (the export does not carry their content; nothing was"
                + " written for them):");
        for (NotRestorable file : notRestorable) {
          print.println(
              "  #"
                  + file.channelName()
                  + " ("
                  + file.channelId()
                  + ") message "
                  + file.ts()
                  + " file "
                  + file.path()
                  + ": "
                  + file.reason());
        }
      }
      print.flush();
      return 0;
    }

    private void writeSecrets(Map<String, byte[]> secrets) {
      if (secrets.isEmpty()) {
        return;
      }
      Path folder = data.data.resolve(SECRETS);
      try {
        DataDir.createPrivateDirectory(folder);
        for (Map.Entry<String, byte[]> secret : secrets.entrySet()) {
          DataDir.writePrivateFile(folder.resolve(secret.getKey()), secret.getValue());
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the secrets to " + folder, e);
      }
    }

    private static boolean holdsData(Path directory) {
      if (!Files.isDirectory(directory)) {
        return false;
      }
      try (Stream<Path> list = Files.list(directory)) {
        return list.findAny().isPresent();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list " + directory, e);
      }
    }
  }
}
