package dev.threadbare.materializer;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import org.eclipse.jgit.lib.ObjectId;

/**
 * The head rule of one channel, kept incrementally: for every path, the definitions of the live
 * messages of each lineage ordered by original ts. Holds blob ids, never contents. Not thread safe:
 * owned by the materializer's single consumer.
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

  /** Every path any message of the lineage (main's part included for a thread) ever defined. */
  Set<String> paths(long lineage) {
    Set<String> all = new HashSet<>(mainDefs.keySet());
    if (lineage != MAIN) {
      all.addAll(threadDefs.getOrDefault(lineage, Map.of()).keySet());
    }
    return all;
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

  /** The heads of {@code paths} on {@code lineage}: path → blob id, null for absent. */
  Map<String, ObjectId> heads(long lineage, Iterable<String> paths) {
    Map<String, ObjectId> out = new HashMap<>();
    for (String path : paths) {
      out.put(path, head(lineage, path));
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
