package dev.threadbare.gitserve;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the real git command line with a clean, prompt-free environment. */
final class GitCli {
  record Result(int exit, String output) {}

  private final Path home;

  GitCli(Path home) {
    this.home = home;
  }

  Result run(Path dir, String... args) throws IOException, InterruptedException {
    return run(dir, Map.of(), args);
  }

  Result run(Path dir, Map<String, String> extraEnv, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add("git");
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
    builder.redirectErrorStream(true);
    var env = builder.environment();
    env.put("HOME", home.toString());
    env.put("GIT_CONFIG_NOSYSTEM", "1");
    env.put("GIT_TERMINAL_PROMPT", "0");
    env.put("GIT_ASKPASS", "/bin/false");
    env.put("LC_ALL", "C");
    env.remove("GIT_DIR");
    env.putAll(extraEnv);
    Process process = builder.start();
    byte[] out = process.getInputStream().readAllBytes();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException("git " + String.join(" ", args) + " timed out");
    }
    return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  static Path emptyHome(Path parent) throws IOException {
    Path home = Files.createDirectories(parent.resolve("home"));
    Files.writeString(home.resolve(".gitconfig"), "[user]\n\tname = t\n\temail = t@example.org\n");
    return home;
  }
}
