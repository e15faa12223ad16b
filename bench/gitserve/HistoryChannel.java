import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the newest N first-parent commits of a local git repository into a channel's events (for
 * bench/gitserve/packs.sh), as import-git --history posts it: the tree at the oldest commit, then
 * one message per commit with a file block for each added or changed file and an {@code rm} line
 * for each deleted one. Text files of at most 400 lines without a fence inside are kept (others
 * are skipped, as the chat's lint would refuse them in a code block); a message is split to stay
 * under Slack's 40,000 characters.
 *
 * <p>Usage: {@code java bench/gitserve/HistoryChannel.java REPO N OUT.jsonl}. Deterministic.
 */
public final class HistoryChannel {
  private static final String CHANNEL = "CHISTORY01";
  private static final String TEAM = "TBENCH";
  private static final int LIMIT = 35_000;
  private static long ts = 1_600_000_000L;
  private static int events;

  public static void main(String[] args) throws Exception {
    Path repo = Path.of(args[0]);
    int n = Integer.parseInt(args[1]);
    List<String> commits =
        lines(repo, "git", "rev-list", "--first-parent", "--reverse", "-n", String.valueOf(n), "HEAD");
    // rev-list -n with --reverse gives the newest n, oldest first.
    try (BufferedWriter out = Files.newBufferedWriter(Path.of(args[2]), StandardCharsets.UTF_8)) {
      String first = commits.get(0);
      List<String> blocks = new ArrayList<>();
      for (String path : lines(repo, "git", "ls-tree", "-r", "--name-only", first)) {
        String block = block(repo, first, path);
        if (block != null) {
          blocks.add(block);
        }
      }
      post(out, "Import " + first.substring(0, 10), blocks);
      for (int i = 1; i < commits.size(); i++) {
        String commit = commits.get(i);
        String subject = lines(repo, "git", "log", "-1", "--format=%s", commit).get(0);
        List<String> parts = new ArrayList<>();
        for (String change :
            lines(repo, "git", "diff-tree", "-r", "--no-renames", "--name-status", commits.get(i - 1), commit)) {
          String[] f = change.split("\t", 2);
          if (f[0].equals("D")) {
            parts.add("rm " + f[1]);
          } else {
            String block = block(repo, commit, f[1]);
            if (block != null) {
              parts.add(block);
            }
          }
        }
        if (!parts.isEmpty()) {
          post(out, subject, parts);
        }
      }
    }
    System.err.println(events + " messages from " + commits.size() + " commits");
  }

  private static void post(BufferedWriter out, String subject, List<String> parts) throws IOException {
    StringBuilder text = new StringBuilder(subject);
    for (String part : parts) {
      if (text.length() + part.length() > LIMIT && text.length() > subject.length()) {
        write(out, text.toString());
        text = new StringBuilder(subject + " (continued)");
      }
      text.append('\n').append(part);
    }
    write(out, text.toString());
  }

  private static void write(BufferedWriter out, String text) throws IOException {
    ts++;
    events++;
    String t = ts + ".000100";
    out.write(
        "{\"type\":\"event_callback\",\"team_id\":\"" + TEAM + "\",\"event\":{\"type\":\"message\","
            + "\"channel\":\"" + CHANNEL + "\",\"user\":\"U100" + (events % 5) + "\",\"text\":"
            + json(text) + ",\"ts\":\"" + t + "\",\"event_ts\":\"" + t
            + "\",\"channel_type\":\"channel\"},\"event_id\":\"Ev" + events
            + "\",\"event_time\":" + ts + "}\n");
  }

  private static String block(Path repo, String commit, String path) throws Exception {
    if (path.contains("`") || path.contains(" ")) {
      return null;
    }
    Process p = new ProcessBuilder("git", "show", commit + ":" + path).directory(repo.toFile()).start();
    byte[] bytes = p.getInputStream().readAllBytes();
    p.waitFor();
    String content;
    try {
      content =
          StandardCharsets.UTF_8.newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
    if (content.isEmpty() || content.indexOf('\0') >= 0 || content.contains("```")
        || content.lines().count() > 400 || content.length() > LIMIT - 200) {
      return null;
    }
    return "`" + path + "`\n```\n" + (content.endsWith("\n") ? content : content + "\n") + "```";
  }

  private static List<String> lines(Path repo, String... command) throws Exception {
    Process p = new ProcessBuilder(command).directory(repo.toFile()).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed");
    }
    return out.isEmpty() ? List.of() : List.of(out.split("\n"));
  }

  private static String json(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
