package dev.threadbare.app.serve;

import dev.threadbare.app.DataDir;
import dev.threadbare.app.cli.BackupCommands;
import dev.threadbare.app.cli.DbBackupCommands;
import dev.threadbare.backup.BackupOptions;
import dev.threadbare.backup.BackupSummary;
import dev.threadbare.backup.Backups;
import dev.threadbare.core.ThreadbareException;
import dev.threadbare.db.DbLayer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * serve's scheduled chat backups: every {@code every}, a Slack-format backup of the journal into
 * {@code DIR/backups/} (no secrets), keeping the newest {@code keep}, each reported once in the ops
 * channel ({@link OpsReporting}). The first one is due {@code every} after the newest backup
 * already there (at once when there is none), so restarts do not skip or repeat days. With the chat
 * backup goes one of every channel's prod database ({@link ProdDatabases}) into {@code
 * DIR/backups/db/} ({@code db-<database>-<stamp>.zip}, with the layer's catalog), the newest {@code
 * keep} of each kept, each reported once too.
 *
 * <p>Runs on one daemon thread; {@link #close()} stops it, waiting for a backup being written.
 */
final class BackupWiring implements AutoCloseable {

  /** The prod databases to back up with each chat backup, and the db layer that holds them. */
  interface ProdDatabases {
    /** None: chat backups only. */
    ProdDatabases NONE = of(() -> null, List::of);

    /** The db layer (null while it is not open). */
    DbLayer layer();

    /** The logical databases that hold prod data now. */
    List<String> names();

    static ProdDatabases of(Supplier<DbLayer> layer, Supplier<List<String>> names) {
      return new ProdDatabases() {
        @Override
        public DbLayer layer() {
          return layer.get();
        }

        @Override
        public List<String> names() {
          return names.get();
        }
      };
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(BackupWiring.class);

  /** Where scheduled backups go, in the data directory. */
  static final String FOLDER = "backups";

  static final String PREFIX = "threadbare-backup-";
  private static final DateTimeFormatter NAME =
      DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmssSSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*([smhd])");

  private final DataDir dataDir;
  private final OpsReporting ops;
  private final int keep;
  private final Clock clock;
  private final ScheduledExecutorService timer;
  private final ProdDatabases databases;

  private BackupWiring(
      DataDir dataDir, OpsReporting ops, int keep, Clock clock, ProdDatabases databases) {
    this.databases = databases;
    this.dataDir = dataDir;
    this.ops = ops;
    this.keep = keep;
    this.clock = clock;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "threadbare-backups");
              thread.setDaemon(true);
              return thread;
            });
  }

  /**
   * Starts the schedule; {@code every} zero means no scheduled backups (an instance that does
   * nothing until asked).
   */
  static BackupWiring start(DataDir dataDir, OpsReporting ops, Duration every, int keep) {
    return start(dataDir, ops, every, keep, ProdDatabases.NONE);
  }

  /** As {@link #start(DataDir, OpsReporting, Duration, int)}, backing up {@code databases} too. */
  static BackupWiring start(
      DataDir dataDir, OpsReporting ops, Duration every, int keep, ProdDatabases databases) {
    if (keep < 1) {
      throw new ThreadbareException(
          "--backup-keep " + keep + " must be at least 1: the newest backup is always kept");
    }
    BackupWiring wiring = new BackupWiring(dataDir, ops, keep, Clock.systemUTC(), databases);
    if (!every.isZero()) {
      Duration first = wiring.firstDelay(every);
      wiring.timer.scheduleWithFixedDelay(
          wiring::takeScheduled, first.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }
    return wiring;
  }

  /**
   * {@code --backup-every}: a number with {@code s}, {@code m}, {@code h} or {@code d}, an ISO-8601
   * duration ({@code PT6H}), or {@code off}.
   */
  static Duration parseEvery(String text) {
    String trimmed = text.strip().toLowerCase(Locale.ROOT);
    if (trimmed.equals("off") || trimmed.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = DURATION.matcher(trimmed);
    Duration every = null;
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      every =
          switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
          };
    } else {
      try {
        every = Duration.parse(text.strip().toUpperCase(Locale.ROOT));
      } catch (java.time.format.DateTimeParseException e) {
        // reported below
      }
    }
    if (every == null || every.isNegative() || every.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new ThreadbareException(
          "--backup-every `"
              + text
              + "` is not a duration of at least a second: write 1d, 12h, 30m, PT6H or off");
    }
    return every;
  }

  private Duration firstDelay(Duration every) {
    List<Path> existing = backups();
    if (existing.isEmpty()) {
      return Duration.ZERO;
    }
    try {
      Instant newest = Files.getLastModifiedTime(existing.get(existing.size() - 1)).toInstant();
      Duration wait = Duration.between(clock.instant(), newest.plus(every));
      return wait.isNegative() ? Duration.ZERO : wait;
    } catch (IOException e) {
      return Duration.ZERO;
    }
  }

  private void takeScheduled() {
    try {
      takeBackup();
    } catch (RuntimeException e) {
      LOG.error("scheduled backup failed: {}", e.getMessage(), e);
      ops.report(
          "backup-failed:" + clock.millis(), "backup failed: " + e.getMessage() + " (see the log)");
    }
  }

  /** Takes one backup now, prunes the old ones, reports it; one at a time. */
  synchronized BackupSummary takeBackup() {
    Path folder = dataDir.directory().resolve(FOLDER);
    try {
      DataDir.createPrivateDirectory(folder);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + folder, e);
    }
    String stamp = PREFIX + NAME.format(clock.instant());
    String name = stamp + ".zip";
    for (int n = 2; Files.exists(folder.resolve(name)); n++) {
      name = stamp + "-" + n + ".zip";
    }
    BackupSummary summary =
        Backups.write(dataDir.journal(), folder.resolve(name), BackupOptions.withoutSecrets());
    prune();
    LOG.info("{}", BackupCommands.describe(summary));
    ops.report("backup:" + name, BackupCommands.describe(summary));
    backUpProdDatabases(folder.resolve("db"));
    return summary;
  }

  /** One backup of each prod database; a failure is reported and the others still go. */
  List<Path> backUpProdDatabases(Path folder) {
    DbLayer layer = databases.layer();
    if (layer == null) {
      return List.of();
    }
    List<Path> written = new ArrayList<>();
    for (String database : databases.names()) {
      try {
        Instant at = clock.instant();
        DbLayer.BackupSummary summary = DbBackupCommands.backupInto(layer, database, folder, at);
        Path file = DbBackupCommands.fileFor(database, folder, at);
        written.add(file);
        pruneDatabase(folder, database);
        String text = DbBackupCommands.describe("backed up", summary, file);
        LOG.info("{}", text);
        ops.report("db-backup:" + file.getFileName(), text);
      } catch (RuntimeException e) {
        LOG.error("backup of database {} failed: {}", database, e.getMessage(), e);
        ops.report(
            "db-backup-failed:" + database + ":" + clock.millis(),
            "backup of database " + database + " failed: " + e.getMessage() + " (see the log)");
      }
    }
    return written;
  }

  private void pruneDatabase(Path folder, String database) {
    String prefix = "db-" + database + "-";
    List<Path> all;
    try (Stream<Path> list = Files.list(folder)) {
      all =
          new ArrayList<>(
              list.filter(
                      p ->
                          p.getFileName().toString().startsWith(prefix)
                              && p.getFileName().toString().endsWith(".zip"))
                  .sorted()
                  .toList());
    } catch (IOException e) {
      LOG.warn("cannot list {}: {}", folder, e.getMessage());
      return;
    }
    while (all.size() > keep) {
      Path oldest = all.remove(0);
      try {
        Files.deleteIfExists(oldest);
      } catch (IOException e) {
        LOG.warn("cannot delete the old database backup {}: {}", oldest, e.getMessage());
      }
    }
  }

  /** The backups in the folder, oldest first (their names sort by time). */
  List<Path> backups() {
    Path folder = dataDir.directory().resolve(FOLDER);
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    try (Stream<Path> list = Files.list(folder)) {
      return list.filter(
              p -> {
                String file = p.getFileName().toString();
                return file.startsWith(PREFIX) && file.endsWith(".zip");
              })
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + folder, e);
    }
  }

  private void prune() {
    List<Path> all = new ArrayList<>(backups());
    while (all.size() > keep) {
      Path oldest = all.remove(0);
      try {
        Files.deleteIfExists(oldest);
      } catch (IOException e) {
        LOG.warn("cannot delete the old backup {}: {}", oldest, e.getMessage());
      }
    }
  }

  @Override
  public void close() {
    timer.shutdown();
    try {
      if (!timer.awaitTermination(60, TimeUnit.SECONDS)) {
        timer.shutdownNow();
      }
    } catch (InterruptedException e) {
      timer.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
