package dev.threadbare.app.cli;

import dev.threadbare.db.DbLayer;
import dev.threadbare.db.DbOptions;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code threadbare db backup} and {@code db restore}: one logical database with the layer's
 * catalog of it, on either engine ({@link DbLayer#backup}). On DuckDB the file is the running
 * serve's while it runs: back up from inside serve ({@link #backupInto}, the hook a scheduled
 * backup calls) or with serve stopped; on PostgreSQL any time.
 */
public final class DbBackupCommands {

  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private DbBackupCommands() {}

  /**
   * The hook for scheduled backups (serve's {@code --backup-every}): writes {@code database} of
   * {@code layer} to {@code directory/db-<database>-<UTC stamp>.zip} and returns what it wrote.
   */
  public static DbLayer.BackupSummary backupInto(
      DbLayer layer, String database, Path directory, Instant at) {
    try {
      Files.createDirectories(directory);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(
          "cannot create the backup directory " + directory + ": " + e.getMessage(), e);
    }
    return layer.backup(database, fileFor(database, directory, at));
  }

  /** Where {@link #backupInto} writes {@code database}'s backup taken {@code at}. */
  public static Path fileFor(String database, Path directory, Instant at) {
    return directory.resolve("db-" + database + "-" + STAMP.format(at) + ".zip");
  }

  /** One line on a backup or restore: the database, its tables and rows, the size, the file. */
  public static String describe(String verb, DbLayer.BackupSummary summary, Path file) {
    return verb
        + " database "
        + summary.database()
        + ": "
        + summary.tables()
        + " tables, "
        + summary.rows()
        + " rows, the catalog; "
        + summary.bytes()
        + " bytes, "
        + file;
  }

  /** {@code threadbare db backup}. */
  @Command(
      name = "backup",
      description =
          "Write one database (tables, rows as of one transaction, the layer's catalog of it) to a"
              + " zip.")
  public static final class Backup implements Callable<Integer> {
    @picocli.CommandLine.Mixin DbCommand.DataOption data = new DbCommand.DataOption();

    @picocli.CommandLine.Mixin DbEngineOption engine = new DbEngineOption();

    @Option(names = "--database", required = true, description = "prod, or a preview's name.")
    String database;

    @Parameters(index = "0", paramLabel = "OUT", description = "The zip to write.")
    Path out;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      try (DbLayer layer = engine.open(data.data, DbOptions.defaults())) {
        DbLayer.BackupSummary summary = layer.backup(database, out);
        PrintWriter printer = spec.commandLine().getOut();
        printer.println(describe("backed up", summary, out));
        printer.flush();
      }
      return 0;
    }
  }

  /** {@code threadbare db restore}. */
  @Command(
      name = "restore",
      description =
          "Restore a backup as a database that does not exist yet (tables, rows, catalog).")
  public static final class Restore implements Callable<Integer> {
    @picocli.CommandLine.Mixin DbCommand.DataOption data = new DbCommand.DataOption();

    @picocli.CommandLine.Mixin DbEngineOption engine = new DbEngineOption();

    @Option(names = "--database", required = true, description = "The name to restore as.")
    String database;

    @Parameters(index = "0", paramLabel = "IN", description = "A zip written by db backup.")
    Path in;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      try (DbLayer layer = engine.open(data.data, DbOptions.defaults())) {
        DbLayer.BackupSummary summary = layer.restore(database, in);
        PrintWriter printer = spec.commandLine().getOut();
        printer.println(describe("restored", summary, in));
        printer.flush();
      }
      return 0;
    }
  }
}
