import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Generates a realistic busy channel for the ingest benchmark (bench/ingest.sh):
 *
 * <ul>
 *   <li>{@code events.jsonl}: N Slack Events API envelopes, one per line: code messages (one file
 *       block each, 8-40 lines of Python) over P paths ({@code src/pNN/mNN.py}), ~5% thread
 *       replies to a recent root, ~3% edits ({@code message_changed}) of a recent message;
 *   <li>{@code fast-import.txt}: the same sequence of trees as a {@code git fast-import} stream: one
 *       commit per head change on the same branches (an edit makes a commit only when the edited
 *       message is still the newest definition of its path, on main and on every thread forked after
 *       it that does not redefine the path) — the head rule, tracked here for this simple shape.
 * </ul>
 *
 * <p>Usage: {@code java bench/GenerateChannel.java OUT_DIR [MESSAGES=100000] [PATHS=10000]}.
 * Deterministic (fixed seed). Single-threaded.
 */
public final class GenerateChannel {

  private static final String CHANNEL = "CBENCH0001";
  private static final String TEAM = "TBENCH";

  record Msg(long index, String path, String content, Long root) {}

  public static void main(String[] args) throws IOException {
    Path out = Path.of(args[0]);
    int messages = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
    int paths = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
    Files.createDirectories(out);
    Random random = new Random(20261129);
    List<Msg> all = new ArrayList<>();
    List<Long> recentRoots = new ArrayList<>();
    // head-rule tracking for the fast-import mirror
    Map<String, Long> newestOnMain = new HashMap<>();
    TreeMap<Long, Map<String, Long>> newestInThread = new TreeMap<>();
    Map<Long, Integer> forkMark = new HashMap<>();
    Map<String, TreeSet<Long>> mainDefs = new HashMap<>();
    Map<Long, String> current = new HashMap<>();
    List<long[]> mainEdits = new ArrayList<>(); // {ts of the edited message, path index}
    List<String> editedPaths = new ArrayList<>();
    Map<Long, Integer> forkEdits = new HashMap<>();
    Map<String, Integer> branchTip = new HashMap<>();
    int mark = 0;
    int commits = 0;
    int edits = 0;
    int replies = 0;
    try (BufferedWriter events = Files.newBufferedWriter(out.resolve("events.jsonl"));
        PrintStream fi =
            new PrintStream(
                new java.io.BufferedOutputStream(
                    Files.newOutputStream(out.resolve("fast-import.txt")), 1 << 20),
                false,
                StandardCharsets.UTF_8)) {
      long seq = 0;
      for (int n = 0; n < messages; n++) {
        long ts = 1_700_000_000L + (++seq) * 10;
        boolean edit = n > 100 && random.nextInt(100) < 3;
        if (edit) {
          int position = all.size() - 1 - random.nextInt(Math.min(100, all.size()));
          Msg target = all.get(position);
          String content = code(random, target.path(), ts);
          Msg edited = new Msg(target.index(), target.path(), content, target.root());
          all.set(position, edited);
          events.write(editEnvelope(target, content, ts));
          events.newLine();
          edits++;
          current.put(target.index(), content);
          // Which heads change? (the head rule, for this shape of history)
          List<String> branches = new ArrayList<>();
          if (target.root() == null) {
            TreeSet<Long> defs = mainDefs.get(target.path());
            if (defs.last() == target.index()) {
              branches.add("main");
            }
            for (Map.Entry<Long, Map<String, Long>> t :
                newestInThread.tailMap(target.index(), true).entrySet()) {
              if (!t.getValue().containsKey(target.path())
                  && defs.floor(t.getKey()) == target.index()) {
                branches.add("thread/" + tsText(t.getKey()));
              }
            }
            mainEdits.add(new long[] {target.index()});
            editedPaths.add(target.path());
          } else if (newestInThread.get(target.root()).get(target.path()) == target.index()) {
            branches.add("thread/" + tsText(target.root()));
          }
          for (String branch : branches) {
            mark++;
            commit(
                fi, branch, mark, branchTip.get(branch), null, Map.of(target.path(), content), ts);
            branchTip.put(branch, mark);
            commits++;
          }
          continue;
        }
        String path = path(random, paths);
        String content = code(random, path, ts);
        Long root = null;
        if (!recentRoots.isEmpty() && random.nextInt(100) < 5) {
          root = recentRoots.get(random.nextInt(recentRoots.size()));
          replies++;
        }
        Msg msg = new Msg(ts, path, content, root);
        all.add(msg);
        current.put(ts, content);
        events.write(postEnvelope(msg));
        events.newLine();
        mark++;
        if (root == null) {
          commit(fi, "main", mark, branchTip.get("main"), null, Map.of(path, content), ts);
          branchTip.put("main", mark);
          newestOnMain.put(path, ts);
          mainDefs.computeIfAbsent(path, k -> new TreeSet<>()).add(ts);
          forkMark.put(ts, mark);
          forkEdits.put(ts, mainEdits.size());
          recentRoots.add(ts);
          if (recentRoots.size() > 50) {
            recentRoots.remove(0);
          }
        } else {
          String branch = "thread/" + tsText(root);
          Map<String, Long> thread = newestInThread.computeIfAbsent(root, k -> new HashMap<>());
          Integer from = branchTip.containsKey(branch) ? null : forkMark.get(root);
          Map<String, String> files = new TreeMap<>();
          if (from != null) {
            // A new thread: main's messages below the root edited since the fork show too.
            for (int e = forkEdits.get(root); e < mainEdits.size(); e++) {
              long edited = mainEdits.get(e)[0];
              String editedPath = editedPaths.get(e);
              if (edited <= root && mainDefs.get(editedPath).floor(root) == edited) {
                files.put(editedPath, current.get(edited));
              }
            }
          }
          files.put(path, content);
          commit(fi, branch, mark, branchTip.get(branch), from, files, ts);
          branchTip.put(branch, mark);
          thread.put(path, ts);
        }
        commits++;
      }
    }
    System.out.printf(
        Locale.ROOT,
        "generated %d messages (%d posts, %d thread replies, %d edits) over %d paths in %s;"
            + " fast-import stream: %d commits on %d branches%n",
        messages,
        messages - edits,
        replies,
        edits,
        paths,
        out,
        commits,
        branchTip.size());
  }

  private static String path(Random random, int paths) {
    int p = random.nextInt(paths);
    return String.format(Locale.ROOT, "src/p%03d/m%03d.py", p / 100, p % 100);
  }

  private static String code(Random random, String path, long ts) {
    StringBuilder code = new StringBuilder();
    code.append("\"\"\"").append(path).append(" as of ").append(ts).append(".\"\"\"\n\n");
    code.append("import math\n\n\n");
    int functions = 1 + random.nextInt(4);
    for (int f = 0; f < functions; f++) {
      String name = "step_" + Integer.toHexString(random.nextInt(1 << 16));
      code.append("def ").append(name).append("(values, factor=").append(random.nextInt(9) + 1);
      code.append("):\n");
      code.append("    total = 0\n");
      code.append("    for i, v in enumerate(values):\n");
      code.append("        if v > ").append(random.nextInt(100)).append(":\n");
      code.append("            total += math.sqrt(v) * factor\n");
      code.append("        else:\n");
      code.append("            total -= i * ").append(random.nextInt(50)).append("\n");
      code.append("    return total\n\n\n");
    }
    // The grammar keeps exactly one trailing newline (DESIGN.md section 2).
    return code.toString().stripTrailing() + "\n";
  }

  static String tsText(long seconds) {
    return seconds + ".000100";
  }

  private static String json(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        default -> {
          if (c < 0x20) {
            out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  private static String text(String path, String content) {
    return "Update " + path + "\n`" + path + "`\n```python\n" + content + "```";
  }

  private static String postEnvelope(Msg m) {
    String ts = tsText(m.index());
    String thread = m.root() == null ? "" : ",\"thread_ts\":\"" + tsText(m.root()) + "\"";
    String user = "U" + (1000 + (m.index() / 10) % 7);
    return "{\"type\":\"event_callback\",\"team_id\":\"" + TEAM + "\",\"event\":{\"type\":\"message\","
        + "\"channel\":\"" + CHANNEL + "\",\"user\":\"" + user + "\",\"text\":"
        + json(text(m.path(), m.content())) + ",\"ts\":\"" + ts + "\"" + thread
        + ",\"event_ts\":\"" + ts + "\",\"channel_type\":\"channel\"},\"event_id\":\"Ev" + m.index()
        + "\",\"event_time\":" + m.index() + "}";
  }

  private static String editEnvelope(Msg m, String content, long editSeconds) {
    String ts = tsText(m.index());
    String edited = editSeconds + ".000000";
    String thread = m.root() == null ? "" : ",\"thread_ts\":\"" + tsText(m.root()) + "\"";
    String user = "U" + (1000 + (m.index() / 10) % 7);
    return "{\"type\":\"event_callback\",\"team_id\":\"" + TEAM + "\",\"event\":{\"type\":\"message\","
        + "\"subtype\":\"message_changed\",\"channel\":\"" + CHANNEL + "\",\"hidden\":true,"
        + "\"message\":{\"type\":\"message\",\"user\":\"" + user + "\",\"text\":"
        + json(text(m.path(), content)) + ",\"ts\":\"" + ts + "\"" + thread
        + ",\"edited\":{\"user\":\"" + user + "\",\"ts\":\"" + edited + "\"}},"
        + "\"ts\":\"" + edited + "\",\"event_ts\":\"" + edited + "\"},\"event_id\":\"Ed"
        + editSeconds + "\",\"event_time\":" + editSeconds + "}";
  }

  private static void commit(
      PrintStream fi,
      String branch,
      int mark,
      Integer parent,
      Integer from,
      Map<String, String> files,
      long ts) {
    byte[] message =
        ("Update " + String.join(", ", files.keySet()) + "\n").getBytes(StandardCharsets.UTF_8);
    fi.print("commit refs/heads/" + branch + "\nmark :" + mark + "\n");
    fi.print("author U <U@" + TEAM + ".chat> " + ts + " +0000\n");
    fi.print("committer threadbare <threadbare@" + TEAM + ".chat> " + ts + " +0000\n");
    fi.print("data " + message.length + "\n");
    fi.write(message, 0, message.length);
    if (parent != null) {
      fi.print("from :" + parent + "\n");
    } else if (from != null) {
      fi.print("from :" + from + "\n");
    }
    for (Map.Entry<String, String> file : files.entrySet()) {
      byte[] data = file.getValue().getBytes(StandardCharsets.UTF_8);
      fi.print("M 100644 inline " + file.getKey() + "\ndata " + data.length + "\n");
      fi.write(data, 0, data.length);
      fi.print("\n");
    }
  }
}
