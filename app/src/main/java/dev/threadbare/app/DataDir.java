package dev.threadbare.app;

import dev.threadbare.app.repo.JGitConfinement;
import dev.threadbare.core.ThreadbareException;
import dev.threadbare.core.journal.Journal;
import dev.threadbare.journal.Journals;
import dev.threadbare.materializer.GitStore;
import dev.threadbare.materializer.Materializer;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A threadbare data directory: the journal ({@code DIR/journal.db}, SQLite, unless a PostgreSQL
 * JDBC URL is given by {@code --journal-url} or {@code THREADBARE_JOURNAL_URL}), the git store
 * ({@code DIR/git/<channel id>.git}, bare repositories) and the materializer between them. Nothing
 * is written outside the directory.
 *
 * <p>For PostgreSQL, the user and password come from the URL's {@code user} and {@code password}
 * parameters, else from {@code THREADBARE_JOURNAL_USER} and {@code THREADBARE_JOURNAL_PASSWORD}.
 *
 * <p>One process writes a directory at a time: {@link #openForWriting} takes its {@link
 * DataDirLock}; {@link #open} does not, and then catches up and rebuilds only when the lock is
 * free.
 *
 * <p>Lifecycle: {@link #open} (or {@link #openExisting}) it, use it, {@link #close()} it, which
 * closes the materializer and the journal. Thread safe as far as its parts are: the journal and
 * {@link Materializer#catchUp()} may be called from any thread.
 */
public final class DataDir implements AutoCloseable {

  /** The environment variable naming a PostgreSQL journal. */
  public static final String JOURNAL_URL_ENV = "THREADBARE_JOURNAL_URL";

  /** JGit's system property choosing its SHA-1 implementation. */
  private static final String SHA1_PROPERTY = "org.eclipse.jgit.util.sha1.implementation";

  static {
    // The JDK's SHA-1 (with CPU intrinsics) is several times faster than JGit's pure-Java one
    // with collision detection; an operator may still choose the latter by setting the property.
    if (System.getProperty(SHA1_PROPERTY) == null) {
      System.setProperty(SHA1_PROPERTY, "jdkNative");
    }
  }

  private final Path directory;
  private final Journal journal;
  private JournalLogin sharedJournal;
  private final DataDirLock lock;
  private Materializer materializer;

  /** Thrown when a data directory cannot be used; the message names it and the fix. */
  public static final class DataDirException extends ThreadbareException {
    private static final long serialVersionUID = 1L;

    DataDirException(String message) {
      super(message);
    }
  }

  private DataDir(Path directory, Journal journal, DataDirLock lock) {
    this.directory = directory;
    this.journal = journal;
    this.lock = lock;
  }

  /**
   * Opens (creating it if needed) the data directory {@code directory} with the journal at {@code
   * journalUrl} (null or empty: {@value #JOURNAL_URL_ENV}, else SQLite in the directory).
   */
  public static DataDir open(Path directory, String journalUrl) {
    Objects.requireNonNull(directory, "directory");
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new DataDirException(
          "cannot create the data directory " + directory + ": " + e.getMessage());
    }
    JGitConfinement.confineTo(directory);
    DataDir dir =
        withLogin(new DataDir(directory, openJournal(directory, journalUrl), null), journalUrl);
    dir.secure();
    return dir;
  }

  /**
   * As {@link #open}, for a process that writes the journal and the git store: takes the
   * directory's {@link DataDirLock} for {@code command} (such as {@code "threadbare serve"}) and
   * holds it until {@link #close()}.
   *
   * @throws DataDirException when another process writes the directory; the message names it
   */
  public static DataDir openForWriting(Path directory, String journalUrl, String command) {
    Objects.requireNonNull(directory, "directory");
    DataDirLock lock = DataDirLock.acquire(directory, command);
    try {
      JGitConfinement.confineTo(directory);
      DataDir dir =
          withLogin(new DataDir(directory, openJournal(directory, journalUrl), lock), journalUrl);
      dir.secure();
      return dir;
    } catch (RuntimeException e) {
      lock.close();
      throw e;
    }
  }

  /** As {@link #open}, but the directory must exist already (for commands that only read). */
  public static DataDir openExisting(Path directory, String journalUrl) {
    requireExisting(directory);
    return open(directory, journalUrl);
  }

  /**
   * Checks that {@code directory} exists, for commands that work on data already there.
   *
   * @throws DataDirException naming the directory and how to make one
   */
  public static void requireExisting(Path directory) {
    Objects.requireNonNull(directory, "directory");
    if (!Files.isDirectory(directory)) {
      throw new DataDirException(
          "data directory "
              + directory
              + " does not exist: run `threadbare ingest --data "
              + directory
              + " FILE` (or serve) first");
    }
  }

  /**
   * How to reach a PostgreSQL journal: its JDBC URL, user and password (from the URL's parameters,
   * else {@code THREADBARE_JOURNAL_USER} / {@code THREADBARE_JOURNAL_PASSWORD}).
   */
  public record JournalLogin(String url, String user, String password) {
    @Override
    public String toString() {
      return url.replaceAll("(?i)([?&;]password=)[^&;]*", "$1***") + " (user " + user + ")";
    }
  }

  private static DataDir withLogin(DataDir dataDir, String journalUrl) {
    dataDir.sharedJournal = login(journalUrl);
    return dataDir;
  }

  /**
   * The PostgreSQL journal this directory's process shares with other nodes, or empty for SQLite.
   */
  public Optional<JournalLogin> sharedJournal() {
    return Optional.ofNullable(sharedJournal);
  }

  /**
   * This node's name among several sharing a PostgreSQL journal: made once per data directory
   * ({@code DIR/node-id}); the materializer's journal cursor is kept under it, since each node has
   * a git store of its own.
   */
  public static String nodeId(Path directory) {
    Path file = directory.resolve("node-id");
    try {
      if (Files.exists(file)) {
        return Files.readString(file, StandardCharsets.UTF_8).strip();
      }
      Files.createDirectories(directory);
      String id = "node-" + java.util.UUID.randomUUID().toString().substring(0, 13);
      Files.writeString(file, id + "\n", StandardCharsets.UTF_8);
      return id;
    } catch (IOException e) {
      throw new DataDirException("cannot read or write " + file + ": " + e.getMessage());
    }
  }

  private static JournalLogin login(String journalUrl) {
    String url = journalUrl;
    if (url == null || url.isBlank()) {
      url = System.getenv(JOURNAL_URL_ENV);
    }
    if (url == null || url.isBlank() || !url.startsWith("jdbc:postgresql:")) {
      return null;
    }
    Map<String, String> parameters = parameters(url);
    return new JournalLogin(
        url,
        parameters.getOrDefault(
            "user", Objects.requireNonNullElse(System.getenv("THREADBARE_JOURNAL_USER"), "")),
        parameters.getOrDefault(
            "password",
            Objects.requireNonNullElse(System.getenv("THREADBARE_JOURNAL_PASSWORD"), "")));
  }

  private static Journal openJournal(Path directory, String journalUrl) {
    String url = journalUrl;
    if (url == null || url.isBlank()) {
      url = System.getenv(JOURNAL_URL_ENV);
    }
    if (url == null || url.isBlank()) {
      return Journals.sqlite(directory.resolve("journal.db"));
    }
    if (!url.startsWith("jdbc:postgresql:")) {
      throw new DataDirException(
          "journal URL `"
              + url
              + "` is not a PostgreSQL JDBC URL: expected jdbc:postgresql://host:port/database"
              + " (leave it unset for SQLite in the data directory)");
    }
    JournalLogin login = login(url);
    // Several nodes may share this journal: each has its own git store, so its own
    // materializer cursor; the bot's cursor is one for all.
    return Journals.withNodeCursors(
        Journals.postgres(login.url(), login.user(), login.password()),
        nodeId(directory),
        Set.of(Materializer.CURSOR));
  }

  private static Map<String, String> parameters(String url) {
    Map<String, String> out = new HashMap<>();
    int query = url.indexOf('?');
    if (query < 0) {
      return out;
    }
    for (String pair : url.substring(query + 1).split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        out.put(
            URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  /**
   * Creates {@code directory} (with its parents) readable by its owner alone (0700) where the file
   * system has POSIX permissions, and makes an existing one so.
   */
  public static void createPrivateDirectory(Path directory) throws IOException {
    Files.createDirectories(directory);
    if (posix(directory)) {
      Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
    }
  }

  /** Writes {@code file} readable by its owner alone (0600), replacing it atomically. */
  public static void writePrivateFile(Path file, byte[] content) throws IOException {
    Path partial = file.resolveSibling(file.getFileName() + ".part");
    Files.deleteIfExists(partial);
    if (posix(file.getParent())) {
      Files.createFile(
          partial,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
    Files.write(partial, content);
    Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** The folders whose files {@link #secure()} makes owner-only, besides the directory's own. */
  private static final List<String> PRIVATE_FOLDERS = List.of("ops", "secrets", "backups");

  /**
   * The folders the sandbox's user must reach by path (deployments' and prod's build outputs, whose
   * modes the deploy and prod modules set); every other folder of the directory is made 0700.
   */
  private static final List<String> SANDBOX_FOLDERS = List.of("deploys", "prod");

  /**
   * Makes the directory traversable but not listable by others (0711: the sandbox's user reaches
   * the deployments' and prod's build outputs under it by path, and nothing else), {@code ops/},
   * {@code secrets/}, {@code backups/} and every other folder but {@code deploys/} and {@code
   * prod/} owner-only (0700), and the files of the directory, ops, secrets and backups readable and
   * writable by their owner alone (0600): tokens, the journal and the outbox are nobody else's
   * business. SQLite gives its {@code -wal} and {@code -shm} files the database's permissions.
   * Called on open and by serve once its stores exist; a no-op where the file system has no POSIX
   * permissions.
   */
  public void secure() {
    secure(directory);
  }

  private static void secure(Path directory) {
    if (!posix(directory)) {
      return;
    }
    try {
      Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx--x--x"));
      List<Path> folders = new ArrayList<>();
      folders.add(directory);
      for (String name : PRIVATE_FOLDERS) {
        Path folder = directory.resolve(name);
        if (Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
          Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwx------"));
          folders.add(folder);
        }
      }
      // Every other folder (git/ holds private channels' code, ci-logs/ their test output, db/ the
      // databases) is its owner's: 0711 on the directory would otherwise let anyone who knows or
      // guesses a name read it.
      try (Stream<Path> entries = Files.list(directory)) {
        for (Path entry : entries.toList()) {
          if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)
              && !SANDBOX_FOLDERS.contains(entry.getFileName().toString())) {
            Files.setPosixFilePermissions(entry, PosixFilePermissions.fromString("rwx------"));
          }
        }
      }
      for (Path folder : folders) {
        try (Stream<Path> files = Files.list(folder)) {
          for (Path file : files.toList()) {
            if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
              Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            }
          }
        }
      }
    } catch (IOException e) {
      throw new DataDirException(
          "cannot make the data directory "
              + directory
              + " owner-only: "
              + e.getMessage()
              + "; run threadbare as the directory's owner");
    }
  }

  private static boolean posix(Path path) {
    return path.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  /** The directory. */
  public Path directory() {
    return directory;
  }

  /** The journal. */
  public Journal journal() {
    return journal;
  }

  /** The git store's directory, {@code DIR/git}. */
  public Path gitDirectory() {
    return directory.resolve("git");
  }

  /** The git store (read side). */
  public GitStore store() {
    return GitStore.open(gitDirectory());
  }

  /** The materializer over the journal and the git store, opened on first use. */
  public synchronized Materializer materializer() {
    if (materializer == null) {
      materializer = Materializer.open(journal, gitDirectory());
    }
    return materializer;
  }

  /**
   * Brings the git store up to date with the journal, if it is behind. Opened without the lock (a
   * read-only command), it does so only when no other process writes the directory: a running
   * {@code serve} keeps the store up to date itself, and two materializers must not write one
   * store.
   */
  public void catchUp() {
    if (journal.cursor(Materializer.CURSOR) >= journal.lastSeq()) {
      return;
    }
    if (lock != null) {
      materializer().catchUp();
      return;
    }
    Optional<DataDirLock> forNow = DataDirLock.tryAcquire(directory, "threadbare (catching up)");
    if (forNow.isEmpty()) {
      return;
    }
    try (DataDirLock held = forNow.get()) {
      materializer().catchUp();
    }
  }

  /** The file in {@code DIR/git} holding the {@link JournalStamp} of the last up-to-date check. */
  static final String CAUGHT_UP_STAMP = "journal-stamp";

  /**
   * Brings the git store of {@code directory} up to date for a command that only reads it ({@code
   * tree}, {@code show}, {@code log}): as {@link #openExisting} then {@link #catchUp()}, but with
   * the default SQLite journal it opens the journal only when it may hold entries the store lacks.
   * After a check finds the store up to date (holding the directory's lock, the journal closed), it
   * records the journal files' {@link JournalStamp} in {@code DIR/git/journal-stamp}; while the
   * files still match it, the journal is not opened at all. When another process holds the lock
   * (serve, ingest), that process keeps the store up to date, so nothing is opened either.
   */
  public static void catchUpForReading(Path directory, String journalUrl) {
    requireExisting(directory);
    String url = journalUrl;
    if (url == null || url.isBlank()) {
      url = System.getenv(JOURNAL_URL_ENV);
    }
    if (url != null && !url.isBlank()) {
      try (DataDir dir = open(directory, journalUrl)) {
        dir.catchUp();
      }
      return;
    }
    JGitConfinement.confineTo(directory);
    secure(directory);
    Path journalFile = directory.resolve("journal.db");
    Path stampFile = directory.resolve("git").resolve(CAUGHT_UP_STAMP);
    try {
      Optional<String> stamp = JournalStamp.read(stampFile);
      if (stamp.isPresent() && stamp.get().equals(JournalStamp.of(journalFile).text())) {
        return;
      }
      Optional<DataDirLock> free = DataDirLock.tryAcquire(directory, "threadbare (catching up)");
      if (free.isEmpty()) {
        return;
      }
      try (DataDirLock held = free.get()) {
        Files.deleteIfExists(stampFile);
        DataDir dir = new DataDir(directory, Journals.sqlite(journalFile), held);
        try {
          dir.catchUp();
        } finally {
          dir.closeKeepingLock();
        }
        JournalStamp now = JournalStamp.of(journalFile);
        if (now.settled(java.time.Instant.now()) && Files.isDirectory(stampFile.getParent())) {
          Path partial = stampFile.resolveSibling(CAUGHT_UP_STAMP + ".part");
          Files.writeString(partial, now.text(), StandardCharsets.UTF_8);
          Files.move(
              partial,
              stampFile,
              StandardCopyOption.REPLACE_EXISTING,
              StandardCopyOption.ATOMIC_MOVE);
        }
      }
    } catch (IOException e) {
      throw new DataDirException(
          "cannot check whether the git store of " + directory + " is up to date: " + e);
    }
  }

  /**
   * Deletes the git store and writes it again from the journal; returns the entries read.
   *
   * @throws DataDirException when another process writes the directory (a running serve)
   */
  public synchronized long rebuild() {
    if (materializer != null) {
      materializer.close();
      materializer = null;
    }
    if (lock != null) {
      return Materializer.rebuild(journal, gitDirectory());
    }
    try (DataDirLock held = DataDirLock.acquire(directory, "threadbare rebuild")) {
      return Materializer.rebuild(journal, gitDirectory());
    }
  }

  @Override
  public synchronized void close() {
    try {
      closeKeepingLock();
    } finally {
      if (lock != null) {
        lock.close();
      }
    }
  }

  private synchronized void closeKeepingLock() {
    try {
      if (materializer != null) {
        materializer.close();
      }
    } finally {
      journal.close();
    }
  }
}
