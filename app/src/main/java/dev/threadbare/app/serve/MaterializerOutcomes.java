package dev.threadbare.app.serve;

import dev.threadbare.chat.bot.EntryOutcome;
import dev.threadbare.chat.bot.FileChange;
import dev.threadbare.chat.bot.Materialization;
import dev.threadbare.chat.bot.RepositoryStatus;
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
import java.util.List;
import java.util.Map;
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

  private final Materializer materializer;
  private final Map<Long, Outcome> collected = new HashMap<>();

  MaterializerOutcomes(Materializer materializer) {
    this.materializer = materializer;
    materializer.addListener(
        outcome -> {
          synchronized (collected) {
            collected.put(outcome.entry().seq(), outcome);
          }
        });
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
      if (outcome == null) {
        continue;
      }
      BranchChange first = outcome.changes().isEmpty() ? null : outcome.changes().get(0);
      result.add(
          EntryOutcome.of(
              entry,
              outcome.refused(),
              first == null ? null : first.branch(),
              first == null ? null : first.after().name(),
              first == null ? List.of() : changes(entry.channel(), first),
              outcome.problems()));
    }
    return result;
  }

  private List<FileChange> changes(String channel, BranchChange change) {
    GitStore store = materializer.store();
    List<FileChange> files = new ArrayList<>();
    try (Repository repo = store.repository(channel)) {
      for (String path : change.paths()) {
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
