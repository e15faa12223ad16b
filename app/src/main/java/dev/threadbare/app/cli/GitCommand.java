package dev.threadbare.app.cli;

import dev.threadbare.gitserve.AccessToken;
import dev.threadbare.gitserve.GitServe;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code threadbare git …}: personal access tokens for git over HTTP and the code browser, kept
 * hashed in {@code DIR/gitserve.db}. Owned by the gitserve work. Each run opens the database anew;
 * not meant to be shared between threads.
 */
@Command(
    name = "git",
    description = "Personal access tokens for git over HTTP and the code browser.",
    mixinStandardHelpOptions = true,
    subcommands = {
      GitCommand.AddToken.class,
      GitCommand.ListTokens.class,
      GitCommand.RevokeToken.class
    })
public final class GitCommand {

  /** {@code threadbare git add-token --user USER}: prints the new token alone on its last line. */
  @Command(
      name = "add-token",
      description = "Issue a token for a user; the token is printed once, on the last line.")
  public static final class AddToken implements Callable<Integer> {
    @Spec CommandSpec spec;

    @picocli.CommandLine.Mixin DataMixin data;

    @Option(
        names = "--user",
        required = true,
        paramLabel = "USER",
        description = "The chat user id the token speaks for, e.g. U0123ABCD.")
    String user;

    @Override
    public Integer call() {
      String token = GitServe.tokensOnly(data.data).addToken(user);
      PrintWriter out = spec.commandLine().getOut();
      out.println("Token for " + user + " (shown only now; use it as the password for git):");
      out.println(token);
      out.flush();
      return 0;
    }
  }

  /** {@code threadbare git list-tokens [--user USER]}. */
  @Command(name = "list-tokens", description = "List issued tokens: id, user, created, status.")
  public static final class ListTokens implements Callable<Integer> {
    @Spec CommandSpec spec;

    @picocli.CommandLine.Mixin DataMixin data;

    @Option(names = "--user", paramLabel = "USER", description = "Only this user's tokens.")
    String user;

    @Override
    public Integer call() {
      GitServe gitServe = GitServe.tokensOnly(data.data);
      List<AccessToken> tokens = user == null ? gitServe.listTokens() : gitServe.listTokens(user);
      PrintWriter out = spec.commandLine().getOut();
      for (AccessToken token : tokens) {
        out.println(
            token.id()
                + "\t"
                + token.userId()
                + "\t"
                + token.createdAt()
                + "\t"
                + (token.live() ? "live" : "revoked " + token.revokedAt()));
      }
      out.flush();
      return 0;
    }
  }

  /** {@code threadbare git revoke-token ID}. */
  @Command(name = "revoke-token", description = "Revoke a token by the id list-tokens shows.")
  public static final class RevokeToken implements Callable<Integer> {
    @Spec CommandSpec spec;

    @picocli.CommandLine.Mixin DataMixin data;

    @Parameters(paramLabel = "ID", description = "The token id from list-tokens.")
    String id;

    @Override
    public Integer call() {
      GitServe.tokensOnly(data.data).revokeToken(id);
      spec.commandLine().getOut().println("revoked " + id);
      spec.commandLine().getOut().flush();
      return 0;
    }
  }

  /** The {@code --data DIR} option. */
  public static final class DataMixin {
    @Option(
        names = "--data",
        paramLabel = "DIR",
        defaultValue = "threadbare-data",
        description = "Data directory (default: ${DEFAULT-VALUE}).")
    Path data;
  }
}
