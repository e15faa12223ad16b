package dev.threadbare.materializer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadbare.core.journal.Journal;
import dev.threadbare.core.journal.JournalEntry;
import dev.threadbare.journal.Journals;
import dev.threadbare.testing.JournalEntries;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

/**
 * The head rule as a law: whatever the order, duplication and batching of deliveries, the
 * incrementally maintained head of every branch equals the head rule computed from scratch over the
 * visible messages (an obviously correct replay in ts order, below). The paths include files and
 * directories of the same name ({@code x} and {@code x/y.txt}): of two such heads the one defined
 * by the older message stays, the newer is left out, and one message defining both is refused.
 */
class HeadRuleProperties {

  private static final String TEAM = "T1";
  private static final String CHANNEL = "C1";
  private static final List<String> PATHS =
      List.of("a.txt", "b.txt", "dir/c.txt", "dir/sub/d.txt", "x/y.txt", "x", "dir/sub");

  /** One op of one message version. */
  sealed interface Op {
    record Put(String path, String content) implements Op {}

    record Rm(String path) implements Op {}

    record Mv(String from, String to) implements Op {}

    record Bad() implements Op {}
  }

  record Version(long editSeconds, List<Op> ops) {}

  record Message(int index, Integer root, boolean bot, List<Version> versions, boolean deleted) {
    String ts() {
      return ts(index);
    }

    static String ts(int i) {
      return String.format(Locale.ROOT, "17000%05d.000100", i);
    }
  }

  /**
   * Found by CI: a thread whose first reply only removes a file, replayed after a restart, got no
   * branch once the merge work made an empty diff skip a thread's first commit.
   */
  @net.jqwik.api.Example
  void seed34AThreadForkedInAReplay() throws IOException {
    incrementalHeadsEqualTheHeadRule(34L);
  }

  @Property(tries = 60)
  void incrementalHeadsEqualTheHeadRule(@ForAll @LongRange(min = 0, max = 1L << 40) long seed)
      throws IOException {
    Random random = new Random(seed);
    List<Message> messages = scenario(random);
    List<JournalEntry> deliveries = deliveries(messages, random);
    // On tmpfs where there is one: 60 tries of the real journal's fsyncs would take minutes.
    Path shm = Path.of("/dev/shm");
    Path dir =
        Files.isDirectory(shm) && Files.isWritable(shm)
            ? Files.createTempDirectory(shm, "headrule")
            : Files.createTempDirectory("headrule");
    Path store = dir.resolve("git");
    // The real journal (SQLite), not a stand-in: the property holds for what serve runs.
    Journal journal = Journals.sqlite(dir.resolve("journal.db"));
    try {
      Materializer materializer =
          Materializer.open(journal, store, TestGrammar::parse, 1 + random.nextInt(4));
      int i = 0;
      while (i < deliveries.size()) {
        int chunk = 1 + random.nextInt(5);
        journal.append(deliveries.subList(i, Math.min(deliveries.size(), i + chunk)));
        i += chunk;
        if (random.nextInt(6) == 0) {
          // A restart: the state comes back from a dry replay of the journal.
          materializer.close();
          materializer = Materializer.open(journal, store, TestGrammar::parse, 3);
        }
        materializer.catchUp();
      }
      materializer.close();
      GitStore git = GitStore.open(store);
      if (git.channels().isEmpty()) {
        assertThat(reference(messages, null)).isEmpty();
        return;
      }
      List<String> branches = git.branches(CHANNEL);
      assertThat(files(git, "main"))
          .as("main for seed %d: %s", seed, messages)
          .isEqualTo(branches.contains("main") ? reference(messages, null) : Map.of());
      for (Message root : messages) {
        String branch = "thread/" + root.ts();
        if (branches.contains(branch)) {
          assertThat(files(git, branch))
              .as("%s for seed %d: %s", branch, seed, messages)
              .isEqualTo(reference(messages, root.index()));
        } else {
          assertThat(reference(messages, root.index()))
              .as(
                  "%s has no branch, so its replies change nothing (seed %d): %s",
                  branch, seed, messages)
              .isEqualTo(referenceMainUpTo(messages, root.index()));
        }
      }
    } finally {
      journal.close();
      try (Stream<Path> walk = Files.walk(dir)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static Map<String, String> files(GitStore git, String branch) {
    if (!git.branches(CHANNEL).contains(branch)) {
      return Map.of();
    }
    Map<String, String> files = new TreeMap<>();
    for (TreeEntry e : git.tree(CHANNEL, branch)) {
      files.put(e.path(), new String(git.read(CHANNEL, branch, e.path()), StandardCharsets.UTF_8));
    }
    return files;
  }

  // ---- the reference: replay the visible messages of a lineage in ts order ----

  private static Map<String, String> reference(List<Message> messages, Integer thread) {
    List<Message> lineage = new ArrayList<>();
    for (Message m : messages) {
      boolean onMain = m.root() == null && (thread == null || m.index() <= thread);
      boolean inThread = thread != null && thread.equals(m.root());
      if (onMain || inThread) {
        lineage.add(m);
      }
    }
    return replay(lineage);
  }

  private static Map<String, String> referenceMainUpTo(List<Message> messages, int root) {
    return replay(messages.stream().filter(m -> m.root() == null && m.index() <= root).toList());
  }

  private static Map<String, String> replay(List<Message> lineage) {
    Map<String, String> state = new TreeMap<>();
    Map<String, Integer> definedBy = new HashMap<>();
    lineage.stream()
        .sorted(Comparator.comparingInt(Message::index))
        .filter(m -> !m.deleted() && !m.bot())
        .forEach(
            m -> {
              Version current =
                  m.versions().stream()
                      .max(Comparator.comparingLong(Version::editSeconds))
                      .orElseThrow();
              if (current.ops().stream().anyMatch(op -> op instanceof Op.Bad)
                  || definesFileAndDirectory(current.ops())) {
                return;
              }
              for (Op op : current.ops()) {
                switch (op) {
                  case Op.Rm rm -> state.remove(rm.path());
                  case Op.Mv mv -> {
                    String content = state.remove(mv.from());
                    if (content == null) {
                      state.remove(mv.to());
                    } else {
                      state.put(mv.to(), content);
                      definedBy.put(mv.to(), m.index());
                    }
                  }
                  default -> {}
                }
              }
              for (Op op : current.ops()) {
                if (op instanceof Op.Put put) {
                  state.put(put.path(), put.content() + "\n");
                  definedBy.put(put.path(), m.index());
                }
              }
            });
    // Git holds no file and directory of the same name: the newer of two such heads is left out.
    Map<String, String> tree = new TreeMap<>();
    state.forEach(
        (path, content) -> {
          boolean olderInTheWay =
              state.keySet().stream()
                  .anyMatch(
                      other ->
                          (other.startsWith(path + "/") || path.startsWith(other + "/"))
                              && definedBy.get(other) < definedBy.get(path));
          if (!olderInTheWay) {
            tree.put(path, content);
          }
        });
    return tree;
  }

  private static boolean definesFileAndDirectory(List<Op> ops) {
    List<String> files = new ArrayList<>();
    for (Op op : ops) {
      switch (op) {
        case Op.Put put -> files.add(put.path());
        case Op.Mv mv -> files.add(mv.to());
        default -> {}
      }
    }
    return files.stream().anyMatch(a -> files.stream().anyMatch(b -> b.startsWith(a + "/")));
  }

  // ---- scenarios ----

  private static List<Message> scenario(Random random) {
    int count = 3 + random.nextInt(18);
    List<Message> messages = new ArrayList<>();
    List<Integer> topLevel = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      Integer root =
          !topLevel.isEmpty() && random.nextInt(10) < 3
              ? topLevel.get(random.nextInt(topLevel.size()))
              : null;
      if (root == null) {
        topLevel.add(i);
      }
      List<Version> versions = new ArrayList<>();
      int edits = random.nextInt(10) < 3 ? 1 + random.nextInt(2) : 0;
      for (int v = 0; v <= edits; v++) {
        versions.add(new Version(v == 0 ? -1 : 1000L * v + random.nextInt(500), ops(random)));
      }
      messages.add(new Message(i, root, random.nextInt(12) == 0, versions, random.nextInt(5) == 0));
    }
    return messages;
  }

  private static List<Op> ops(Random random) {
    List<String> paths = new ArrayList<>(PATHS);
    Collections.shuffle(paths, random);
    List<Op> ops = new ArrayList<>();
    int n = random.nextInt(4);
    int next = 0;
    for (int k = 0; k < n && next < paths.size() - 1; k++) {
      int kind = random.nextInt(10);
      if (kind < 6) {
        ops.add(new Op.Put(paths.get(next++), "v" + random.nextInt(4)));
      } else if (kind < 8) {
        ops.add(new Op.Rm(paths.get(next++)));
      } else if (kind < 9) {
        ops.add(new Op.Mv(paths.get(next), paths.get(next + 1)));
        next += 2;
      } else {
        ops.add(new Op.Bad());
      }
    }
    return ops;
  }

  private static String text(List<Op> ops) {
    StringBuilder text = new StringBuilder("some words\n");
    for (Op op : ops) {
      switch (op) {
        case Op.Rm rm -> text.append("rm ").append(rm.path()).append('\n');
        case Op.Mv mv ->
            text.append("mv ").append(mv.from()).append(' ').append(mv.to()).append('\n');
        case Op.Bad bad -> text.append("`../evil.txt`\n```\nx\n```\n");
        case Op.Put put -> {}
      }
    }
    for (Op op : ops) {
      if (op instanceof Op.Put put) {
        text.append('`')
            .append(put.path())
            .append("`\n```\n")
            .append(put.content())
            .append("\n```\n");
      }
    }
    return text.toString();
  }

  private static List<JournalEntry> deliveries(List<Message> messages, Random random) {
    List<JournalEntry> entries = new ArrayList<>();
    Map<String, Integer> users = new HashMap<>();
    for (Message m : messages) {
      for (Version v : m.versions()) {
        JournalEntries.MessageBuilder b =
            JournalEntries.message(TEAM, CHANNEL, m.ts())
                .user("U" + (1 + users.computeIfAbsent(m.ts(), k -> random.nextInt(3))))
                .text(text(v.ops()));
        if (m.root() != null) {
          b.thread(Message.ts(m.root()));
        }
        if (m.bot()) {
          b.bot("B1");
        }
        if (v.editSeconds() >= 0) {
          b.edited(String.format(Locale.ROOT, "17001%05d.000000", v.editSeconds()));
        }
        entries.add(b.build());
      }
      if (m.deleted()) {
        entries.add(
            JournalEntries.deletion(
                TEAM, CHANNEL, m.ts(), String.format(Locale.ROOT, "17002%05d.000000", m.index())));
      }
    }
    List<JournalEntry> withDuplicates = new ArrayList<>(entries);
    for (JournalEntry e : entries) {
      if (random.nextInt(8) == 0) {
        withDuplicates.add(e);
      }
    }
    // Mostly in order, with some late deliveries: swap random pairs.
    for (int k = 0; k < withDuplicates.size() / 2; k++) {
      Collections.swap(
          withDuplicates,
          random.nextInt(withDuplicates.size()),
          random.nextInt(withDuplicates.size()));
    }
    return withDuplicates;
  }
}
