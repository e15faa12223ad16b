package dev.threadbare.app.cli;

import dev.threadbare.deploy.Deployer;
import dev.threadbare.deploy.Deployment;
import dev.threadbare.materializer.GitStore;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code threadbare deploys}: a channel's deployments, newest first, one line each: {@code UUID
 * COMMIT STATE URL}. Reads the records a server keeps (works while it runs).
 */
@Command(
    name = "deploys",
    description = "List a channel's deployments, newest first: UUID COMMIT STATE URL.")
public final class DeploysCommand implements Callable<Integer> {

  @Option(names = "--data", description = "Data directory (default: ${DEFAULT-VALUE}).")
  Path data = Path.of("threadbare-data");

  @Option(names = "--channel", required = true, description = "Channel name or id.")
  String channel;

  @Option(
      names = "--base-host",
      description = "Base host of the URLs (default: the one the last serve used).")
  String baseHost;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    if (!Files.isDirectory(data)) {
      throw new IllegalArgumentException(
          "data directory " + data + " does not exist: give the one serve uses with --data");
    }
    String channelId = channel;
    Path git = data.resolve("git");
    if (Files.isDirectory(git)) {
      channelId = GitStore.open(git).channelId(channel);
    }
    Deployer.Listing listing = Deployer.read(data, channelId, "localhost:8080");
    String host = baseHost != null ? baseHost : listing.baseHost();
    PrintWriter out = spec.commandLine().getOut();
    for (Deployment d : listing.deployments()) {
      out.println(
          d.id() + " " + d.commit() + " " + d.state().label() + " " + Deployer.url(d, host));
    }
    out.flush();
    return 0;
  }
}
