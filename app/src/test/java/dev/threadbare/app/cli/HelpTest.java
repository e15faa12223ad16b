package dev.threadbare.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadbare.app.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * Every command of the CLI, found by walking the real command tree (so one added later is covered
 * too), answers {@code --help} and {@code -h} with its usage on standard output and exit 0, before
 * any of its required options is checked.
 */
class HelpTest {

  static Stream<Arguments> everyCommandWithEachHelpOption() {
    List<List<String>> paths = new ArrayList<>();
    collect(Main.commandLine(), new ArrayList<>(), paths);
    assertThat(paths)
        .as("the walk finds the nested commands")
        .contains(List.of("serve"), List.of("db"), List.of("workspace"), List.of("db", "serve"));
    return paths.stream().flatMap(p -> Stream.of(Arguments.of(p, "--help"), Arguments.of(p, "-h")));
  }

  private static void collect(CommandLine cli, List<String> path, List<List<String>> out) {
    out.add(List.copyOf(path));
    cli.getSubcommands()
        .forEach(
            (name, sub) -> {
              if (!sub.getCommandSpec().name().equals(name)) {
                return; // an alias
              }
              List<String> deeper = new ArrayList<>(path);
              deeper.add(name);
              collect(sub, deeper, out);
            });
  }

  @ParameterizedTest(name = "threadbare {0} {1}")
  @MethodSource("everyCommandWithEachHelpOption")
  void answersWithItsUsageAndExitZero(List<String> command, String option) {
    CommandLine cli = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    List<String> args = new ArrayList<>(command);
    args.add(option);

    int status = cli.execute(args.toArray(String[]::new));

    assertThat(status).as("exit status; stderr: %s", err).isZero();
    assertThat(err.toString()).isEmpty();
    String usage = out.toString();
    assertThat(usage)
        .startsWith(
            "Usage: threadbare" + (command.isEmpty() ? "" : " " + String.join(" ", command)))
        .contains("-h, --help");
  }
}
