package dev.threadbare.materializer;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The {@code git} command line on a bare repository, for tests that check what git reads. */
final class GitCli {

  private GitCli() {}

  /** Runs {@code git --git-dir=repo args…} and returns its output; fails on a non-zero exit. */
  static String git(File repo, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("git", "--git-dir=" + repo));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new AssertionError(String.join(" ", command) + " failed:\n" + out);
    }
    return out;
  }
}
