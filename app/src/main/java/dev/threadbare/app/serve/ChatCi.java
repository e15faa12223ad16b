package dev.threadbare.app.serve;

import dev.threadbare.chat.outbox.Outbox;
import dev.threadbare.chat.outbox.OutgoingCall;
import dev.threadbare.ci.Ci;
import dev.threadbare.ci.CiHttp;
import dev.threadbare.ci.CiRun;
import dev.threadbare.ci.RunStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * CI's voice in the chat: 🔄 on the message while its run waits or runs, then one result reaction
 * (🟢 passed, 🔴 failed, ⚠️ error, ⏹️ cancelled — never ✅, which means "taken"), and on a failure,
 * an error, or the cancel of a run that had started, one thread reply with the log's last lines and
 * a link to the whole log. A queued run superseded before it started gets its reaction only, so a
 * burst of commits costs no messages. Every call has an idempotency key per run, so a restart that
 * reports a run again sends nothing twice. Also keeps the Prometheus meters.
 */
final class ChatCi implements Ci.Listener {

  static final String PENDING = "arrows_counterclockwise";
  static final int TAIL_LINES = 30;

  private final Outbox outbox;
  private final String baseUrl;
  private final MeterRegistry metrics;
  private volatile Ci ci;

  ChatCi(Outbox outbox, String baseUrl, MeterRegistry metrics) {
    this.outbox = outbox;
    this.baseUrl = baseUrl;
    this.metrics = metrics;
  }

  void attach(Ci runner) {
    this.ci = runner;
  }

  static String reaction(RunStatus status) {
    return switch (status) {
      case PASSED -> "large_green_circle";
      case FAILED -> "red_circle";
      case ERROR -> "warning";
      case CANCELLED -> "black_square_for_stop";
      default -> PENDING;
    };
  }

  @Override
  public void changed(CiRun run) {
    if (run.status().isFinal()) {
      count(run);
    }
    if (run.messageTs() == null) {
      return;
    }
    String key = "ci:" + run.channel() + ":" + run.id() + ":";
    switch (run.status()) {
      case QUEUED ->
          outbox.enqueue(
              new OutgoingCall.AddReaction(
                  key + "pending", run.channel(), run.messageTs(), PENDING));
      case RUNNING -> {
        // 🔄 already says so.
      }
      default -> {
        if (outbox.contains(key + "pending")) {
          outbox.enqueue(
              new OutgoingCall.RemoveReaction(
                  key + "unpending", run.channel(), run.messageTs(), PENDING));
        }
        outbox.enqueue(
            new OutgoingCall.AddReaction(
                key + "result", run.channel(), run.messageTs(), reaction(run.status())));
        boolean started = run.startedAt() != null;
        if (run.status() == RunStatus.FAILED
            || run.status() == RunStatus.ERROR
            || (run.status() == RunStatus.CANCELLED && started)) {
          outbox.enqueue(
              new OutgoingCall.PostMessage(
                  key + "reply", run.channel(), run.messageTs(), reply(run)));
        }
      }
    }
  }

  private String reply(CiRun run) {
    StringBuilder text = new StringBuilder();
    text.append("CI ")
        .append(run.status().label())
        .append(" for `")
        .append(run.shortCommit())
        .append("` on ")
        .append(run.ref())
        .append(": ")
        .append(run.detail());
    String tail = tail(run);
    if (!tail.isBlank()) {
      text.append("\n```\n").append(tail.replace("```", "`\u200b``")).append("\n```");
    }
    text.append("\nWhole log: ").append(baseUrl).append(CiHttp.runPath(run.id()));
    return text.toString();
  }

  private String tail(CiRun run) {
    Ci runner = ci;
    if (runner == null) {
      return "";
    }
    Path log = runner.logFile(run.id());
    try {
      if (!Files.exists(log)) {
        return "";
      }
      long size = Files.size(log);
      byte[] bytes;
      try (var in = Files.newInputStream(log)) {
        long skip = Math.max(0, size - 8192);
        in.skipNBytes(skip);
        bytes = in.readAllBytes();
      }
      List<String> lines = new String(bytes, StandardCharsets.UTF_8).lines().toList();
      List<String> last = lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size());
      return String.join("\n", last);
    } catch (IOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }

  private void count(CiRun run) {
    String status = run.status().label();
    Counter.builder("threadbare_ci_runs")
        .description("CI runs by final status")
        .tag("status", status)
        .register(metrics)
        .increment();
    if (run.startedAt() != null && run.finishedAt() != null) {
      Timer.builder("threadbare_ci_run_duration")
          .description("CI run wall time by final status")
          .tag("status", status)
          .register(metrics)
          .record(Duration.between(run.startedAt(), run.finishedAt()));
      Timer.builder("threadbare_ci_queue_wait")
          .description("from queued to started")
          .register(metrics)
          .record(Duration.between(run.queuedAt(), run.startedAt()));
    }
  }

  /** For logs: seconds as the CLI prints them. */
  static String seconds(CiRun run) {
    return String.format(Locale.ROOT, "%.1f", run.seconds(Instant.now()));
  }
}
