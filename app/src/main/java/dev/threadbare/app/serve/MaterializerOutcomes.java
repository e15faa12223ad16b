package dev.threadbare.app.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.threadbare.chat.bot.EntryOutcome;
import dev.threadbare.chat.bot.FileChange;
import dev.threadbare.chat.bot.Materialization;
import dev.threadbare.chat.bot.RepositoryStatus;
import dev.threadbare.core.grammar.ChatGrammar;
import dev.threadbare.core.grammar.Command;
import dev.threadbare.core.grammar.ParsedMessage;
import dev.threadbare.core.journal.EntryKind;
import dev.threadbare.core.journal.Journal;
import dev.threadbare.core.journal.JournalEntry;
import dev.threadbare.materializer.BranchChange;
import dev.threadbare.materializer.GitStore;
import dev.threadbare.materializer.Materializer;
import dev.threadbare.materializer.Outcome;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.treewalk.filter.PathFilter;

/**
 * The bot's {@link Materialization} over the real materializer, as the {@code app} module wires it:
 * apply the journal up to the new entries, collect their outcomes, and render JGit diffs for new
 * file versions. Thread safe (one caller at a time).
 */
final class MaterializerOutcomes implements Materialization {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Materializer materializer;
  private final ChatGrammar grammar = ChatGrammar.create();
  private final Map<Long, Outcome> collected = new HashMap<>();
  private final long processedBefore;

  /**
   * Outcomes of {@code materializer}; entries {@code journal} shows as materialized before now (by
   * an earlier run) get an outcome read from their message alone, without a diff.
   */
  MaterializerOutcomes(Materializer materializer, Journal journal) {
    this.materializer = materializer;
    materializer.addListener(
        outcome -> {
          synchronized (collected) {
            collected.put(outcome.entry().seq(), outcome);
          }
        });
    this.processedBefore = journal.cursor(Materializer.CURSOR);
  }

  @Override
  public synchronized List<EntryOutcome> outcomes(List<JournalEntry> entries) {
    materializer.catchUp();
    List<EntryOutcome> result = new ArrayList<>();
    for (JournalEntry entry : entries) {
      Outcome outcome;
      synchronized (collected) {
        outcome = collected.remove(entry.seq());
      }
      Optional<ParsedMessage> parsed = parse(entry);
      if (outcome == null) {
        // Materialized by an earlier run whose bot never answered it (a crash): no diff to show.
        if (entry.seq() <= processedBefore && parsed.isPresent()) {
          ParsedMessage message = parsed.get();
          result.add(
              EntryOutcome.of(
                  entry,
                  message.refused(),
                  message.changesTree(),
                  null,
                  null,
                  List.of(),
                  message.problems()));
        }
        continue;
      }
      Set<String> defined = parsed.map(MaterializerOutcomes::definedPaths).orElse(Set.of());
      BranchChange own = ownChange(entry, outcome.changes());
      result.add(
          EntryOutcome.of(
              entry,
              outcome.refused(),
              parsed.map(ParsedMessage::changesTree).orElse(false),
              own == null ? null : own.branch(),
              own == null ? null : own.after().name(),
              own == null ? List.of() : changes(entry.channel(), own, defined),
              outcome.problems()));
    }
    return result;
  }

  /**
   * The commit on the message's own branch ({@code main} for a top-level message, the thread's
   * branch for a reply), or null: a message may move other branches too (a late root changes the
   * branches of threads forked from it), and those are not its diff.
   */
  private static BranchChange ownChange(JournalEntry entry, List<BranchChange> changes) {
    String thread = entry.threadTs();
    boolean reply = thread != null && !thread.equals(entry.ts());
    for (BranchChange change : changes) {
      if (reply ? change.branch().equals("thread/" + thread) : change.branch().equals("main")) {
        return change;
      }
    }
    if (reply) {
      for (BranchChange change : changes) {
        if (change.branch().startsWith("thread/")) {
          return change;
        }
      }
    }
    return null;
  }

  /** The paths a message defines: its files, and the paths of its {@code rm} and {@code mv}. */
  private static Set<String> definedPaths(ParsedMessage message) {
    Set<String> paths = new HashSet<>();
    message.files().forEach(f -> paths.add(f.path().value()));
    for (Command command : message.commands()) {
      if (command instanceof Command.Remove remove) {
        paths.add(remove.path().value());
      } else if (command instanceof Command.Move move) {
        paths.add(move.from().value());
        paths.add(move.to().value());
      }
    }
    return paths;
  }

  /** The message's parse, for messages only (a shared file's content is not a message). */
  private Optional<ParsedMessage> parse(JournalEntry entry) {
    if (entry.kind() != EntryKind.MESSAGE) {
      return Optional.empty();
    }
    try {
      return Optional.of(grammar.parse(JSON.readTree(entry.payload()), List.of()));
    } catch (JsonProcessingException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * The files {@code change} changed, limited to {@code defined} when the message names its paths
   * (a message with only attachments names none here: all of the commit's paths are its own).
   */
  private List<FileChange> changes(String channel, BranchChange change, Set<String> defined) {
    GitStore store = materializer.store();
    List<FileChange> files = new ArrayList<>();
    try (Repository repo = store.repository(channel)) {
      for (String path : change.paths()) {
        if (!defined.isEmpty() && !defined.contains(path)) {
          continue;
        }
        if (change.before() == null) {
          files.add(new FileChange(path, FileChange.Kind.ADDED, ""));
          continue;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DiffFormatter diff = new DiffFormatter(out)) {
          diff.setRepository(repo);
          diff.setPathFilter(PathFilter.create(path));
          List<DiffEntry> entries = diff.scan(change.before(), change.after());
          FileChange.Kind kind = FileChange.Kind.MODIFIED;
          for (DiffEntry e : entries) {
            kind =
                switch (e.getChangeType()) {
                  case ADD -> FileChange.Kind.ADDED;
                  case DELETE -> FileChange.Kind.REMOVED;
                  case RENAME -> FileChange.Kind.MOVED;
                  default -> FileChange.Kind.MODIFIED;
                };
            diff.format(e);
          }
          files.add(
              new FileChange(
                  path,
                  kind,
                  kind == FileChange.Kind.MODIFIED ? out.toString(StandardCharsets.UTF_8) : ""));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  @Override
  public RepositoryStatus status(String team, String channel) {
    GitStore store = materializer.store();
    if (!store.channels().contains(channel)) {
      return new RepositoryStatus(channel, "main", null, 0, 0);
    }
    ObjectId head =
        store.branches(channel).contains("main") ? store.resolve(channel, "main") : null;
    String name = store.channelName(channel);
    return new RepositoryStatus(
        name == null ? channel : name,
        "main",
        head == null ? null : head.name(),
        head == null ? 0 : store.tree(channel, "main").size(),
        Math.max(0, store.branches(channel).size() - 1));
  }
}
