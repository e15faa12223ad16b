package dev.threadbare.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadbare.gitserve.GitServe;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class GitCommandTest {
  @TempDir Path data;

  private record Run(int exit, String out, String err) {
    List<String> lines() {
      return out.lines().toList();
    }
  }

  private Run run(String... args) {
    CommandLine cli = new CommandLine(new GitCommand());
    cli.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          commandLine.getErr().println("threadbare: " + ex.getMessage());
          return 1;
        });
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void addsListsAndRevokesTokens() {
    Run added = run("add-token", "--data", data.toString(), "--user", "U0ALICE");
    assertThat(added.exit()).isZero();
    String token = added.lines().get(added.lines().size() - 1);
    assertThat(token).startsWith("tbp_").doesNotContain(" ");
    assertThat(GitServe.tokensOnly(data).userOf(token)).hasValue("U0ALICE");

    Run listed = run("list-tokens", "--data", data.toString());
    assertThat(listed.lines()).hasSize(1);
    String[] fields = listed.lines().get(0).split("\t");
    assertThat(fields[1]).isEqualTo("U0ALICE");
    assertThat(fields[3]).isEqualTo("live");
    assertThat(listed.out()).doesNotContain(token);

    assertThat(run("revoke-token", "--data", data.toString(), fields[0]).exit()).isZero();
    assertThat(GitServe.tokensOnly(data).userOf(token)).isEmpty();
    assertThat(run("list-tokens", "--data", data.toString()).out()).contains("\trevoked ");
  }

  @Test
  void revokingAnUnknownIdNamesItAndTheFix() {
    Run revoked = run("revoke-token", "--data", data.toString(), "nosuchid");
    assertThat(revoked.exit()).isEqualTo(1);
    assertThat(revoked.err()).contains("`nosuchid`", "list-tokens");
  }
}
