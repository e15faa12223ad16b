package dev.threadbare.backup;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * An external sort of journal facts, so a backup or a restore of any size runs in a small heap:
 * facts are added in any order, kept in memory up to a budget of characters, then sorted and
 * written to a run file in an owner-only scratch folder (the facts are the chat's messages); {@link
 * #forEachSorted} merges the runs. Not thread safe; {@link #close} deletes the scratch folder.
 */
final class SpilledFacts implements AutoCloseable {

  /** The in-memory budget by default, in characters of fact JSON (about twice as many bytes). */
  static final long DEFAULT_BUDGET = 4L << 20;

  /**
   * One fact and where it sorts: by channel, then message ts, then journal seq.
   *
   * @param json the fact as one line of JSON (Jackson escapes every newline inside strings)
   */
  record Fact(String channel, String ts, long seq, String json) {}

  /** Backups: a channel's messages in ts order, each message's facts in seq order. */
  static final Comparator<Fact> BY_CHANNEL_TS_SEQ =
      Comparator.comparing(Fact::channel)
          .thenComparing(Fact::ts, ExportWriter.BY_TS)
          .thenComparing(Fact::ts)
          .thenComparingLong(Fact::seq);

  /** Restores: journal order. */
  static final Comparator<Fact> BY_SEQ = Comparator.comparingLong(Fact::seq);

  private final Path scratch;
  private final Comparator<Fact> order;
  private final long budget;
  private final List<Fact> buffer = new ArrayList<>();
  private final List<Path> runs = new ArrayList<>();
  private long buffered;
  private long size;

  /**
   * @param scratch a folder that does not exist yet, created owner-only, deleted by {@link #close}
   */
  SpilledFacts(Path scratch, Comparator<Fact> order, long budget) throws IOException {
    if (budget <= 0) {
      throw new IllegalArgumentException("budget " + budget + " must be positive");
    }
    this.scratch = scratch;
    this.order = order;
    this.budget = budget;
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      Files.createDirectory(
          scratch,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } else {
      Files.createDirectory(scratch);
    }
  }

  void add(Fact fact) throws IOException {
    if (fact.channel().indexOf('\t') >= 0
        || fact.ts().indexOf('\t') >= 0
        || fact.json().indexOf('\n') >= 0) {
      throw new BackupException(
          "journal entry seq "
              + fact.seq()
              + " has a tab in its channel or ts, or a line break in its JSON: the journal is damaged");
    }
    buffer.add(fact);
    size++;
    buffered += fact.json().length() + fact.channel().length() + fact.ts().length() + 64;
    if (buffered >= budget) {
      spill();
    }
  }

  /** How many facts were added. */
  long size() {
    return size;
  }

  /** How many run files were written so far (a test's witness that the merge was exercised). */
  int runs() {
    return runs.size();
  }

  private void spill() throws IOException {
    if (buffer.isEmpty()) {
      return;
    }
    buffer.sort(order);
    Path run = scratch.resolve("run-" + runs.size());
    try (Writer out = Files.newBufferedWriter(run, StandardCharsets.UTF_8)) {
      for (Fact fact : buffer) {
        out.write(fact.channel());
        out.write('\t');
        out.write(fact.ts());
        out.write('\t');
        out.write(Long.toString(fact.seq()));
        out.write('\t');
        out.write(fact.json());
        out.write('\n');
      }
    }
    runs.add(run);
    buffer.clear();
    buffered = 0;
  }

  /**
   * Hands every fact to {@code sink} in order. May be called more than once (a restore checks the
   * whole backup before it appends anything); after the first call nothing more may be added.
   */
  void forEachSorted(Consumer<Fact> sink) throws IOException {
    spill();
    List<Run> open = new ArrayList<>();
    try {
      PriorityQueue<Run> heads = new PriorityQueue<>((a, b) -> order.compare(a.head, b.head));
      for (Path path : runs) {
        Run run = new Run(Files.newBufferedReader(path, StandardCharsets.UTF_8), path);
        open.add(run);
        if (run.advance()) {
          heads.add(run);
        }
      }
      while (!heads.isEmpty()) {
        Run run = heads.poll();
        sink.accept(run.head);
        if (run.advance()) {
          heads.add(run);
        }
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    } finally {
      for (Run run : open) {
        run.in.close();
      }
    }
  }

  @Override
  public void close() {
    try (Stream<Path> files = Files.list(scratch)) {
      for (Path file : files.toList()) {
        Files.deleteIfExists(file);
      }
      Files.deleteIfExists(scratch);
    } catch (IOException e) {
      // Left behind in the scratch folder's parent; nothing reads it again.
    }
  }

  /** One run file being merged, with its current line parsed. */
  private static final class Run {
    final BufferedReader in;
    final Path path;
    Fact head;

    Run(BufferedReader in, Path path) {
      this.in = in;
      this.path = path;
    }

    boolean advance() {
      String line;
      try {
        line = in.readLine();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (line == null) {
        head = null;
        return false;
      }
      int first = line.indexOf('\t');
      int second = line.indexOf('\t', first + 1);
      int third = line.indexOf('\t', second + 1);
      if (first < 0 || second < 0 || third < 0) {
        throw new BackupException("scratch file " + path + " was changed while in use: " + line);
      }
      head =
          new Fact(
              line.substring(0, first),
              line.substring(first + 1, second),
              Long.parseLong(line.substring(second + 1, third)),
              line.substring(third + 1));
      return true;
    }
  }
}
