package dev.threadbare.app.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code threadbare serve}: runs everything in one process. */
@Command(name = "serve", description = "Run threadbare: local workspace, bot, journal, db layer.")
public final class ServeCommand implements Callable<Integer> {

  @Option(names = "--data", description = "Data directory (default: ${DEFAULT-VALUE}).")
  Path data = Path.of("threadbare-data");

  @Option(
      names = "--port",
      description = "HTTP port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int port = 8080;

  @Option(
      names = "--db-port",
      description = "PostgreSQL wire port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int dbPort = 5433;

  @Override
  public Integer call() {
    throw new UnsupportedOperationException("serve: being wired up");
  }
}
