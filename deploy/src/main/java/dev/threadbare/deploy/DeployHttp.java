package dev.threadbare.deploy;

import static dev.threadbare.core.web.HtmlPage.escape;

import dev.threadbare.core.web.ChannelAccess;
import dev.threadbare.core.web.HtmlPage;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * The deployments pages under {@code /deploys/}, beside the CI's {@code /ci/} pages:
 *
 * <ul>
 *   <li>{@code GET /deploys/channels/<channel>}: the channel's deployments, newest first — UUID,
 *       commit, state, URL, last request, cold-start time, log link
 *   <li>{@code GET /deploys/channels/<channel>/<commit>}: a commit's deployment (404 when the
 *       version has none: no {@code [deploy]}, or CI did not pass)
 * </ul>
 *
 * The whole log is the proxy's {@code /deploys/<uuid>/log}. Every request passes a {@link
 * ChannelAccess} first. Stateless; registers routes only.
 */
public final class DeployHttp {

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  private DeployHttp() {}

  /** The path of a channel's deployments page, to append to the server's base URL. */
  public static String channelPath(String channel) {
    return "/deploys/channels/" + channel;
  }

  /** The path of deployment {@code id}'s whole log. */
  public static String logPath(Deployment deployment) {
    return "/deploys/" + deployment.id() + "/log";
  }

  /**
   * Adds the routes to {@code http}; {@code channelIds} turns the channel in the path (a name or an
   * id) into its id, or empty when there is no such channel.
   */
  public static void register(
      Javalin http,
      Deployer deployer,
      Function<String, Optional<String>> channelIds,
      ChannelAccess<Context> access) {
    http.get(
        "/deploys/channels/{channel}",
        ctx -> {
          String channel = ctx.pathParam("channel");
          if (!access.allow(ctx, channel)) {
            return;
          }
          Optional<String> id = channelIds.apply(channel);
          List<Deployment> all = id.map(deployer::list).orElse(List.of());
          ctx.html(
              page(
                  "Deployments of " + channel,
                  all.isEmpty()
                      ? "<p id=\"none\">No deployments yet: a version deploys when its"
                          + " threadbare.toml has <code>[deploy] run</code> (and, with"
                          + " <code>[ci]</code>, once its tests pass).</p>"
                      : table(deployer, all)));
        });
    http.get(
        "/deploys/channels/{channel}/{commit}",
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
          String prefix = commit.toLowerCase(Locale.ROOT);
          List<Deployment> found =
              channelIds.apply(channel).map(deployer::list).orElse(List.of()).stream()
                  .filter(d -> d.commit().startsWith(prefix))
                  .toList();
          if (found.isEmpty()) {
            ctx.status(404)
                .result(
                    "no deployment of "
                        + commit
                        + " in "
                        + channel
                        + ": a version deploys when its threadbare.toml has [deploy] run and,"
                        + " with [ci], once its tests passed");
            return;
          }
          ctx.html(page("Deployment of " + commit + " in " + channel, table(deployer, found)));
        });
  }

  private static String table(Deployer deployer, List<Deployment> deployments) {
    StringBuilder html = new StringBuilder();
    html.append("<table id=\"deployments\"><tr><th>deployment</th><th>commit</th><th>state</th>")
        .append("<th>URL</th><th>last request</th><th>cold start</th><th>log</th></tr>");
    for (Deployment d : deployments) {
      Optional<DeploymentActivity> activity = deployer.activity(d.id());
      String url = deployer.url(d);
      html.append("<tr id=\"d-")
          .append(d.id())
          .append("\"><td class=\"uuid\"><code>")
          .append(d.id())
          .append("</code></td><td class=\"commit\"><code title=\"")
          .append(d.commit())
          .append("\">")
          .append(d.commit(), 0, 12)
          .append("</code></td><td class=\"state ")
          .append(d.state().label())
          .append("\">")
          .append(d.state().label())
          .append("</td><td class=\"url\"><a href=\"")
          .append(escape(url))
          .append("\">")
          .append(escape(url))
          .append("</a></td><td class=\"last-request\">")
          .append(activity.map(a -> TIME.format(a.lastRequest())).orElse("—"))
          .append("</td><td class=\"cold-start\">")
          .append(
              activity
                  .map(DeploymentActivity::lastColdStart)
                  .map(t -> t.toMillis() + " ms")
                  .orElse("—"))
          .append("</td><td class=\"log\"><a href=\"")
          .append(logPath(d))
          .append("\">log</a></td></tr>");
    }
    return html.append("</table><p class=\"note\">Newest first. Last request and cold start: since")
        .append(" this server started.</p>")
        .toString();
  }

  private static String page(String title, String body) {
    return HtmlPage.of(
        title, ".running{color:#187a2f}.failed{color:#b00020}.stopped,.note{color:#666}", body);
  }
}
