package dev.threadbare.app.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.threadbare.app.DataDir;
import dev.threadbare.ci.CiRun;
import dev.threadbare.ci.RunStatus;
import dev.threadbare.ci.RunStore;
import dev.threadbare.core.review.Approvals;
import dev.threadbare.deploy.Deployer;
import dev.threadbare.deploy.Deployment;
import dev.threadbare.gitserve.GitServe;
import dev.threadbare.materializer.GitStore;
import dev.threadbare.prod.ProdEvent;
import dev.threadbare.prod.ProdServer;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * The channel's page, {@code /channels/<channel>}: what a team keeps open. Prod (version, URL,
 * since when, by whom), recent deploys and their state, CI runs, open threads with their approvals
 * and CI, and charts drawn by uPlot (a WebJar, served at {@code /static/uplot/}): commits per day,
 * CI pass rate and duration per day, cold starts and database size per deployment, and the files
 * still carrying a {@code TODO}/{@code FIXME} on main, day by day (the burndown). Every query is
 * bounded (the newest {@value #RECENT} rows, {@value #DAYS} days of history). Read by the same rule
 * as the CI and deploy pages ({@link CiWiring#allowed}). Stateless; each request reads afresh.
 */
final class ChannelPage {

  static final int RECENT = 20;
  static final int DAYS = 60;
  private static final int MAX_COMMITS = 2000;
  private static final int MAX_RUNS = 500;
  private static final long MAX_SCANNED_BLOB = 1 << 20;
  private static final String UPLOT = "META-INF/resources/webjars/uplot/1.6.30/";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private final DataDir dataDir;
  private final RunStore runs;
  private final Deployer deployer;
  private final ProdServer prod;

  private ChannelPage(DataDir dataDir, RunStore runs, Deployer deployer, ProdServer prod) {
    this.dataDir = dataDir;
    this.runs = runs;
    this.deployer = deployer;
    this.prod = prod;
  }

  /**
   * Registers the page and uPlot's files on {@code http}; {@code runs} and {@code prod} may be null
   * (no CI here, no prod).
   */
  static void register(
      Javalin http,
      DataDir dataDir,
      GitServe gitServe,
      ChatChannels channels,
      RunStore runs,
      Deployer deployer,
      ProdServer prod) {
    ChannelPage page = new ChannelPage(dataDir, runs, deployer, prod);
    http.get("/static/uplot/{file}", ChannelPage::uplot);
    http.get(
        "/channels/{channel}",
        ctx -> {
          String channel = ctx.pathParam("channel");
          if (CiWiring.allowed(ctx, channel, gitServe, channels)) {
            page.render(ctx, channel);
          }
        });
  }

  private static void uplot(Context ctx) throws IOException {
    String file = ctx.pathParam("file");
    String path =
        switch (file) {
          case "uPlot.iife.min.js" -> "dist/uPlot.iife.min.js";
          case "uPlot.min.css" -> "dist/uPlot.min.css";
          case "LICENSE" -> "LICENSE";
          default -> null;
        };
    InputStream in = path == null ? null : resource(UPLOT + path);
    if (in == null) {
      ctx.status(404)
          .result("no file " + file + " here: uPlot.iife.min.js, uPlot.min.css, LICENSE");
      return;
    }
    try (in) {
      ctx.contentType(
              file.endsWith(".js")
                  ? "text/javascript"
                  : file.endsWith(".css") ? "text/css" : "text/plain; charset=utf-8")
          .header("Cache-Control", "max-age=86400")
          .result(in.readAllBytes());
    }
  }

  private static InputStream resource(String name) {
    return ChannelPage.class.getClassLoader().getResourceAsStream(name);
  }

  private void render(Context ctx, String nameOrId) throws IOException {
    GitStore store = dataDir.store();
    String channel = store.channelId(nameOrId);
    String name = Optional.ofNullable(store.channelName(channel)).orElse(nameOrId);
    ObjectNode data = JSON.createObjectNode();
    StringBuilder html = new StringBuilder(16_384);
    html.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>#")
        .append(esc(name))
        .append(" · threadbare</title>")
        .append("<link rel=\"stylesheet\" href=\"/static/uplot/uPlot.min.css\">")
        .append("<style>body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}")
        .append("table{border-collapse:collapse;margin-bottom:1em}td,th{padding:.2em .6em;")
        .append("border-bottom:1px solid #ddd;text-align:left;font-size:.9em}")
        .append(".charts{display:flex;flex-wrap:wrap;gap:1em}.chart{border:1px solid #ddd;")
        .append("padding:.5em}.passed,.running{color:#1a7f37}.failed,.error{color:#c00}")
        .append("code{font-size:.9em}nav a{margin-right:1em}</style></head><body>")
        .append("<h1>#")
        .append(esc(name))
        .append("</h1><nav><a id=\"to-chat\" href=\"/#/")
        .append(esc(channel))
        .append("\">chat</a><a id=\"to-code\" href=\"/code/")
        .append(esc(name))
        .append("/tree\">code</a><a href=\"/deploys/channels/")
        .append(esc(name))
        .append("\">deployments</a><a href=\"/ci/")
        .append(esc(name))
        .append("\">CI</a></nav>");
    prodSection(html, channel, name);
    List<Deployment> deployments = deploySection(html, channel, data);
    ciSection(html, channel, data);
    threadSection(html, channel, store);
    commitCharts(channel, store, data);
    html.append("<h2>Charts</h2><div class=\"charts\">");
    for (String id : List.of("commits", "ci-rate", "ci-duration", "cold", "dbsize", "todo")) {
      html.append("<div class=\"chart\" id=\"chart-").append(id).append("\"></div>");
    }
    html.append("</div><p><small>Charts by uPlot (MIT, <a href=\"/static/uplot/LICENSE\">")
        .append("licence</a>); ")
        .append(deployments.size())
        .append(" deployments, the newest ")
        .append(RECENT)
        .append(" shown.</small></p>")
        .append("<script id=\"channel-data\" type=\"application/json\">")
        .append(JSON.writeValueAsString(data).replace("</", "<\\/"))
        .append("</script><script src=\"/static/uplot/uPlot.iife.min.js\"></script><script>")
        .append(script())
        .append("</script></body></html>");
    ctx.contentType("text/html; charset=utf-8").result(html.toString());
  }

  private void prodSection(StringBuilder html, String channel, String name) {
    html.append("<h2>Prod</h2>");
    Optional<ProdEvent> current = prod == null ? Optional.empty() : prod.store().current(channel);
    if (current.isEmpty()) {
      html.append("<p id=\"prod\">Nothing promoted yet: say <code>promote VERSION</code>.</p>");
      return;
    }
    ProdEvent event = current.get();
    String url = prod.url(name);
    html.append("<p id=\"prod\">Version <code class=\"prod-commit\">")
        .append(esc(shortId(event.commit())))
        .append("</code> at <a class=\"prod-url\" href=\"")
        .append(esc(url))
        .append("\">")
        .append(esc(url))
        .append("</a>, since <span class=\"prod-since\">")
        .append(TIME.format(event.at()))
        .append("</span>, ")
        .append(esc(event.action().label()))
        .append("d by <span class=\"prod-by\">")
        .append(esc(event.user()))
        .append("</span>")
        .append(
            event.approvals().isEmpty()
                ? ""
                : " (approved by " + esc(String.join(", ", event.approvals())) + ")")
        .append(".</p>");
  }

  private List<Deployment> deploySection(StringBuilder html, String channel, ObjectNode data) {
    List<Deployment> all = deployer == null ? List.of() : deployer.list(channel);
    List<Deployment> recent = all.subList(0, Math.min(RECENT, all.size()));
    html.append("<h2>Recent deploys</h2><table id=\"deploys\"><tr><th>commit</th><th>state</th>")
        .append("<th>created</th><th>cold start</th></tr>");
    ArrayNode labels = data.putArray("deployLabels");
    ArrayNode cold = data.putArray("coldStartMs");
    ArrayNode size = data.putArray("dbSizeKb");
    // Oldest first on the charts.
    for (int i = recent.size() - 1; i >= 0; i--) {
      Deployment d = recent.get(i);
      Optional<Duration> coldStart =
          deployer.activity(d.id()).map(a -> a.lastColdStart()).filter(x -> x != null);
      labels.add(shortId(d.commit()));
      if (coldStart.isPresent()) {
        cold.add(coldStart.get().toMillis());
      } else {
        cold.addNull();
      }
      size.add(databaseBytes(d) / 1024.0);
    }
    for (Deployment d : recent) {
      String state = d.state().label();
      html.append("<tr><td><a href=\"")
          .append(esc(deployer.url(d)))
          .append("\"><code>")
          .append(esc(shortId(d.commit())))
          .append("</code></a></td><td class=\"")
          .append(state)
          .append("\">")
          .append(state)
          .append("</td><td>")
          .append(TIME.format(d.createdAt()))
          .append("</td><td>")
          .append(
              deployer
                  .activity(d.id())
                  .map(a -> a.lastColdStart())
                  .filter(x -> x != null)
                  .map(x -> x.toMillis() + " ms")
                  .orElse(""))
          .append("</td></tr>");
    }
    html.append("</table>");
    return all;
  }

  /** The preview database's files on DuckDB ({@code DIR/db/<uuid>.duckdb} and its WAL), or 0. */
  private long databaseBytes(Deployment d) {
    Path db = dataDir.directory().resolve("db");
    long bytes = 0;
    for (String suffix : List.of(".duckdb", ".duckdb.wal")) {
      try {
        Path file = db.resolve(d.database() + suffix);
        if (Files.isRegularFile(file)) {
          bytes += Files.size(file);
        }
      } catch (IOException e) {
        // Gone between the check and the read: counts as nothing.
      }
    }
    return bytes;
  }

  private void ciSection(StringBuilder html, String channel, ObjectNode data) {
    html.append("<h2>CI runs</h2>");
    List<CiRun> list = runs == null ? List.of() : runs.list(channel, null, MAX_RUNS);
    if (runs == null) {
      html.append("<p>No CI on this server.</p>");
    }
    html.append("<table id=\"ci-runs\"><tr><th>run</th><th>branch</th><th>commit</th>")
        .append("<th>status</th><th>seconds</th></tr>");
    Instant now = Instant.now();
    for (CiRun run : list.subList(0, Math.min(RECENT, list.size()))) {
      html.append("<tr><td><a href=\"/ci/runs/")
          .append(run.id())
          .append("\">#")
          .append(run.id())
          .append("</a></td><td>")
          .append(esc(run.ref()))
          .append("</td><td><code>")
          .append(esc(run.shortCommit()))
          .append("</code></td><td class=\"")
          .append(run.status().label())
          .append("\">")
          .append(run.status().label())
          .append("</td><td>")
          .append(String.format(Locale.ROOT, "%.1f", run.seconds(now)))
          .append("</td></tr>");
    }
    html.append("</table>");
    // Per day: the share of finished runs that passed, and their mean duration.
    TreeMap<LocalDate, double[]> days = new TreeMap<>();
    for (CiRun run : list) {
      if (!run.status().isFinal() || run.status() == RunStatus.CANCELLED) {
        continue;
      }
      double[] day =
          days.computeIfAbsent(
              LocalDate.ofInstant(run.queuedAt(), ZoneOffset.UTC), k -> new double[3]);
      day[0]++;
      day[1] += run.status() == RunStatus.PASSED ? 1 : 0;
      day[2] += run.seconds(now);
    }
    ArrayNode x = data.putArray("ciDays");
    ArrayNode rate = data.putArray("ciPassRate");
    ArrayNode seconds = data.putArray("ciSeconds");
    days.forEach(
        (day, v) -> {
          x.add(day.atStartOfDay(ZoneOffset.UTC).toEpochSecond());
          rate.add(100 * v[1] / v[0]);
          seconds.add(v[2] / v[0]);
        });
  }

  private void threadSection(StringBuilder html, String channel, GitStore store)
      throws IOException {
    List<String> threads =
        new ArrayList<>(
            store.branches(channel).stream().filter(b -> b.startsWith("thread/")).toList());
    // Newest threads first (their names are the roots' ts); a thread whose tip main already
    // holds (merged, nothing since) is not open. At most a bounded number are looked at.
    threads.sort((a, b) -> b.compareTo(a));
    List<String> open = new ArrayList<>();
    ObjectId main = store.resolve(channel, "main");
    if (!threads.isEmpty()) {
      try (Repository repo = store.repository(channel);
          RevWalk walk = new RevWalk(repo)) {
        RevCommit mainTip = main == null ? null : walk.parseCommit(main);
        for (String branch : threads.subList(0, Math.min(5 * RECENT, threads.size()))) {
          ObjectId tip = store.resolve(channel, branch);
          if (tip == null) {
            continue;
          }
          walk.reset();
          if (mainTip == null || !walk.isMergedInto(walk.parseCommit(tip), mainTip)) {
            open.add(branch);
          }
          if (open.size() == RECENT) {
            break;
          }
        }
      }
    }
    html.append("<h2>Open threads</h2><table id=\"threads\"><tr><th>thread</th>")
        .append("<th>approvals</th><th>CI</th></tr>");
    Approvals approvals = open.isEmpty() ? null : Approvals.of(dataDir.journal(), channel);
    for (String branch : open) {
      String root = branch.substring("thread/".length());
      SortedSet<String> approvers = approvals.ofThread(channel, root);
      String ci =
          runs == null
              ? ""
              : runs.list(channel, branch, 1).stream()
                  .findFirst()
                  .map(r -> r.status().label())
                  .orElse("");
      html.append("<tr><td><a href=\"/code/")
          .append(esc(channel))
          .append("/tree?rev=")
          .append(esc(branch))
          .append("\">")
          .append(esc(branch))
          .append("</a></td><td>")
          .append(approvers.size())
          .append(approvers.isEmpty() ? "" : " (" + esc(String.join(", ", approvers)) + ")")
          .append("</td><td class=\"")
          .append(ci)
          .append("\">")
          .append(ci)
          .append("</td></tr>");
    }
    html.append("</table>");
  }

  /**
   * Commits per day and the TODO/FIXME burndown, from main's history: the newest {@value
   * #MAX_COMMITS} commits within {@value #DAYS} days; the burndown counts, at each day's last
   * commit, the files whose text carries {@code TODO} or {@code FIXME} (each blob read once).
   */
  private static void commitCharts(String channel, GitStore store, ObjectNode data)
      throws IOException {
    TreeMap<LocalDate, Integer> perDay = new TreeMap<>();
    TreeMap<LocalDate, RevCommit> lastOfDay = new TreeMap<>();
    ArrayNode days = data.putArray("commitDays");
    ArrayNode counts = data.putArray("commits");
    ArrayNode todoDays = data.putArray("todoDays");
    ArrayNode todo = data.putArray("todoFiles");
    ObjectId main = store.resolve(channel, "main");
    if (main == null) {
      return;
    }
    LocalDate since = LocalDate.now(ZoneOffset.UTC).minusDays(DAYS);
    try (Repository repo = store.repository(channel);
        RevWalk walk = new RevWalk(repo)) {
      walk.markStart(walk.parseCommit(main));
      int seen = 0;
      for (RevCommit commit : walk) {
        LocalDate day =
            LocalDate.ofInstant(Instant.ofEpochSecond(commit.getCommitTime()), ZoneOffset.UTC);
        if (day.isBefore(since) || ++seen > MAX_COMMITS) {
          break;
        }
        perDay.merge(day, 1, Integer::sum);
        lastOfDay.putIfAbsent(day, commit); // the walk goes newest first
      }
      perDay.forEach(
          (day, n) -> {
            days.add(day.atStartOfDay(ZoneOffset.UTC).toEpochSecond());
            counts.add(n);
          });
      Map<ObjectId, Boolean> marked = new HashMap<>();
      for (Map.Entry<LocalDate, RevCommit> e : lastOfDay.entrySet()) {
        todoDays.add(e.getKey().atStartOfDay(ZoneOffset.UTC).toEpochSecond());
        todo.add(todoFiles(repo, e.getValue(), marked));
      }
    }
  }

  private static int todoFiles(Repository repo, RevCommit commit, Map<ObjectId, Boolean> marked)
      throws IOException {
    int files = 0;
    try (TreeWalk tree = new TreeWalk(repo)) {
      tree.addTree(commit.getTree());
      tree.setRecursive(true);
      while (tree.next()) {
        ObjectId blob = tree.getObjectId(0);
        Boolean has = marked.get(blob);
        if (has == null) {
          ObjectLoader loader = repo.open(blob);
          has =
              loader.getSize() <= MAX_SCANNED_BLOB
                  && hasMarker(new String(loader.getCachedBytes(), StandardCharsets.UTF_8));
          marked.put(blob, has);
        }
        files += has ? 1 : 0;
      }
    }
    return files;
  }

  static boolean hasMarker(String text) {
    return text.contains("TODO") || text.contains("FIXME");
  }

  private static String shortId(String commit) {
    return commit.substring(0, Math.min(10, commit.length()));
  }

  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  private static String script() {
    try (InputStream in = resource("channel-page.js")) {
      if (in == null) {
        throw new IllegalStateException("channel-page.js is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
