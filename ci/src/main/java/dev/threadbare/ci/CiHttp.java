package dev.threadbare.ci;

import static dev.threadbare.core.web.HtmlPage.escape;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.threadbare.core.web.ChannelAccess;
import dev.threadbare.core.web.HtmlPage;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The CI pages and endpoints under {@code /ci/}:
 *
 * <ul>
 *   <li>{@code GET /ci/channels/<channel>}: the channel's runs, newest first ({@code ?ref=} narrows
 *       to a branch)
 *   <li>{@code GET /ci/channels/<channel>/<commit>}: a commit's runs (one per branch it is on)
 *   <li>{@code GET /ci/runs/<id>}: a run's state and log, live while it runs
 *   <li>{@code GET /ci/runs/<id>/log}: the whole log as text ({@code ?from=N}: from byte N on)
 *   <li>{@code GET /ci/runs/<id>/json}: the run's state as JSON
 * </ul>
 *
 * Every request passes a {@link ChannelAccess} first. Stateless; registers routes only.
 */
public final class CiHttp {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int LIST_LIMIT = 200;

  private CiHttp() {}

  /** The path of run {@code id}'s page, to append to the server's base URL. */
  public static String runPath(long id) {
    return "/ci/runs/" + id;
  }

  /** The path of run {@code id}'s whole log. */
  public static String logPath(long id) {
    return "/ci/runs/" + id + "/log";
  }

  /** Adds the routes to {@code http}. */
  public static void register(Javalin http, Ci ci, ChannelAccess<Context> access) {
    RunStore store = ci.store();
    http.get(
        "/ci/channels/{channel}",
        ctx -> {
          String channel = ctx.pathParam("channel");
          if (!access.allow(ctx, channel)) {
            return;
          }
          List<CiRun> runs = store.list(channel, ctx.queryParam("ref"), LIST_LIMIT);
          ctx.html(page("CI of " + channel, table(runs)));
        });
    http.get(
        "/ci/channels/{channel}/{commit}",
        ctx -> {
          String channel = ctx.pathParam("channel");
          if (!access.allow(ctx, channel)) {
            return;
          }
          String commit = ctx.pathParam("commit");
          if (!commit.matches("[0-9a-fA-F]{4,40}")) {
            ctx.status(400).result("`" + commit + "` is not a commit id (4 to 40 hex digits)");
            return;
          }
          List<CiRun> runs = store.ofCommit(channel, commit);
          if (runs.isEmpty()) {
            ctx.status(404).result("no CI run of " + commit + " in " + channel);
            return;
          }
          ctx.html(page("CI of " + commit + " in " + channel, table(runs)));
        });
    http.get(
        "/ci/runs/{id}",
        ctx -> {
          Optional<CiRun> run = run(ctx, store, access);
          if (run.isEmpty()) {
            return;
          }
          ctx.html(runPage(run.get(), ci.logFile(run.get().id()), ci.retention()));
        });
    http.get(
        "/ci/runs/{id}/log",
        ctx -> {
          Optional<CiRun> run = run(ctx, store, access);
          if (run.isEmpty()) {
            return;
          }
          long from = 0;
          String param = ctx.queryParam("from");
          if (param != null) {
            try {
              from = Long.parseLong(param);
            } catch (NumberFormatException e) {
              ctx.status(400).result("from=`" + param + "` is not a byte offset");
              return;
            }
          }
          ctx.contentType("text/plain; charset=utf-8");
          ctx.header("X-CI-Status", run.get().status().label());
          ctx.result(readFrom(ci.logFile(run.get().id()), from));
        });
    http.get(
        "/ci/runs/{id}/json",
        ctx -> {
          Optional<CiRun> run = run(ctx, store, access);
          if (run.isEmpty()) {
            return;
          }
          ctx.contentType("application/json").result(JSON.writeValueAsString(json(run.get())));
        });
  }

  private static Optional<CiRun> run(Context ctx, RunStore store, ChannelAccess<Context> access) {
    long id;
    try {
      id = Long.parseLong(ctx.pathParam("id"));
    } catch (NumberFormatException e) {
      ctx.status(400).result("`" + ctx.pathParam("id") + "` is not a run number");
      return Optional.empty();
    }
    Optional<CiRun> run = store.get(id);
    if (run.isEmpty()) {
      ctx.status(404).result("no CI run " + id);
      return Optional.empty();
    }
    if (!access.allow(ctx, run.get().channel())) {
      return Optional.empty();
    }
    return run;
  }

  static ObjectNode json(CiRun run) {
    ObjectNode node = JSON.createObjectNode();
    node.put("id", run.id());
    node.put("channel", run.channel());
    node.put("channelName", run.channelName());
    node.put("ref", run.ref());
    node.put("commit", run.commit());
    node.put("status", run.status().label());
    node.put("detail", run.detail());
    node.put("test", run.test());
    node.put("seconds", run.seconds(Instant.now()));
    node.put("queuedAt", run.queuedAt().toString());
    node.put("startedAt", run.startedAt() == null ? null : run.startedAt().toString());
    node.put("finishedAt", run.finishedAt() == null ? null : run.finishedAt().toString());
    node.put("log", logPath(run.id()));
    return node;
  }

  static ArrayNode json(List<CiRun> runs) {
    ArrayNode array = JSON.createArrayNode();
    runs.forEach(r -> array.add(json(r)));
    return array;
  }

  private static byte[] readFrom(Path file, long from) throws IOException {
    if (!Files.exists(file)) {
      return new byte[0];
    }
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long length = raf.length();
      long start = Math.max(0, Math.min(from, length));
      byte[] bytes = new byte[(int) Math.min(Integer.MAX_VALUE - 8, length - start)];
      raf.seek(start);
      raf.readFully(bytes);
      return bytes;
    }
  }

  private static String table(List<CiRun> runs) {
    StringBuilder html = new StringBuilder();
    html.append("<table><tr><th>run</th><th>commit</th><th>branch</th><th>status</th>")
        .append("<th>seconds</th><th>detail</th></tr>");
    Instant now = Instant.now();
    for (CiRun run : runs) {
      html.append("<tr><td><a href=\"")
          .append(runPath(run.id()))
          .append("\">#")
          .append(run.id())
          .append("</a></td><td><code>")
          .append(run.shortCommit())
          .append("</code></td><td>")
          .append(escape(run.ref()))
          .append("</td><td class=\"")
          .append(run.status().label())
          .append("\">")
          .append(run.status().label())
          .append("</td><td>")
          .append(String.format(java.util.Locale.ROOT, "%.1f", run.seconds(now)))
          .append("</td><td>")
          .append(escape(run.detail()))
          .append("</td></tr>");
    }
    return html.append("</table>").toString();
  }

  private static String runPage(CiRun run, Path logFile, LogRetention retention)
      throws IOException {
    String log = new String(readFrom(logFile, 0), StandardCharsets.UTF_8);
    long offset = Files.exists(logFile) ? Files.size(logFile) : 0;
    StringBuilder html = new StringBuilder();
    html.append("<p>")
        .append(escape(run.channelName()))
        .append(" · ")
        .append(escape(run.ref()))
        .append(" · <code>")
        .append(run.commit())
        .append("</code></p><p>status: <b id=\"status\" class=\"")
        .append(run.status().label())
        .append("\">")
        .append(run.status().label())
        .append("</b> — ")
        .append(escape(run.detail()))
        .append("</p><p><code>$ ")
        .append(escape(run.test()))
        .append("</code> · <a href=\"")
        .append(logPath(run.id()))
        .append("\">raw log</a></p><pre id=\"log\">")
        .append(
            run.status().isFinal() && run.startedAt() != null && !Files.exists(logFile)
                ? "(this log was pruned: " + escape(retention.toString()) + ")"
                : escape(log))
        .append("</pre>");
    if (!run.status().isFinal()) {
      // Live: append what the log gained, until the run ends.
      html.append("<script>let from=")
          .append(offset)
          .append(";async function tick(){const r=await fetch('")
          .append(logPath(run.id()))
          .append("?from='+from);const t=await r.text();from+=new TextEncoder().encode(t).length;")
          .append("document.getElementById('log').textContent+=t;")
          .append("const s=r.headers.get('X-CI-Status');document.getElementById('status')")
          .append(".textContent=s;if(s==='queued'||s==='running'){setTimeout(tick,1000)}")
          .append("else{location.reload()}}setTimeout(tick,1000)</script>");
    }
    return page("CI run #" + run.id(), html.toString());
  }

  private static String page(String title, String body) {
    return HtmlPage.of(
        title,
        ".passed{color:#187a2f}.failed,.error{color:#b00020}.cancelled{color:#666}"
            + "pre{background:#f4f4f4;padding:1em;overflow:auto}",
        body);
  }
}
