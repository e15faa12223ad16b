package dev.threadbare.gitserve.internal;

import io.javalin.http.Context;
import java.io.IOException;
import java.util.List;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * The blame of files, from one incremental cache shared by the pages and the JSON API. Thread safe.
 */
final class Blames {
  private final IncrementalBlame blames = new IncrementalBlame(2048);

  /**
   * Blame of (commit, path) from the incremental blame cache. Reports the time spent in a {@code
   * Server-Timing} header (with whether the attribution was cached), for the benchmark.
   */
  List<RepoReader.BlameLine> blame(Context ctx, RepoReader reader, RevCommit commit, String path)
      throws IOException {
    var threads = java.lang.management.ManagementFactory.getThreadMXBean();
    long cpuStart = threads.getCurrentThreadCpuTime();
    long start = System.nanoTime();
    boolean hit = blames.isCached(reader.repository(), commit, RepoReader.normalise(path));
    List<RepoReader.BlameLine> lines = reader.blame(commit, path, blames);
    double millis = (System.nanoTime() - start) / 1e6;
    double cpuMillis = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e6;
    ctx.header(
        "Server-Timing",
        String.format(
            java.util.Locale.ROOT,
            "blame;desc=\"%s\";dur=%.1f, cpu;dur=%.1f",
            hit ? "hit" : "miss",
            millis,
            cpuMillis));
    return lines;
  }
}
