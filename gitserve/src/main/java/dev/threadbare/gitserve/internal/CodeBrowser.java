package dev.threadbare.gitserve.internal;

import static dev.threadbare.gitserve.internal.Html.esc;
import static dev.threadbare.gitserve.internal.Html.q;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.threadbare.gitserve.ServedChannel;
import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.SameSite;
import io.javalin.router.JavalinDefaultRouting;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.transport.BundleWriter;

/**
 * The code browser ({@code /code/<channel>/…}, server-rendered HTML with highlight.js), its JSON
 * twin ({@code /api/v1/channels/<channel>/…}) and the bundle download. Every request passes the
 * same {@link Access} check as git: a token as HTTP Basic password or bearer, or the {@code
 * threadbare_token} cookie set by {@code /code/login}. Built once per server; thread safe (the
 * blame cache is synchronized).
 */
public final class CodeBrowser {
  static final String COOKIE = "threadbare_token";
  private static final String HLJS = "META-INF/resources/webjars/highlightjs/11.10.0/";
  private static final int LOG_LIMIT = 500;

  private final Access access;
  private final String baseUrl;
  private final ObjectMapper json = new ObjectMapper();
  private final IncrementalBlame blames = new IncrementalBlame(2048);

  /** Serves what {@code access} allows; {@code baseUrl} (nullable) is used in clone URLs. */
  public CodeBrowser(Access access, String baseUrl) {
    this.access = access;
    this.baseUrl = baseUrl;
  }

  /** Registers every route. */
  public void routes(JavalinDefaultRouting routing) {
    routing.get("/code/assets/{file}", this::asset);
    routing.get("/code/login", ctx -> ctx.html(loginPage(ctx.queryParam("next"), null)));
    routing.post("/code/login", this::login);
    routing.post("/code/logout", this::logout);
    routing.get("/code/{channel}", ctx -> page(ctx, this::home));
    routing.get("/code/{channel}/tree", ctx -> page(ctx, this::treePage));
    routing.get("/code/{channel}/blob", ctx -> page(ctx, this::blobPage));
    routing.get("/code/{channel}/log", ctx -> page(ctx, this::logPage));
    routing.get("/code/{channel}/blame", ctx -> page(ctx, this::blamePage));
    routing.get("/code/{channel}/line", ctx -> page(ctx, this::linePage));
    routing.get("/code/{channel}/diff", ctx -> page(ctx, this::diffPage));
    routing.get("/api/v1/channels/{channel}/export.bundle", ctx -> api(ctx, this::bundle));
    routing.get("/api/v1/channels/{channel}/branches", ctx -> api(ctx, this::branchesJson));
    routing.get("/api/v1/channels/{channel}/tree", ctx -> api(ctx, this::treeJson));
    routing.get("/api/v1/channels/{channel}/blob", ctx -> api(ctx, this::blobJson));
    routing.get("/api/v1/channels/{channel}/log", ctx -> api(ctx, this::logJson));
    routing.get("/api/v1/channels/{channel}/blame", ctx -> api(ctx, this::blameJson));
    routing.get("/api/v1/channels/{channel}/line", ctx -> api(ctx, this::lineJson));
    routing.get("/api/v1/channels/{channel}/diff", ctx -> api(ctx, this::diffJson));
  }

  @FunctionalInterface
  private interface Handler {
    void handle(Context ctx, ServedChannel channel, RepoReader reader) throws IOException;
  }

  // ---------------------------------------------------------------- access

  private void page(Context ctx, Handler handler) throws IOException {
    serve(ctx, handler, false);
  }

  private void api(Context ctx, Handler handler) throws IOException {
    serve(ctx, handler, true);
  }

  private void serve(Context ctx, Handler handler, boolean api) throws IOException {
    String name = ctx.pathParam("channel");
    Access.Decision decision = access.decide(name, ctx.header("Authorization"), ctx.cookie(COOKIE));
    switch (decision) {
      case Access.Unauthenticated unauthenticated -> {
        if (!api && ctx.header("Authorization") == null) {
          String next = ctx.path() + (ctx.queryString() == null ? "" : "?" + ctx.queryString());
          ctx.redirect("/code/login?next=" + q(next));
          return;
        }
        ctx.header("WWW-Authenticate", Access.CHALLENGE);
        error(ctx, api, 401, unauthenticated.reason());
      }
      case Access.NotFound notFound ->
          error(ctx, api, 404, "channel `" + notFound.channelName() + "` not found");
      case Access.Allowed allowed -> {
        try (RepoReader reader = new RepoReader(GitHttp.openRepository(allowed.channel()))) {
          handler.handle(ctx, allowed.channel(), reader);
        } catch (BrowseException e) {
          error(ctx, api, 404, e.getMessage());
        } catch (org.eclipse.jgit.errors.RepositoryNotFoundException e) {
          error(ctx, api, 404, "channel `" + name + "` has no repository yet: post some code");
        }
      }
    }
  }

  private void error(Context ctx, boolean api, int status, String message) throws IOException {
    ctx.status(status);
    if (api) {
      ctx.contentType("application/json").result(json.writeValueAsString(Map.of("error", message)));
    } else {
      ctx.html(
          layout(
              "Error",
              "<main class=\"error\"><h1>" + status + "</h1><p>" + esc(message) + "</p></main>"));
    }
  }

  private void login(Context ctx) {
    String token = ctx.formParam("token");
    String next = ctx.formParam("next");
    if (token == null || access.userOf(token.strip()).isEmpty()) {
      ctx.status(401)
          .html(
              loginPage(
                  next,
                  "That token is unknown or revoked: ask the bot for a new one with `token`."));
      return;
    }
    Cookie cookie = new Cookie(COOKIE, token.strip());
    cookie.setHttpOnly(true);
    cookie.setPath("/");
    cookie.setSameSite(SameSite.STRICT);
    cookie.setSecure("https".equals(ctx.scheme()));
    ctx.cookie(cookie);
    ctx.redirect(next != null && next.startsWith("/code/") ? next : "/code/login?ok=1");
  }

  private void logout(Context ctx) {
    ctx.removeCookie(COOKIE, "/");
    ctx.redirect("/code/login");
  }

  private String loginPage(String next, String problem) {
    return layout(
        "Sign in",
        "<main class=\"login\"><h1>Sign in to the code browser</h1>"
            + "<p>Paste your personal token (ask the threadbare bot with <code>token</code>).</p>"
            + (problem == null ? "" : "<p class=\"problem\">" + esc(problem) + "</p>")
            + "<form method=\"post\" action=\"/code/login\">"
            + "<input type=\"hidden\" name=\"next\" value=\""
            + esc(next == null ? "" : next)
            + "\"><input id=\"token\" type=\"password\" name=\"token\" autocomplete=\"off\""
            + " placeholder=\"tbp_…\" size=\"50\"> <button id=\"sign-in\" type=\"submit\">Sign"
            + " in</button></form></main>");
  }

  private void asset(Context ctx) throws IOException {
    String file = ctx.pathParam("file");
    String resource =
        switch (file) {
          case "code.css" -> "dev/threadbare/gitserve/assets/code.css";
          case "code.js" -> "dev/threadbare/gitserve/assets/code.js";
          case "highlight.min.js" -> HLJS + "highlight.min.js";
          case "github.min.css" -> HLJS + "styles/github.min.css";
          default -> null;
        };
    if (resource == null) {
      ctx.status(404).result("no asset `" + file + "`");
      return;
    }
    try (InputStream in = CodeBrowser.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new UncheckedIOException(new IOException("asset missing from the jar: " + resource));
      }
      ctx.contentType(
          file.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8");
      ctx.header("Cache-Control", "public, max-age=3600");
      ctx.result(in.readAllBytes());
    }
  }

  // ---------------------------------------------------------------- pages

  /** What every page of a channel shares: names, the version and its switcher. */
  private record View(
      ServedChannel channel, String rev, RevCommit commit, boolean onBranch, String path) {
    String base() {
      return "/code/" + q(channel.name());
    }

    String url(String page, String atRev, String atPath) {
      return base()
          + "/"
          + page
          + "?rev="
          + q(atRev)
          + (atPath == null || atPath.isEmpty() ? "" : "&path=" + q(atPath));
    }

    String permalink(String page) {
      return url(page, commit.name(), path);
    }
  }

  private View view(Context ctx, ServedChannel channel, RepoReader reader) throws IOException {
    String rev = ctx.queryParam("rev");
    if (rev == null || rev.isBlank()) {
      rev = reader.defaultBranch();
    }
    RevCommit commit = reader.commit(rev);
    String path = RepoReader.normalise(ctx.queryParam("path"));
    return new View(channel, rev, commit, reader.isBranch(rev), path);
  }

  private void home(Context ctx, ServedChannel channel, RepoReader reader) throws IOException {
    ctx.redirect("/code/" + q(channel.name()) + "/tree?rev=" + q(reader.defaultBranch()));
  }

  private String header(Context ctx, View view, RepoReader reader, String page) throws IOException {
    StringBuilder out = new StringBuilder();
    out.append("<header><div class=\"title\"><a href=\"")
        .append(view.base())
        .append("\">#")
        .append(esc(view.channel().name()))
        .append("</a>")
        .append(view.channel().isPrivate() ? " <span class=\"badge\">private</span>" : "")
        .append("</div>");
    out.append("<label>branch <select id=\"branch\" data-page=\"").append(page).append("\">");
    boolean found = false;
    for (RepoReader.Branch branch : reader.branches()) {
      boolean selected = view.onBranch() && branch.name().equals(view.rev());
      found |= selected;
      out.append("<option value=\"")
          .append(esc(view.url(page, branch.name(), view.path())))
          .append("\"")
          .append(selected ? " selected" : "")
          .append(">")
          .append(esc(branch.name()))
          .append("</option>");
    }
    if (!found) {
      out.append("<option selected value=\"\">")
          .append(view.commit().name(), 0, 10)
          .append("</option>");
    }
    out.append("</select></label>");
    String clone = cloneUrl(ctx, view.channel());
    out.append("<div class=\"clone\"><input id=\"clone-url\" readonly value=\"")
        .append(esc(clone))
        .append("\" size=\"")
        .append(Math.min(60, clone.length()))
        .append(
            "\"><button id=\"copy-clone\" type=\"button\" data-copy=\"clone-url\">Copy</button>")
        .append("</div>");
    out.append("<nav>")
        .append(link(view.url("tree", view.rev(), parentDir(view, reader)), "Files", "nav-tree"))
        .append(link(view.url("log", view.rev(), view.path()), "History", "nav-log"))
        .append(link(diffUrl(view, null, view.rev(), view.path()), "Diff", "nav-diff"))
        .append("<a id=\"permalink\" href=\"")
        .append(esc(view.permalink(page)))
        .append("\" title=\"This page at version ")
        .append(view.commit().name())
        .append("\">Permalink</a></nav></header>");
    out.append(breadcrumbs(view, page));
    return out.toString();
  }

  private static String parentDir(View view, RepoReader reader) throws IOException {
    if (view.path().isEmpty() || reader.isDirectory(view.commit(), view.path())) {
      return view.path();
    }
    int slash = view.path().lastIndexOf('/');
    return slash < 0 ? "" : view.path().substring(0, slash);
  }

  private static String breadcrumbs(View view, String page) {
    StringBuilder out = new StringBuilder("<div class=\"crumbs\">");
    out.append("<a href=\"").append(esc(view.url("tree", view.rev(), ""))).append("\">");
    out.append(esc(view.channel().name())).append("</a>");
    String[] parts = view.path().isEmpty() ? new String[0] : view.path().split("/");
    StringBuilder sofar = new StringBuilder();
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) {
        sofar.append('/');
      }
      sofar.append(parts[i]);
      boolean last = i == parts.length - 1;
      String target = last && !page.equals("tree") ? page : "tree";
      out.append(" / <a href=\"")
          .append(esc(view.url(last ? target : "tree", view.rev(), sofar.toString())))
          .append("\">")
          .append(esc(parts[i]))
          .append("</a>");
    }
    out.append(" <span class=\"at\">at ")
        .append(view.onBranch() ? esc(view.rev()) + " · " : "")
        .append(view.commit().name(), 0, 7)
        .append("</span></div>");
    return out.toString();
  }

  private static String link(String href, String text, String id) {
    return "<a id=\"" + id + "\" href=\"" + esc(href) + "\">" + esc(text) + "</a>";
  }

  private String cloneUrl(Context ctx, ServedChannel channel) {
    String base = baseUrl != null ? baseUrl : ctx.scheme() + "://" + ctx.host();
    return base + "/git/" + channel.name() + ".git";
  }

  private static String diffUrl(View view, String from, String to, String path) {
    return view.base()
        + "/diff?"
        + (from == null ? "" : "from=" + q(from) + "&")
        + "to="
        + q(to)
        + (path == null || path.isEmpty() ? "" : "&path=" + q(path));
  }

  private static String messageLinks(Version version) {
    StringBuilder out = new StringBuilder();
    if (version.permalink() != null) {
      out.append("<a class=\"msg\" href=\"")
          .append(esc(version.permalink()))
          .append("\" title=\"The chat message that wrote this\">message</a>");
    }
    if (version.threadPermalink() != null) {
      out.append(" <a class=\"thread\" href=\"")
          .append(esc(version.threadPermalink()))
          .append("\" title=\"The conversation\">thread</a>");
    }
    return out.toString();
  }

  private void treePage(Context ctx, ServedChannel channel, RepoReader reader) throws IOException {
    View view = view(ctx, channel, reader);
    if (!reader.isDirectory(view.commit(), view.path())) {
      ctx.redirect(view.url("blob", view.rev(), view.path()));
      return;
    }
    List<RepoReader.Entry> entries = reader.tree(view.commit(), view.path());
    StringBuilder body = new StringBuilder(header(ctx, view, reader, "tree"));
    Version head = Version.of(view.commit());
    body.append("<p class=\"head\">Latest: <a href=\"")
        .append(esc(diffUrl(view, null, head.id(), "")))
        .append("\">")
        .append(head.shortId())
        .append("</a> ")
        .append(esc(head.subject()))
        .append(" — ")
        .append(esc(head.authorName()))
        .append(", ")
        .append(Html.time(head.time()))
        .append(" ")
        .append(messageLinks(head))
        .append("</p>");
    body.append("<table class=\"tree\" id=\"tree\">");
    for (RepoReader.Entry entry : entries) {
      body.append("<tr><td class=\"")
          .append(entry.directory() ? "dir" : "file")
          .append("\"><a href=\"")
          .append(esc(view.url(entry.directory() ? "tree" : "blob", view.rev(), entry.path())))
          .append("\">")
          .append(esc(entry.name()))
          .append(entry.directory() ? "/" : "")
          .append("</a></td><td class=\"size\">")
          .append(entry.directory() ? "" : entry.size() + " B")
          .append("</td></tr>");
    }
    if (entries.isEmpty()) {
      body.append("<tr><td>(empty)</td></tr>");
    }
    body.append("</table>");
    ctx.html(layout(channel.name() + " · " + view.path(), body.toString()));
  }

  private void blobPage(Context ctx, ServedChannel channel, RepoReader reader) throws IOException {
    View view = view(ctx, channel, reader);
    RepoReader.Blob blob = reader.blob(view.commit(), view.path());
    StringBuilder body = new StringBuilder(header(ctx, view, reader, "blob"));
    body.append("<div class=\"filebar\"><span>")
        .append(blob.size())
        .append(" bytes</span> ")
        .append(link(view.url("blame", view.rev(), view.path()), "Blame", "to-blame"))
        .append(" ")
        .append(link(view.url("log", view.rev(), view.path()), "History", "to-history"))
        .append("</div>");
    if (blob.text() == null) {
      body.append("<p>Binary or very large file: clone the repository to see it.</p>");
    } else {
      String[] lines = lines(blob.text());
      String language = Html.language(blob.path());
      body.append("<div class=\"file\"><pre class=\"gutter\">");
      for (int i = 1; i <= lines.length; i++) {
        body.append("<a id=\"L")
            .append(i)
            .append("\" href=\"")
            .append(esc(view.url("line", view.rev(), view.path())))
            .append("&amp;line=")
            .append(i)
            .append("\" title=\"History of line ")
            .append(i)
            .append("\">")
            .append(i)
            .append("</a>\n");
      }
      body.append("</pre><pre class=\"source\"><code id=\"source\" class=\"")
          .append(language == null ? "" : "language-" + language)
          .append("\">")
          .append(esc(blob.text()))
          .append("</code></pre></div>");
    }
    ctx.html(layout(channel.name() + " · " + view.path(), body.toString()));
  }

  private static String[] lines(String text) {
    String t = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    return t.split("\n", -1);
  }

  private void logPage(Context ctx, ServedChannel channel, RepoReader reader) throws IOException {
    View view = view(ctx, channel, reader);
    List<Version> versions = reader.log(view.commit(), view.path(), LOG_LIMIT);
    StringBuilder body = new StringBuilder(header(ctx, view, reader, "log"));
    body.append("<h2>History of ")
        .append(
            view.path().isEmpty() ? esc(channel.name()) : "<code>" + esc(view.path()) + "</code>")
        .append("</h2><table class=\"log\" id=\"log\">");
    boolean isFile = !view.path().isEmpty() && !reader.isDirectory(view.commit(), view.path());
    for (int i = 0; i < versions.size(); i++) {
      Version v = versions.get(i);
      String older = i + 1 < versions.size() ? versions.get(i + 1).id() : null;
      body.append("<tr data-commit=\"")
          .append(v.id())
          .append("\"><td class=\"id\"><a href=\"")
          .append(esc(diffUrl(view, null, v.id(), "")))
          .append("\">")
          .append(v.shortId())
          .append("</a></td><td class=\"subject\">")
          .append(esc(v.subject()))
          .append("</td><td class=\"who\" title=\"")
          .append(esc(v.userId()))
          .append("\">")
          .append(esc(v.authorName()))
          .append("</td><td class=\"when\">")
          .append(Html.time(v.time()))
          .append("</td><td class=\"links\">")
          .append(messageLinks(v));
      if (isFile) {
        body.append(" <a class=\"view\" href=\"")
            .append(esc(view.url("blob", v.id(), view.path())))
            .append("\">view</a>");
        if (older != null) {
          body.append(" <a class=\"diff\" href=\"")
              .append(esc(diffUrl(view, older, v.id(), view.path())))
              .append("\">diff</a>");
        }
      } else {
        body.append(" <a class=\"view\" href=\"")
            .append(esc(view.url("tree", v.id(), view.path())))
            .append("\">browse</a>");
      }
      body.append("</td></tr>");
    }
    body.append("</table>");
    if (versions.size() == LOG_LIMIT) {
      body.append("<p>Only the newest ").append(LOG_LIMIT).append(" versions are shown.</p>");
    }
    ctx.html(layout(channel.name() + " · history", body.toString()));
  }

  /**
   * Blame of (commit, path) from the incremental blame cache. Reports the time spent in a {@code
   * Server-Timing} header (with whether the attribution was cached), for the benchmark.
   */
  private List<RepoReader.BlameLine> cachedBlame(
      Context ctx, RepoReader reader, RevCommit commit, String path) throws IOException {
    var threads = java.lang.management.ManagementFactory.getThreadMXBean();
    long cpuStart = threads.getCurrentThreadCpuTime();
    long start = System.nanoTime();
    boolean hit = blames.isCached(reader.repository(), commit, RepoReader.normalise(path));
    List<RepoReader.BlameLine> lines = reader.blame(commit, path, blames);
    double millis = (System.nanoTime() - start) / 1e6;
    double cpuMillis = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e6;
    ctx.header(
        "Server-Timing",
        String.format(
            java.util.Locale.ROOT,
            "blame;desc=\"%s\";dur=%.1f, cpu;dur=%.1f",
            hit ? "hit" : "miss",
            millis,
            cpuMillis));
    return lines;
  }

  private void blamePage(Context ctx, ServedChannel channel, RepoReader reader) throws IOException {
    View view = view(ctx, channel, reader);
    List<RepoReader.BlameLine> lines = cachedBlame(ctx, reader, view.commit(), view.path());
    String language = Html.language(view.path());
    StringBuilder body = new StringBuilder(header(ctx, view, reader, "blame"));
    body.append("<div class=\"filebar\">")
        .append(link(view.url("blob", view.rev(), view.path()), "View file", "to-blob"))
        .append("</div><table class=\"blame\" id=\"blame\" data-language=\"")
        .append(language == null ? "" : language)
        .append("\">");
    String previous = null;
    for (RepoReader.BlameLine line : lines) {
      Version v = line.version();
      boolean first = !v.id().equals(previous);
      previous = v.id();
      body.append("<tr id=\"L")
          .append(line.number())
          .append("\" class=\"")
          .append(first ? "first" : "more")
          .append("\" data-commit=\"")
          .append(v.id())
          .append("\"><td class=\"meta\"><a class=\"commit\" href=\"")
          .append(esc(diffUrl(view, null, v.id(), view.path())))
          .append("\" title=\"")
          .append(esc(v.subject()))
          .append("\">")
          .append(v.shortId())
          .append("</a> <span class=\"who\" title=\"")
          .append(esc(v.userId()))
          .append("\">")
          .append(esc(v.authorName()))
          .append("</span> <span class=\"when\">")
          .append(Html.time(v.time()), 0, 10)
          .append("</span> ")
          .append(messageLinks(v))
          .append("</td><td class=\"num\"><a class=\"line-history\" href=\"")
          .append(esc(view.url("line", view.rev(), view.path())))
          .append("&amp;line=")
          .append(line.number())
          .append("\" title=\"History of this line\">")
          .append(line.number())
          .append("</a></td><td class=\"code\"><code>")
          .append(esc(line.text()))
          .append("</code></td></tr>");
    }
    body.append("</table>");
    ctx.html(layout(channel.name() + " · blame " + view.path(), body.toString()));
  }

  private void linePage(Context ctx, ServedChannel channel, RepoReader reader) throws IOException {
    View view = view(ctx, channel, reader);
    int number = lineNumber(ctx);
    List<RepoReader.LineVersion> history = reader.lineHistory(view.commit(), view.path(), number);
    StringBuilder body = new StringBuilder(header(ctx, view, reader, "blob"));
    body.append("<h2>History of line ")
        .append(number)
        .append(" of <code>")
        .append(esc(view.path()))
        .append("</code></h2><table class=\"log line-log\" id=\"line-log\">");
    for (RepoReader.LineVersion lv : history) {
      Version v = lv.version();
      body.append("<tr data-commit=\"")
          .append(v.id())
          .append("\"><td class=\"id\"><a href=\"")
          .append(esc(view.url("blob", v.id(), view.path())))
          .append("#L")
          .append(lv.number())
          .append("\">")
          .append(v.shortId())
          .append("</a></td><td class=\"num\">")
          .append(lv.number())
          .append("</td><td class=\"code\"><code>")
          .append(esc(lv.text()))
          .append("</code></td><td class=\"who\">")
          .append(esc(v.authorName()))
          .append("</td><td class=\"when\">")
          .append(Html.time(v.time()))
          .append("</td><td class=\"links\">")
          .append(messageLinks(v))
          .append("</td></tr>");
    }
    body.append("</table>");
    ctx.html(layout(channel.name() + " · line history", body.toString()));
  }

  private static int lineNumber(Context ctx) {
    String raw = ctx.queryParam("line");
    try {
      return Integer.parseInt(raw == null ? "" : raw.strip());
    } catch (NumberFormatException e) {
      throw new BrowseException("line `" + raw + "` is not a line number: give line=1 or more");
    }
  }

  private void diffPage(Context ctx, ServedChannel channel, RepoReader reader) throws IOException {
    String to = ctx.queryParam("to");
    String from = ctx.queryParam("from");
    String toRev = to == null || to.isBlank() ? reader.defaultBranch() : to;
    RevCommit toCommit = reader.commit(toRev);
    RevCommit fromCommit =
        from == null || from.isBlank() ? reader.parent(toCommit) : reader.commit(from);
    String path = RepoReader.normalise(ctx.queryParam("path"));
    View view = new View(channel, toRev, toCommit, reader.isBranch(toRev), path);
    List<RepoReader.FileDiff> files = reader.diff(fromCommit, toCommit, path);
    StringBuilder body = new StringBuilder(header(ctx, view, reader, "diff"));
    Version toVersion = Version.of(toCommit);
    body.append("<form class=\"diffform\" method=\"get\" action=\"")
        .append(view.base())
        .append("/diff\">from <input id=\"from\" name=\"from\" value=\"")
        .append(fromCommit == null ? "" : fromCommit.name())
        .append("\" size=\"12\"> to <input id=\"to\" name=\"to\" value=\"")
        .append(esc(toRev))
        .append("\" size=\"12\"> path <input name=\"path\" value=\"")
        .append(esc(path))
        .append("\"> <button type=\"submit\">Compare</button></form>");
    body.append("<p class=\"head\">")
        .append(fromCommit == null ? "(empty)" : fromCommit.name().substring(0, 7))
        .append(" → ")
        .append(toVersion.shortId())
        .append(" ")
        .append(esc(toVersion.subject()))
        .append(" — ")
        .append(esc(toVersion.authorName()))
        .append(" ")
        .append(messageLinks(toVersion))
        .append("</p>");
    body.append("<div id=\"diff\">");
    if (files.isEmpty()) {
      body.append("<p>No changes.</p>");
    }
    for (RepoReader.FileDiff file : files) {
      String shown = file.change().equals("delete") ? file.oldPath() : file.newPath();
      body.append("<section class=\"filediff\"><h3>")
          .append(esc(file.change()))
          .append(" <code>")
          .append(esc(shown))
          .append("</code></h3><pre class=\"patch\">");
      for (String line : lines(file.patch())) {
        String css =
            line.startsWith("+++")
                    || line.startsWith("---")
                    || line.startsWith("diff ")
                    || line.startsWith("index ")
                ? "meta"
                : line.startsWith("@@")
                    ? "hunk"
                    : line.startsWith("+") ? "add" : line.startsWith("-") ? "del" : "ctx";
        body.append("<span class=\"")
            .append(css)
            .append("\">")
            .append(esc(line))
            .append("</span>\n");
      }
      body.append("</pre></section>");
    }
    body.append("</div>");
    ctx.html(layout(channel.name() + " · diff", body.toString()));
  }

  private String layout(String title, String body) {
    return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        + "<title>"
        + esc(title)
        + " · threadbare</title>"
        + "<link rel=\"stylesheet\" href=\"/code/assets/github.min.css\">"
        + "<link rel=\"stylesheet\" href=\"/code/assets/code.css\">"
        + "<script src=\"/code/assets/highlight.min.js\"></script>"
        + "<script type=\"module\" src=\"/code/assets/code.js\"></script>"
        + "</head><body>"
        + body
        + "</body></html>";
  }

  // ---------------------------------------------------------------- JSON and downloads

  private void send(Context ctx, Object value) throws IOException {
    ctx.contentType("application/json").result(json.writeValueAsString(value));
  }

  private void bundle(Context ctx, ServedChannel channel, RepoReader reader) throws IOException {
    Repository repository = reader.repository();
    BundleWriter writer = new BundleWriter(repository);
    int refs = 0;
    for (Ref ref : repository.getRefDatabase().getRefsByPrefix(Constants.R_HEADS)) {
      if (ref.getObjectId() != null) {
        writer.include(ref);
        refs++;
      }
    }
    if (refs == 0) {
      throw new BrowseException("channel `" + channel.name() + "` has no versions yet");
    }
    Ref head = repository.exactRef(Constants.HEAD);
    if (head != null && head.getObjectId() != null) {
      writer.include(Constants.HEAD, head.getObjectId());
    }
    ctx.contentType("application/x-git-bundle");
    ctx.header("Content-Disposition", "attachment; filename=\"" + channel.name() + ".bundle\"");
    writer.writeBundle(org.eclipse.jgit.lib.NullProgressMonitor.INSTANCE, ctx.outputStream());
  }

  private void branchesJson(Context ctx, ServedChannel channel, RepoReader reader)
      throws IOException {
    send(ctx, reader.branches());
  }

  private void treeJson(Context ctx, ServedChannel channel, RepoReader reader) throws IOException {
    View view = view(ctx, channel, reader);
    send(
        ctx,
        Map.of(
            "commit", view.commit().name(),
            "path", view.path(),
            "entries", reader.tree(view.commit(), view.path())));
  }

  private void blobJson(Context ctx, ServedChannel channel, RepoReader reader) throws IOException {
    View view = view(ctx, channel, reader);
    RepoReader.Blob blob = reader.blob(view.commit(), view.path());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("commit", view.commit().name());
    out.put("path", blob.path());
    out.put("size", blob.size());
    out.put("binary", blob.text() == null);
    out.put("text", blob.text());
    send(ctx, out);
  }

  private void logJson(Context ctx, ServedChannel channel, RepoReader reader) throws IOException {
    View view = view(ctx, channel, reader);
    send(
        ctx,
        reader.log(view.commit(), view.path(), LOG_LIMIT).stream().map(this::versionJson).toList());
  }

  private void blameJson(Context ctx, ServedChannel channel, RepoReader reader) throws IOException {
    View view = view(ctx, channel, reader);
    send(
        ctx,
        cachedBlame(ctx, reader, view.commit(), view.path()).stream()
            .map(
                l -> {
                  Map<String, Object> m = new LinkedHashMap<>();
                  m.put("line", l.number());
                  m.put("text", l.text());
                  m.put("sourceLine", l.sourceLine());
                  m.put("version", versionJson(l.version()));
                  return m;
                })
            .toList());
  }

  private void lineJson(Context ctx, ServedChannel channel, RepoReader reader) throws IOException {
    View view = view(ctx, channel, reader);
    send(
        ctx,
        reader.lineHistory(view.commit(), view.path(), lineNumber(ctx)).stream()
            .map(
                l -> {
                  Map<String, Object> m = new LinkedHashMap<>();
                  m.put("line", l.number());
                  m.put("text", l.text());
                  m.put("version", versionJson(l.version()));
                  return m;
                })
            .toList());
  }

  private void diffJson(Context ctx, ServedChannel channel, RepoReader reader) throws IOException {
    String to = ctx.queryParam("to");
    RevCommit toCommit = reader.commit(to == null || to.isBlank() ? reader.defaultBranch() : to);
    String from = ctx.queryParam("from");
    RevCommit fromCommit =
        from == null || from.isBlank() ? reader.parent(toCommit) : reader.commit(from);
    send(ctx, reader.diff(fromCommit, toCommit, ctx.queryParam("path")));
  }

  private Map<String, Object> versionJson(Version v) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", v.id());
    m.put("author", v.authorName());
    m.put("user", v.userId());
    m.put("time", v.time().toString());
    m.put("subject", v.subject());
    m.put("permalink", v.permalink());
    m.put("threadTs", v.threadTs());
    m.put("threadPermalink", v.threadPermalink());
    return m;
  }
}
