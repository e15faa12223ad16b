package dev.threadbare.app.cli;

import dev.threadbare.deploy.Deployer;
import dev.threadbare.materializer.GitStore;
import dev.threadbare.prod.ProdEvent;
import dev.threadbare.prod.ProdServer;
import dev.threadbare.prod.ProdStore;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code threadbare prod}: a channel's prod on the first line, {@code UUID COMMIT URL} ({@code - -
 * -} when nothing was promoted yet), then its history newest first, one line each: {@code TIME
 * promote|rollback COMMIT by USER approvals USER,USER} (approvals {@code -} when none); a step that
 * never served prod ends with {@code (failed: …)} or {@code (abandoned: …)}. Reads the record the
 * server keeps (works while it runs; the SQLite record only).
 */
@Command(
    name = "prod",
    description =
        "Show a channel's prod (UUID COMMIT URL) and its history, newest first:"
            + " TIME promote|rollback COMMIT by USER approvals USER,USER.")
public final class ProdCommand implements Callable<Integer> {

  @Option(names = "--data", description = "Data directory (default: ${DEFAULT-VALUE}).")
  Path data = Path.of("threadbare-data");

  @Option(names = "--channel", required = true, description = "Channel name or id.")
  String channel;

  @Option(
      names = "--base-host",
      description = "Base host of the URL (default: the one the last serve used).")
  String baseHost;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    if (!Files.isDirectory(data)) {
      throw new IllegalArgumentException(
          "data directory " + data + " does not exist: give the one serve uses with --data");
    }
    String channelId = channel;
    String channelName = channel;
    Path git = data.resolve("git");
    if (Files.isDirectory(git)) {
      GitStore store = GitStore.open(git);
      channelId = store.channelId(channel);
      channelName = Optional.ofNullable(store.channelName(channelId)).orElse(channel);
    }
    String host =
        baseHost != null ? baseHost : Deployer.read(data, channelId, "localhost:8080").baseHost();
    PrintWriter out = spec.commandLine().getOut();
    Optional<ProdStore> opened = ProdStore.readSqlite(data.resolve("prod.db"));
    if (opened.isEmpty()) {
      out.println("- - -");
      out.flush();
      return 0;
    }
    String url = ProdServer.url(channelName, host);
    try (ProdStore store = opened.get()) {
      Optional<ProdEvent> current = store.current(channelId);
      out.println(
          current
              .map(
                  c ->
                      (c.deployment() == null ? "-" : c.deployment().toString())
                          + " "
                          + c.commit()
                          + " "
                          + url)
              .orElse("- - -"));
      for (ProdEvent e : store.history(channelId)) {
        out.println(line(e));
      }
    }
    out.flush();
    return 0;
  }

  static String line(ProdEvent e) {
    List<String> approvals = e.approvals();
    String line =
        e.at()
            + " "
            + e.action().label()
            + " "
            + e.commit()
            + " by "
            + e.user()
            + " approvals "
            + (approvals.isEmpty() ? "-" : String.join(",", approvals));
    return switch (e.status()) {
      case DONE -> line;
      case PENDING -> line + " (under way)";
      default ->
          line + " (" + e.status().label() + ": " + e.detail().lines().findFirst().orElse("") + ")";
    };
  }
}
