package dev.threadbare.gitserve.internal;

import static dev.threadbare.gitserve.internal.Html.esc;
import static dev.threadbare.gitserve.internal.Html.q;

import dev.threadbare.gitserve.ServedChannel;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * The code browser's HTML pages ({@code /code/<channel>/…}): tree, file, history, blame, the
 * history of a line and diffs, server-rendered and highlighted in the browser by highlight.js.
 * Access is checked before a page is asked for ({@link ChannelRequests}). Thread safe.
 */
final class CodePages {
  static final int LOG_LIMIT = 500;

  /** A speech bubble, drawn rather than taken from the system's emoji font. */
  private static final String BUBBLE =
      "<svg viewBox=\"0 0 16 16\" width=\"14\" height=\"14\" aria-hidden=\"true\"><path"
          + " fill=\"currentColor\" d=\"M2 2h12a1 1 0 0 1 1 1v8a1 1 0 0 1-1 1H7l-3.5 3v-3H2a1 1 0 0"
          + " 1-1-1V3a1 1 0 0 1 1-1z\"/></svg>";

  private static final String HLJS = "META-INF/resources/webjars/highlightjs/11.10.0/";

  private final String baseUrl;
  private final Blames blames;
  private final ChatLinks links;
  private final boolean conversations;
  volatile java.util.function.Supplier<dev.threadbare.gitserve.Approvers> approvers =
      () -> dev.threadbare.gitserve.Approvers.NONE;
  private static final java.util.regex.Pattern MESSAGE_TS =
      java.util.regex.Pattern.compile("/p(\\d{10})(\\d{6})");

  CodePages(String baseUrl, Blames blames, ChatLinks links, boolean conversations) {
    this.baseUrl = baseUrl;
    this.blames = blames;
    this.links = links;
    this.conversations = conversations;
  }

  static void asset(Context ctx) throws IOException {
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
    try (InputStream in = CodePages.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new UncheckedIOException(new IOException("asset missing from the jar: " + resource));
      }
      ctx.contentType(
          file.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8");
      ctx.header("Cache-Control", "public, max-age=3600");
      ctx.result(in.readAllBytes());
    }
  }

  void home(Context ctx, ServedChannel channel, RepoReader reader) throws IOException {
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
        .append(
            links.channel(view.channel()) == null
                ? ""
                : "<a id=\"nav-chat\" href=\""
                    + esc(links.channel(view.channel()))
                    + "\" title=\"This channel in the chat\">Chat</a>")
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

  /** The conversation that last changed the file: its thread, or the message itself. */
  private String conversationLink(RepoReader reader, View view) throws IOException {
    List<Version> latest = reader.log(view.commit(), view.path(), 1);
    if (latest.isEmpty() || latest.get(0).permalink() == null) {
      return "";
    }
    Version v = latest.get(0);
    String target = v.threadPermalink() != null ? v.threadPermalink() : v.permalink();
    return " <a id=\"to-conversation\" href=\""
        + esc(links.message(target))
        + "\" title=\"The conversation in the chat that last changed this file\">Conversation</a>";
  }

  /** 👍 and who approved the version, or nothing. */
  private static String approvalsOf(
      Version version, dev.threadbare.gitserve.Approvers.Lookup lookup) {
    if (version.permalink() == null) {
      return "";
    }
    java.util.regex.Matcher ts = MESSAGE_TS.matcher(version.permalink());
    if (!ts.find()) {
      return "";
    }
    List<String> who = lookup.approving(ts.group(1) + "." + ts.group(2), version.threadTs());
    if (who.isEmpty()) {
      return "";
    }
    String names = String.join(", ", who);
    return " <span class=\"approvals\" title=\"Approved by "
        + esc(names)
        + "\">\uD83D\uDC4D "
        + esc(names)
        + "</span>";
  }

  private String messageLinks(Version version) {
    StringBuilder out = new StringBuilder();
    if (version.permalink() != null) {
      out.append("<a class=\"msg\" href=\"")
          .append(esc(links.message(version.permalink())))
          .append("\" title=\"The chat message that wrote this\">message</a>");
    }
    if (version.threadPermalink() != null) {
      out.append(" <a class=\"thread\" href=\"")
          .append(esc(links.message(version.threadPermalink())))
          .append("\" title=\"The conversation\">thread</a>");
    }
    return out.toString();
  }

  void tree(Context ctx, ServedChannel channel, RepoReader reader) throws IOException {
    View view = View.of(ctx, channel, reader);
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
    ctx.html(Html.layout(channel.name() + " · " + view.path(), body.toString()));
  }

  void blob(Context ctx, ServedChannel channel, RepoReader reader) throws IOException {
    View view = View.of(ctx, channel, reader);
    RepoReader.Blob blob = reader.blob(view.commit(), view.path());
    StringBuilder body = new StringBuilder(header(ctx, view, reader, "blob"));
    body.append("<div class=\"filebar\"><span>")
        .append(blob.size())
        .append(" bytes</span> ")
        .append(link(view.url("blame", view.rev(), view.path()), "Blame", "to-blame"))
        .append(" ")
        .append(link(view.url("log", view.rev(), view.path()), "History", "to-history"))
        .append(conversationLink(reader, view))
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
    ctx.html(Html.layout(channel.name() + " · " + view.path(), body.toString()));
  }

  private static String[] lines(String text) {
    String t = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    return t.split("\n", -1);
  }

  void log(Context ctx, ServedChannel channel, RepoReader reader) throws IOException {
    View view = View.of(ctx, channel, reader);
    List<Version> versions = reader.log(view.commit(), view.path(), LOG_LIMIT);
    StringBuilder body = new StringBuilder(header(ctx, view, reader, "log"));
    body.append("<h2>History of ")
        .append(
            view.path().isEmpty() ? esc(channel.name()) : "<code>" + esc(view.path()) + "</code>")
        .append("</h2><table class=\"log\" id=\"log\">");
    boolean isFile = !view.path().isEmpty() && !reader.isDirectory(view.commit(), view.path());
    dev.threadbare.gitserve.Approvers.Lookup approvals = approvers.get().of(channel.id());
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
          .append(messageLinks(v))
          .append(approvalsOf(v, approvals));
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
    ctx.html(Html.layout(channel.name() + " · history", body.toString()));
  }

  void blame(Context ctx, ServedChannel channel, RepoReader reader) throws IOException {
    View view = View.of(ctx, channel, reader);
    List<RepoReader.BlameLine> lines = blames.blame(ctx, reader, view.commit(), view.path());
    String language = Html.language(view.path());
    StringBuilder body = new StringBuilder(header(ctx, view, reader, "blame"));
    body.append("<div class=\"filebar\">")
        .append(link(view.url("blob", view.rev(), view.path()), "View file", "to-blob"))
        .append("</div><table class=\"blame\" id=\"blame\" data-language=\"")
        .append(language == null ? "" : language)
        .append("\"")
        .append(
            conversations
                ? " data-conversation=\"/api/v1/channels/" + q(channel.name()) + "/conversation\""
                : "")
        .append(">");
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
          .append(
              conversations && v.permalink() != null
                  ? " <button type=\"button\" class=\"why\" title=\"The conversation that wrote"
                      + " this line\" aria-label=\"Show the conversation that wrote line "
                      + line.number()
                      + "\">"
                      + BUBBLE
                      + "</button>"
                  : "")
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
    ctx.html(Html.layout(channel.name() + " · blame " + view.path(), body.toString()));
  }

  void line(Context ctx, ServedChannel channel, RepoReader reader) throws IOException {
    View view = View.of(ctx, channel, reader);
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
    ctx.html(Html.layout(channel.name() + " · line history", body.toString()));
  }

  static int lineNumber(Context ctx) {
    String raw = ctx.queryParam("line");
    try {
      return Integer.parseInt(raw == null ? "" : raw.strip());
    } catch (NumberFormatException e) {
      throw new BrowseException("line `" + raw + "` is not a line number: give line=1 or more");
    }
  }

  void diff(Context ctx, ServedChannel channel, RepoReader reader) throws IOException {
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
        body.append("<span class=\"").append(css).append("\">").append(esc(line)).append("</span>");
      }
      body.append("</pre></section>");
    }
    body.append("</div>");
    ctx.html(Html.layout(channel.name() + " · diff", body.toString()));
  }
}
