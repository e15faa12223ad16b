package dev.threadbare.materializer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.TreeFormatter;
import org.eclipse.jgit.treewalk.CanonicalTreeParser;

/**
 * Writes a new tree from a base tree and a few path changes, rewriting only the trees along the
 * changed paths. Keeps a bounded cache of parsed trees. Not thread safe.
 */
final class TreeEditor {

  private static final int CACHE_TREES = 1024;

  /** One tree entry; {@code sortKey} is the name in git's order (trees sort as name + "/"). */
  static final class Item {
    final String name;
    final FileMode mode;
    final ObjectId id;
    private final byte[] sortKey;

    private Item(String name, FileMode mode, ObjectId id) {
      this.name = name;
      this.mode = mode;
      this.id = id.copy();
      this.sortKey = (mode == FileMode.TREE ? name + "/" : name).getBytes(StandardCharsets.UTF_8);
    }

    static Item of(String name, FileMode mode, ObjectId id) {
      return new Item(name, mode, id);
    }

    String name() {
      return name;
    }

    FileMode mode() {
      return mode;
    }

    ObjectId id() {
      return id;
    }

    int compareTo(Item other) {
      return Arrays.compareUnsigned(sortKey, other.sortKey);
    }
  }

  private final Map<ObjectId, List<Item>> cache =
      new LinkedHashMap<>(1024, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<ObjectId, List<Item>> eldest) {
          return size() > CACHE_TREES;
        }
      };

  /**
   * The id of {@code base} (null: the empty tree) with {@code changes} applied: path → new blob id,
   * or null to remove the path. Never null: an empty result is the empty tree.
   */
  ObjectId apply(
      ObjectReader reader, ObjectInserter inserter, ObjectId base, Map<String, ObjectId> changes)
      throws IOException {
    ObjectId edited = edit(reader, inserter, base, changes);
    return edited != null ? edited : inserter.insert(new TreeFormatter());
  }

  private ObjectId edit(
      ObjectReader reader, ObjectInserter inserter, ObjectId tree, Map<String, ObjectId> changes)
      throws IOException {
    Map<String, Item> items = new HashMap<>();
    if (tree != null) {
      for (Item item : read(reader, tree)) {
        items.put(item.name(), item);
      }
    }
    Map<String, Map<String, ObjectId>> below = new TreeMap<>();
    for (Map.Entry<String, ObjectId> change : changes.entrySet()) {
      String path = change.getKey();
      int slash = path.indexOf('/');
      if (slash < 0) {
        if (change.getValue() == null) {
          Item existing = items.get(path);
          if (existing != null && existing.mode() != FileMode.TREE) {
            items.remove(path);
          }
        } else {
          items.put(path, Item.of(path, FileMode.REGULAR_FILE, change.getValue()));
        }
      } else {
        below
            .computeIfAbsent(path.substring(0, slash), k -> new HashMap<>())
            .put(path.substring(slash + 1), change.getValue());
      }
    }
    for (Map.Entry<String, Map<String, ObjectId>> dir : below.entrySet()) {
      Item existing = items.get(dir.getKey());
      ObjectId subtree =
          existing != null && existing.mode() == FileMode.TREE ? existing.id() : null;
      ObjectId edited = edit(reader, inserter, subtree, dir.getValue());
      if (edited == null) {
        if (subtree != null) {
          items.remove(dir.getKey());
        }
      } else if (existing == null
          || existing.mode() == FileMode.TREE
          || hasAddition(dir.getValue())) {
        // A file and a directory of the same name cannot both be in git: the newest change wins.
        items.put(dir.getKey(), Item.of(dir.getKey(), FileMode.TREE, edited));
      }
    }
    if (items.isEmpty()) {
      return null;
    }
    List<Item> sorted = new ArrayList<>(items.values());
    sorted.sort(Item::compareTo);
    TreeFormatter formatter = new TreeFormatter(sorted.size() * 48);
    for (Item item : sorted) {
      formatter.append(item.name(), item.mode(), item.id());
    }
    ObjectId id = inserter.insert(formatter);
    cache.put(id, List.copyOf(sorted));
    return id;
  }

  private static boolean hasAddition(Map<String, ObjectId> changes) {
    return changes.values().stream().anyMatch(v -> v != null);
  }

  private List<Item> read(ObjectReader reader, ObjectId tree) throws IOException {
    List<Item> cached = cache.get(tree);
    if (cached != null) {
      return cached;
    }
    List<Item> items = new ArrayList<>();
    CanonicalTreeParser parser = new CanonicalTreeParser();
    parser.reset(reader.open(tree, Constants.OBJ_TREE).getCachedBytes());
    while (!parser.eof()) {
      items.add(
          Item.of(
              parser.getEntryPathString(), parser.getEntryFileMode(), parser.getEntryObjectId()));
      parser.next();
    }
    List<Item> copy = List.copyOf(items);
    cache.put(tree.copy(), copy);
    return copy;
  }

  /** Forgets every cached tree (after a rebuild). */
  void clear() {
    cache.clear();
  }
}
