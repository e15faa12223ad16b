package dev.threadbare.materializer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.jgit.diff.RawText;
import org.eclipse.jgit.diff.Sequence;
import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.TreeFormatter;
import org.eclipse.jgit.merge.MergeChunk;
import org.eclipse.jgit.merge.MergeResult;
import org.eclipse.jgit.merge.MergeStrategy;
import org.eclipse.jgit.merge.ResolveMerger;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.revwalk.filter.RevFilter;
import org.eclipse.jgit.treewalk.EmptyTreeIterator;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.TreeFilter;

/**
 * The three-way, line-level merge of a thread's head into main's (JGit's {@link ResolveMerger}), in
 * core: nothing touches a work tree, objects go through the caller's inserter (a pack of the batch,
 * or the dry inserter of a replay), so a replay computes the same ids. Stateless.
 *
 * <p>The base is the merge base of the two commits in the graph (the fork, or the thread's head at
 * its last merge), except for paths a reply resolved after a conflicting attempt: their base is
 * main's version at that attempt, the version the person resolved against. So the resolution wins
 * unless main changed the path again since, and then the two are merged line by line again.
 */
final class ThreadMerge {

  /** Lines of context shown around a conflicting hunk. */
  static final int CONTEXT = 2;

  /** Conflicting hunk lines shown per path before the rest is summarised. */
  static final int MAX_LINES = 30;

  private ThreadMerge() {}

  /** What a merge attempt found. */
  sealed interface Result {}

  /** The thread's head is already part of main: nothing to merge. */
  record AlreadyMerged() implements Result {}

  /** A clean merge: the merged tree. */
  record Clean(ObjectId tree) implements Result {}

  /**
   * Conflicts: per path (sorted), the conflicting hunks as text, and main's blob of the path (null:
   * absent on main).
   */
  record Conflicted(Map<String, String> hunks, Map<String, ObjectId> mainBlobs) implements Result {}

  static Result merge(
      ObjectReader reader,
      ObjectInserter inserter,
      TreeEditor trees,
      ObjectId main,
      ObjectId thread,
      Map<String, ObjectId> baseOverrides,
      String threadBranch)
      throws IOException {
    ObjectId baseTree;
    RevCommit ours;
    RevCommit theirs;
    try (RevWalk walk = new RevWalk(reader)) {
      ours = walk.parseCommit(main);
      theirs = walk.parseCommit(thread);
      if (walk.isMergedInto(theirs, ours)) {
        return new AlreadyMerged();
      }
      walk.reset();
      walk.setRevFilter(RevFilter.MERGE_BASE);
      walk.markStart(walk.parseCommit(main));
      walk.markStart(walk.parseCommit(thread));
      RevCommit base = walk.next();
      baseTree = base == null ? null : base.getTree().copy();
    }
    if (baseTree == null || !baseOverrides.isEmpty()) {
      baseTree =
          baseOverrides.isEmpty() && baseTree == null
              ? inserter.insert(new TreeFormatter())
              : trees.apply(reader, inserter, baseTree, baseOverrides);
    }
    ResolveMerger merger = (ResolveMerger) MergeStrategy.RESOLVE.newMerger(inserter, new Config());
    merger.setBase(baseTree);
    if (merger.merge(false, ours, theirs)) {
      return new Clean(merger.getResultTreeId().copy());
    }
    Map<String, String> hunks = new TreeMap<>();
    Map<String, ObjectId> mainBlobs = new TreeMap<>();
    Map<String, MergeResult<? extends Sequence>> results = merger.getMergeResults();
    for (String path : merger.getUnmergedPaths()) {
      MergeResult<? extends Sequence> result = results.get(path);
      hunks.put(
          path,
          result == null
              ? describe(reader, baseTree, ours, theirs, path)
              : hunks(result, threadBranch));
      mainBlobs.put(path, blob(reader, ours.getTree(), path));
    }
    if (hunks.isEmpty()) {
      // JGit declined without naming a path (it should not in core): say so rather than merge.
      hunks.put("(repository)", "the merge could not be made; post the files again and merge");
    }
    return new Conflicted(hunks, mainBlobs);
  }

  /** A conflict of existence: one side changed the file, the other removed it. */
  private static String describe(
      ObjectReader reader, ObjectId base, RevCommit ours, RevCommit theirs, String path)
      throws IOException {
    boolean onMain = blob(reader, ours.getTree(), path) != null;
    boolean inThread = blob(reader, theirs.getTree(), path) != null;
    boolean inBase = blob(reader, base, path) != null;
    if (onMain && !inThread) {
      return "removed in the thread but changed on `main`: post it in the thread (or `rm "
          + path
          + "` again) and merge again";
    }
    if (!onMain && inThread) {
      return (inBase ? "removed on `main` but changed in the thread" : "added on both sides")
          + ": post the file you want in the thread and merge again";
    }
    return "changed on both sides in a way that cannot be merged line by line (a file and a"
        + " directory, or binary content): post the file you want in the thread and merge again";
  }

  /** The conflicting hunks of one text merge, with a little context, as conflict markers. */
  static String hunks(MergeResult<? extends Sequence> result, String threadBranch) {
    List<? extends Sequence> sequences = result.getSequences();
    StringBuilder out = new StringBuilder();
    int shown = 0;
    int hidden = 0;
    int oursLine = 1;
    List<MergeChunk> chunks = new ArrayList<>();
    result.iterator().forEachRemaining(chunks::add);
    for (int i = 0; i < chunks.size(); i++) {
      MergeChunk chunk = chunks.get(i);
      if (chunk.getConflictState() != MergeChunk.ConflictState.FIRST_CONFLICTING_RANGE) {
        if (chunk.getConflictState() == MergeChunk.ConflictState.NO_CONFLICT) {
          oursLine += chunk.getEnd() - chunk.getBegin();
        }
        continue;
      }
      MergeChunk next = null;
      int j = i + 1;
      while (j < chunks.size()
          && chunks.get(j).getConflictState() == MergeChunk.ConflictState.BASE_CONFLICTING_RANGE) {
        j++;
      }
      if (j < chunks.size()
          && chunks.get(j).getConflictState() == MergeChunk.ConflictState.NEXT_CONFLICTING_RANGE) {
        next = chunks.get(j);
      }
      List<String> lines = new ArrayList<>();
      MergeChunk before = i > 0 ? chunks.get(i - 1) : null;
      if (before != null && before.getConflictState() == MergeChunk.ConflictState.NO_CONFLICT) {
        int from = Math.max(before.getBegin(), before.getEnd() - CONTEXT);
        appendLines(lines, sequences.get(before.getSequenceIndex()), from, before.getEnd(), "  ");
      }
      lines.add("<<<<<<< main (line " + oursLine + ")");
      appendLines(
          lines, sequences.get(chunk.getSequenceIndex()), chunk.getBegin(), chunk.getEnd(), "");
      lines.add("=======");
      if (next != null) {
        appendLines(
            lines, sequences.get(next.getSequenceIndex()), next.getBegin(), next.getEnd(), "");
      }
      lines.add(">>>>>>> " + threadBranch);
      oursLine += chunk.getEnd() - chunk.getBegin();
      for (String line : lines) {
        if (shown < MAX_LINES) {
          out.append(line).append('\n');
          shown++;
        } else {
          hidden++;
        }
      }
      i = next == null ? i : j;
    }
    if (hidden > 0) {
      out.append("… ").append(hidden).append(" more lines\n");
    }
    return out.toString().stripTrailing();
  }

  private static void appendLines(
      List<String> lines, Sequence sequence, int from, int to, String prefix) {
    if (!(sequence instanceof RawText text)) {
      return;
    }
    for (int line = from; line < to; line++) {
      lines.add(prefix + text.getString(line));
    }
  }

  /** The blob {@code path} names in {@code tree}, or null. */
  static ObjectId blob(ObjectReader reader, ObjectId tree, String path) throws IOException {
    if (tree == null) {
      return null;
    }
    try (TreeWalk walk = TreeWalk.forPath(reader, path, tree)) {
      return walk == null || walk.isSubtree() ? null : walk.getObjectId(0).copy();
    }
  }

  /** Every path whose blob differs between {@code from} and {@code to}: path → blob, null: gone. */
  static Map<String, ObjectId> changes(ObjectReader reader, ObjectId from, ObjectId to)
      throws IOException {
    Map<String, ObjectId> changed = new TreeMap<>();
    try (TreeWalk walk = new TreeWalk(reader)) {
      if (from == null) {
        walk.addTree(new EmptyTreeIterator());
      } else {
        walk.addTree(from);
      }
      walk.addTree(to);
      walk.setRecursive(true);
      walk.setFilter(TreeFilter.ANY_DIFF);
      while (walk.next()) {
        ObjectId after = walk.getRawMode(1) == 0 ? null : walk.getObjectId(1).copy();
        changed.put(walk.getPathString(), after);
      }
    }
    return changed;
  }
}
