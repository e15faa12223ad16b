package dev.threadbare.app.cli;

import dev.threadbare.app.DataDir;
import dev.threadbare.ci.CiHttp;
import dev.threadbare.ci.CiRun;
import dev.threadbare.ci.RunStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code threadbare ci --data DIR --channel C [--ref REF]}: one line per CI run, newest first:
 * {@code COMMIT REF STATUS SECONDS LOG-URL}. Reads {@code DIR/ci.db}, or the PostgreSQL journal's
 * database ({@code --journal-url}) where serve keeps them beside a shared journal; log links use
 * the URL the last {@code serve} of that directory recorded (or {@code --url}).
 */
@Command(
    name = "ci",
    mixinStandardHelpOptions = true,
    description = "List a channel's CI runs, newest first: COMMIT REF STATUS SECONDS LOG-URL.")
public final class CiCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @picocli.CommandLine.Mixin GitCommand.DataMixin data;

  @Option(
      names = "--channel",
      required = true,
      paramLabel = "C",
      description = "Channel name or id.")
  String channel;

  @Option(names = "--ref", paramLabel = "REF", description = "Only this branch, e.g. main.")
  String ref;

  @Option(
      names = "--limit",
      defaultValue = "100",
      paramLabel = "N",
      description = "At most N runs (default: ${DEFAULT-VALUE}).")
  int limit;

  @Option(
      names = "--url",
      paramLabel = "URL",
      description = "Base URL for log links (default: the one serve recorded in DIR).")
  String url;

  @Option(
      names = "--journal-url",
      paramLabel = "URL",
      description =
          "A PostgreSQL journal, whose database holds the CI runs too"
              + " (default: $THREADBARE_JOURNAL_URL, else DIR/ci.db).")
  String journalUrl;

  @Override
  public Integer call() throws IOException {
    String shared = journalUrl != null ? journalUrl : System.getenv(DataDir.JOURNAL_URL_ENV);
    if (shared != null && shared.startsWith("jdbc:postgresql:")) {
      try (DataDir dir = DataDir.openExisting(data.data, shared)) {
        DataDir.JournalLogin login = dir.sharedJournal().orElseThrow();
        return list(RunStore.postgres(login.url(), login.user(), login.password()));
      }
    }
    Path store = data.data.resolve("ci.db");
    if (!Files.exists(store)) {
      throw new ParameterException(
          spec.commandLine(),
          "no CI runs in "
              + data.data
              + " ("
              + store
              + " is missing): run `threadbare serve` first");
    }
    return list(RunStore.sqlite(store));
  }

  private int list(RunStore store) throws IOException {
    if (limit < 1) {
      store.close();
      throw new ParameterException(spec.commandLine(), "--limit " + limit + " must be at least 1");
    }
    String base = url != null ? url : recordedUrl();
    PrintWriter out = spec.commandLine().getOut();
    try (RunStore runs = store) {
      List<CiRun> list = runs.list(channel, ref, limit);
      Instant now = Instant.now();
      for (CiRun run : list) {
        out.println(
            run.commit()
                + " "
                + run.ref()
                + " "
                + run.status().label()
                + " "
                + String.format(Locale.ROOT, "%.1f", run.seconds(now))
                + " "
                + base
                + CiHttp.logPath(run.id()));
      }
    }
    out.flush();
    return 0;
  }

  private String recordedUrl() throws IOException {
    Path file = data.data.resolve("ci-base-url");
    if (Files.exists(file)) {
      return Files.readString(file, StandardCharsets.UTF_8).strip();
    }
    return "http://127.0.0.1:8080";
  }
}
