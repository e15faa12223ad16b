package dev.threadbare.materializer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.eclipse.jgit.lib.ObjectId;

/**
 * The head rule of one channel, kept incrementally: for every path, the definitions of the live
 * messages of each lineage ordered by original ts. Holds blob ids, never contents. Not thread safe:
 * owned by the materializer's single consumer.
 *
 * <p>Git cannot hold a file and a directory of the same name. So a path's head is left out of the
 * tree when a path in a directory relation to it ({@code lib} and {@code lib/one.py}) has a head
 * defined by an older message: the older definition wins, the newer is refused. This is a pure
 * function of the per-path heads, so the tree stays a pure function of the visible messages.
 */
final class ChannelIndex {

  /** The lineage key of {@code main}; a thread's key is its root ts in microseconds. */
  static final long MAIN = -1L;

  /** The materializer's knowledge of one message. */
  static final class Message {
    final long ts;
    final long lineage;
    boolean seen;
    long version = Long.MIN_VALUE;
    boolean deleted;
    String user;
    Map<String, Def> effects = Map.of();

    /**
     * For a merge's definitions on main (see {@code Materializer}): the merged thread's lineage,
     * whose reply at {@link #ts} triggered the merge; 0 for an ordinary message.
     */
    long mergeOf;

    /** Whether this reply's {@code merge} was acted on (an edit does not merge again). */
    boolean mergeAsked;

    /** The payload of the current version while some of its attachments are not yet in. */
    String pendingPayload;

    Message(long ts, long lineage) {
      this.ts = ts;
      this.lineage = lineage;
    }
  }

  private final Map<Long, Message> messages = new HashMap<>();
  private final Map<String, NavigableMap<Long, Def>> mainDefs = new HashMap<>();
  private final Map<Long, Map<String, NavigableMap<Long, Def>>> threadDefs = new HashMap<>();

  /** Every path any message ever defined, sorted (a directory's files follow {@code dir/}). */
  private final TreeSet<String> allPaths = new TreeSet<>();

  /** For {@code mv A B}: A → {B}. Only grows; an over-approximation is harmless. */
  private final Map<String, Set<String>> dependents = new HashMap<>();

  Message message(long ts) {
    return messages.get(ts);
  }

  Message messageOrCreate(long ts, long lineage) {
    return messages.computeIfAbsent(ts, t -> new Message(t, lineage));
  }

  /** Replaces what {@code message} defines, keeping every per-path definition list in step. */
  void setEffects(Message message, Map<String, Def> effects) {
    Map<String, NavigableMap<Long, Def>> defs = defsOf(message.lineage);
    for (String path : message.effects.keySet()) {
      NavigableMap<Long, Def> byTs = defs.get(path);
      if (byTs != null) {
        byTs.remove(message.ts);
        if (byTs.isEmpty()) {
          defs.remove(path);
        }
      }
    }
    for (Map.Entry<String, Def> e : effects.entrySet()) {
      defs.computeIfAbsent(e.getKey(), k -> new TreeMap<>()).put(message.ts, e.getValue());
      allPaths.add(e.getKey());
      if (e.getValue() instanceof Def.MovedFrom moved) {
        dependents.computeIfAbsent(moved.source(), k -> new HashSet<>()).add(e.getKey());
      }
    }
    message.effects = Map.copyOf(effects);
  }

  private Map<String, NavigableMap<Long, Def>> defsOf(long lineage) {
    return lineage == MAIN ? mainDefs : threadDefs.computeIfAbsent(lineage, k -> new HashMap<>());
  }

  /** {@code paths} plus every path whose content may follow one of them through {@code mv}. */
  Set<String> withDependents(Set<String> paths) {
    Set<String> all = new LinkedHashSet<>(paths);
    ArrayDeque<String> todo = new ArrayDeque<>(paths);
    while (!todo.isEmpty()) {
      for (String next : dependents.getOrDefault(todo.pop(), Set.of())) {
        if (all.add(next)) {
          todo.push(next);
        }
      }
    }
    return all;
  }

  /**
   * {@code paths} plus every path ever defined in a directory relation to one of them (its parent
   * directories as files, the files under it): whether a path is left out of the tree depends on
   * those.
   */
  Set<String> withRelated(Set<String> paths) {
    Set<String> all = new LinkedHashSet<>(paths);
    for (String path : paths) {
      all.addAll(related(path));
    }
    return all;
  }

  /** The paths ever defined that are a parent directory of {@code path} or lie under it. */
  private List<String> related(String path) {
    List<String> out = new ArrayList<>();
    for (int slash = path.indexOf('/'); slash > 0; slash = path.indexOf('/', slash + 1)) {
      String parent = path.substring(0, slash);
      if (allPaths.contains(parent)) {
        out.add(parent);
      }
    }
    // '0' follows '/' in UTF-16 order: the subset is exactly the paths under path/.
    out.addAll(allPaths.subSet(path + "/", path + "0"));
    return out;
  }

  /**
   * The path that keeps {@code path}'s head out of the tree of {@code lineage}: one in a directory
   * relation to it whose head was defined by an older message; null when {@code path} has no head
   * or nothing is in its way.
   */
  String blocker(long lineage, String path) {
    Map.Entry<Long, Def> own = newestDefinition(lineage, path, Long.MAX_VALUE);
    if (own == null || valueAt(lineage, path, Long.MAX_VALUE) == null) {
      return null;
    }
    String blocker = null;
    long oldest = own.getKey();
    for (String other : related(path)) {
      Map.Entry<Long, Def> theirs = newestDefinition(lineage, other, Long.MAX_VALUE);
      if (theirs != null
          && theirs.getKey() < oldest
          && valueAt(lineage, other, Long.MAX_VALUE) != null) {
        blocker = other;
        oldest = theirs.getKey();
      }
    }
    return blocker;
  }

  /**
   * The ts of the message whose definition is {@code path}'s head on {@code lineage}, or null when
   * none defines it.
   */
  Long definedAt(long lineage, String path) {
    Map.Entry<Long, Def> own = newestDefinition(lineage, path, Long.MAX_VALUE);
    return own == null ? null : own.getKey();
  }

  /** Every path any message of the lineage (main's part included for a thread) ever defined. */
  Set<String> paths(long lineage) {
    Set<String> all = new HashSet<>(mainDefs.keySet());
    if (lineage != MAIN) {
      all.addAll(threadDefs.getOrDefault(lineage, Map.of()).keySet());
    }
    return all;
  }

  /**
   * Whether a reply of thread {@code lineage} with a ts strictly between {@code after} and {@code
   * before} defines {@code path} (a reply that resolves a merge conflict reported at {@code
   * after}).
   */
  boolean threadDefinesBetween(long lineage, String path, long after, long before) {
    NavigableMap<Long, Def> onThread = threadDefs.getOrDefault(lineage, Map.of()).get(path);
    return onThread != null && !onThread.subMap(after, false, before, false).isEmpty();
  }

  /** The paths the replies of thread {@code lineage} define. */
  Set<String> threadPaths(long lineage) {
    return threadDefs.getOrDefault(lineage, Map.of()).keySet();
  }

  /** The head rule: the blob {@code path} holds at the head of {@code lineage}, or null. */
  ObjectId head(long lineage, String path) {
    return valueAt(lineage, path, Long.MAX_VALUE);
  }

  private ObjectId valueAt(long lineage, String path, long bound) {
    String current = path;
    long limit = bound;
    while (true) {
      Map.Entry<Long, Def> found = newestDefinition(lineage, current, limit);
      if (found == null) {
        return null;
      }
      switch (found.getValue()) {
        case Def.Blob blob -> {
          return blob.id();
        }
        case Def.Removed removed -> {
          return null;
        }
        case Def.MovedFrom moved -> {
          current = moved.source();
          limit = found.getKey() - 1;
        }
      }
    }
  }

  private Map.Entry<Long, Def> newestDefinition(long lineage, String path, long bound) {
    NavigableMap<Long, Def> onMain = mainDefs.get(path);
    Map.Entry<Long, Def> main =
        onMain == null
            ? null
            : onMain.floorEntry(lineage == MAIN ? bound : Math.min(bound, lineage));
    if (lineage == MAIN) {
      return main;
    }
    NavigableMap<Long, Def> onThread = threadDefs.getOrDefault(lineage, Map.of()).get(path);
    Map.Entry<Long, Def> reply = onThread == null ? null : onThread.floorEntry(bound);
    if (reply == null) {
      return main;
    }
    return main == null || reply.getKey() >= main.getKey() ? reply : main;
  }

  /**
   * The heads of {@code paths} in the tree of {@code lineage}: path → blob id, null for absent or
   * left out (see {@link #blocker}).
   */
  Map<String, ObjectId> heads(long lineage, Iterable<String> paths) {
    Map<String, ObjectId> out = new HashMap<>();
    for (String path : paths) {
      ObjectId head = head(lineage, path);
      out.put(path, head == null || blocker(lineage, path) != null ? null : head);
    }
    return out;
  }

  /** Paths whose head differs between {@code before} and {@code after} (same key sets). */
  static NavigableMap<String, ObjectId> changes(
      Map<String, ObjectId> before, Map<String, ObjectId> after) {
    NavigableMap<String, ObjectId> changed = new TreeMap<>();
    for (Map.Entry<String, ObjectId> e : after.entrySet()) {
      ObjectId old = before.get(e.getKey());
      if (old == null ? e.getValue() != null : !old.equals(e.getValue())) {
        changed.put(e.getKey(), e.getValue());
      }
    }
    return changed;
  }

  /** Messages currently known, for tests and diagnostics. */
  List<Message> messages() {
    return List.copyOf(messages.values());
  }
}
