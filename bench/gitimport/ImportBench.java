package dev.threadbare.gitimport;

import dev.threadbare.workspace.RateLimits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.jgit.lib.ObjectId;

/**
 * import-git into the local workspace, end to end: a generated repository of N files is posted
 * through the Slack SDK, the workspace delivers signed events to the chat endpoint, a SQLite
 * journal records them and the materializer builds the channel's git repository; the exported
 * tree is compared with the source. Each run names the chat's configured post rate (the
 * workspace's per-channel limit with Slack's burst of 10, and the importer's --rate set to it)
 * and reports the achieved
 * messages per second; "unlimited" (no workspace limit, importer at 100,000/s) is the baseline:
 * what threadbare's importer and the workspace manage by themselves on this machine.
 *
 * <p>Usage: ImportBench FILES RATE... (RATE a number of messages/s, or "unlimited").
 */
public final class ImportBench {

  public static void main(String[] args) throws Exception {
    int files = Integer.parseInt(args[0]);
    Path work = Files.createTempDirectory("threadbare-bench-gitimport-");
    Path source = generate(work.resolve("source"), files);
    System.out.printf(
        Locale.ROOT,
        "%d files (%d generated text files of 40-80 lines, 10 of 450+ lines, CRLF, no-newline,"
            + " unicode, binary)%n",
        files,
        files - 14);
    System.out.printf(
        Locale.ROOT,
        "%-10s %8s %7s %9s %10s %10s %6s %11s %6s%n",
        "chat rate",
        "messages",
        "uploads",
        "import s",
        "achieved/s",
        "posting/s",
        "429s",
        "materialize",
        "tree");
    for (int i = 1; i < args.length; i++) {
      String rate = args[i];
      boolean unlimited = rate.equals("unlimited");
      double perSecond = unlimited ? 100_000 : Double.parseDouble(rate);
      RateLimits limits =
          unlimited ? RateLimits.unlimited() : new RateLimits(java.util.Map.of(), 0, perSecond, 10);
      Path dir = work.resolve("run" + i);
      long[] posts = new long[2];
      try (ImportHarness chat = new ImportHarness(dir, limits)) {
        ImportReport report =
            GitImport.connect(chat.apiUrl, chat.userToken)
                .run(
                    source.toString(),
                    ImportOptions.into("general").withMessagesPerSecond(perSecond),
                    line -> {
                      if (line.startsWith("message ")) {
                        long now = System.nanoTime();
                        if (posts[0] == 0) {
                          posts[0] = now;
                        }
                        posts[1] = now;
                      }
                    });
        double posting = (posts[1] - posts[0]) / 1e9;
        long start = System.nanoTime();
        chat.materialize(chat.general, report.messages(), report.uploads());
        double materialize = (System.nanoTime() - start) / 1e9;
        ObjectId got = chat.export(chat.general, "out").getLast().getTree().getId();
        ObjectId want =
            SourceRepos.expectedTree(
                source, paths(report.skipped()), paths(report.altered()));
        System.out.printf(
            Locale.ROOT,
            "%-10s %8d %7d %9.2f %10.2f %10.2f %6d %10.2fs %6s%n",
            unlimited ? "unlimited" : rate + "/s",
            report.messages(),
            report.uploads(),
            report.elapsed().toNanos() / 1e9,
            report.messagesPerSecond(),
            (report.messages() - 1) / posting,
            report.rateLimited(),
            materialize,
            got.equals(want) ? "same" : "DIFF");
        if (i == 1) {
          System.out.print("  " + report.summary().replace("\n", "\n  ").stripTrailing() + "\n");
          ImportReport again =
              GitImport.connect(chat.apiUrl, chat.userToken)
                  .run(source.toString(), ImportOptions.into("general"), line -> {});
          System.out.printf(
              Locale.ROOT,
              "  re-import: %d messages posted, %d files found already there, %.2f s%n",
              again.messages(),
              again.unchanged(),
              again.elapsed().toNanos() / 1e9);
        }
      }
    }
  }

  private static Set<String> paths(List<SkippedFile> files) {
    return files.stream().map(SkippedFile::path).collect(Collectors.toSet());
  }

  private static Path generate(Path dir, int files) throws Exception {
    Files.createDirectories(dir);
    java.util.Random random = new java.util.Random(42);
    List<String> words =
        List.of("value", "count", "name", "index", "result", "buffer", "total", "item", "key");
    int plain = files - 14;
    for (int i = 0; i < plain; i++) {
      StringBuilder text = new StringBuilder("package mod" + (i % 20) + ";\n\n");
      text.append("final class File").append(i).append(" {\n");
      int lines = 40 + random.nextInt(41);
      for (int l = 0; l < lines; l++) {
        String w = words.get(random.nextInt(words.size()));
        text.append("  int ").append(w).append(l).append(" = ").append(random.nextInt(1000));
        text.append("; // ").append(w).append(" & <").append(l).append(">\n");
      }
      text.append("}\n");
      write(dir, "src/mod" + (i % 20) + "/sub" + (i % 3) + "/File" + i + ".java", text.toString());
    }
    for (int i = 0; i < 10; i++) {
      write(dir, "big/Long" + i + ".txt", ("line of a long file " + i + "\n").repeat(450 + i));
    }
    write(dir, "crlf.txt", "one\r\ntwo\r\n");
    write(dir, "no-newline.txt", "no newline");
    write(dir, "docs/ünïcødé/café.md", "# Café & <b>\n");
    Files.write(dir.resolve("logo.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 1});
    SourceRepos.git(dir, "init", "-q");
    SourceRepos.commitAll(dir, "generated");
    return dir;
  }

  private static void write(Path root, String path, String content) throws Exception {
    Path file = root.resolve(path);
    Files.createDirectories(file.getParent());
    Files.write(file, content.getBytes(StandardCharsets.UTF_8));
  }

  private ImportBench() {}

}
