package dev.threadbare.gitserve.internal;

import static dev.threadbare.gitserve.internal.Html.esc;
import static dev.threadbare.gitserve.internal.Html.q;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.threadbare.gitserve.ServedChannel;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.Map;

/**
 * The one way a code-browser page or JSON method reaches a channel: the {@link Access} decision
 * (token, cookie), the repository opened for the request and closed after it, and errors rendered
 * as a page or as JSON. Thread safe.
 */
final class ChannelRequests {
  private final Access access;
  private final ObjectMapper json = new ObjectMapper();

  ChannelRequests(Access access) {
    this.access = access;
  }

  /** What a page or a JSON method does once the channel may be read. */
  @FunctionalInterface
  interface Handler {
    void handle(Context ctx, ServedChannel channel, RepoReader reader) throws IOException;
  }

  /** A route answering HTML: an anonymous browser is sent to sign in. */
  io.javalin.http.Handler page(Handler handler) {
    return ctx -> serve(ctx, handler, false);
  }

  /** A route answering JSON: an anonymous client gets 401 with a challenge. */
  io.javalin.http.Handler api(Handler handler) {
    return ctx -> serve(ctx, handler, true);
  }

  private void serve(Context ctx, Handler handler, boolean api) throws IOException {
    String name = ctx.pathParam("channel");
    String chatSession =
        access.sessions() == null ? null : ctx.cookie(access.sessions().cookieName());
    Access.Decision decision =
        access.decide(name, ctx.header("Authorization"), ctx.cookie(SignIn.COOKIE), chatSession);
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
          Html.layout(
              "Error",
              "<main class=\"error\"><h1>" + status + "</h1><p>" + esc(message) + "</p></main>"));
    }
  }
}
