package dev.threadbare.gitimport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadbare.workspace.RateLimits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The importer keeps to its configured pace and waits out the chat's 429 answers: against the local
 * workspace, through the SDK, with the real pipeline behind it.
 */
class PacingTest {

  @TempDir Path dir;

  /** A repository of {@code files} files of about 30,000 characters: one message each. */
  private Path repository(int files) throws Exception {
    Path source = dir.resolve("source");
    Files.createDirectories(source);
    String line = "x".repeat(99) + "\n";
    for (int i = 0; i < files; i++) {
      Files.write(
          source.resolve("f" + i + ".txt"),
          (i + "\n" + line.repeat(300)).getBytes(StandardCharsets.UTF_8));
    }
    SourceRepos.git(source, "init", "-q");
    SourceRepos.commitAll(source, "big files");
    return source;
  }

  @Test
  void postsNoFasterThanTheConfiguredRate() throws Exception {
    Path source = repository(6);
    try (ImportHarness chat = new ImportHarness(dir.resolve("chat"), RateLimits.unlimited())) {
      List<String> progress = new ArrayList<>();
      ImportReport report =
          GitImport.connect(chat.apiUrl, chat.userToken)
              .run(
                  source.toString(),
                  ImportOptions.into("general").withMessagesPerSecond(10),
                  progress::add);

      assertThat(report.messages()).isEqualTo(6);
      // Six messages at 10 a second: five gaps of 100 ms at least.
      assertThat(report.elapsed().toMillis()).isGreaterThanOrEqualTo(500);
      assertThat((report.messages() - 1) / (report.elapsed().toNanos() / 1e9))
          .isLessThanOrEqualTo(10.0);
      assertThat(report.rateLimited()).isZero();
      assertThat(progress).anyMatch(l -> l.startsWith("message 6/6"));
    }
  }

  @Test
  void waitsOutTooManyRequestsAndLosesNothing() throws Exception {
    Path source = repository(6);
    // One post at once, then one every 2 s: even a slow machine posting six at full speed is
    // limited (at 4/s with a burst of 2, a loaded CI machine once never reached the limit).
    RateLimits tight = new RateLimits(Map.of(), 0, 0.5, 1);
    try (ImportHarness chat = new ImportHarness(dir.resolve("chat"), tight)) {
      List<String> progress = new ArrayList<>();
      ImportReport report =
          GitImport.connect(chat.apiUrl, chat.userToken)
              .run(
                  source.toString(),
                  ImportOptions.into("general").withMessagesPerSecond(1000),
                  progress::add);

      assertThat(report.rateLimited()).isPositive();
      assertThat(progress).anyMatch(l -> l.startsWith("rate limited by the chat: waiting"));
      assertThat(report.messages()).isEqualTo(6);
      assertThat(chat.history(chat.general)).hasSize(6);
      chat.materialize(chat.general, 6, 0);
      assertThat(chat.export(chat.general, "paced").getLast().getTree().getId())
          .isEqualTo(SourceRepos.trees(source, "HEAD").getLast());
    }
  }
}
