package dev.threadbare.gitimport;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What an import did. Immutable.
 *
 * @param messages the messages posted (including file shares)
 * @param blocks the files posted as code blocks
 * @param uploads the files posted as uploads
 * @param unchanged the files already in the channel with the same content, not posted again
 * @param commits the commits posted ({@code --history}; 0 otherwise)
 * @param commitsAlreadyThere the commits found already imported and not posted again
 * @param removals the {@code rm} lines posted (files deleted by a commit)
 * @param skipped the files not posted, with the reason (binaries, symlinks, submodules, bad paths,
 *     too large)
 * @param altered the files posted whose content the chat normalises (CRLF, trailing newlines): they
 *     arrive changed, as the reason says
 * @param modesLost the executable files: posted, but the chat cannot carry the executable bit
 * @param rateLimited how many times the chat answered 429 (each waited out for its Retry-After)
 * @param elapsed the wall time of the import
 */
public record ImportReport(
    int messages,
    int blocks,
    int uploads,
    int unchanged,
    int commits,
    int commitsAlreadyThere,
    int removals,
    List<SkippedFile> skipped,
    List<SkippedFile> altered,
    List<String> modesLost,
    int rateLimited,
    Duration elapsed) {

  public ImportReport {
    skipped = List.copyOf(skipped);
    altered = List.copyOf(altered);
    modesLost = List.copyOf(modesLost);
    Objects.requireNonNull(elapsed, "elapsed");
  }

  /** Messages posted per second of the import's wall time. */
  public double messagesPerSecond() {
    double seconds = elapsed.toNanos() / 1e9;
    return seconds <= 0 ? 0 : messages / seconds;
  }

  /** A few lines for a person: counts, then every skipped, altered and mode-losing file. */
  public String summary() {
    StringBuilder out = new StringBuilder();
    out.append(messages)
        .append(" messages posted: ")
        .append(blocks)
        .append(" files as code blocks, ")
        .append(uploads)
        .append(" as uploads, ")
        .append(removals)
        .append(" removals; ")
        .append(unchanged)
        .append(" files already there");
    if (commits > 0 || commitsAlreadyThere > 0) {
      out.append("; ")
          .append(commits)
          .append(" commits posted, ")
          .append(commitsAlreadyThere)
          .append(" already there");
    }
    out.append(String.format(java.util.Locale.ROOT, " (%.2f messages/s", messagesPerSecond()));
    out.append(rateLimited > 0 ? ", rate limited " + rateLimited + " times)\n" : ")\n");
    for (SkippedFile s : skipped) {
      out.append("skipped ").append(s).append('\n');
    }
    for (SkippedFile a : altered) {
      out.append("changed by the chat ").append(a).append('\n');
    }
    for (String path : modesLost) {
      out.append("executable bit not kept: ").append(path).append('\n');
    }
    return out.toString();
  }
}
