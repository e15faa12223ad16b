package dev.threadbare.gitserve.internal;

import static dev.threadbare.gitserve.internal.Html.esc;

import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.SameSite;

/**
 * Signing in to the code browser: a personal token pasted into {@code /code/login} becomes the
 * {@code threadbare_token} cookie (HTTP-only, same-site strict), which {@link Access} accepts as it
 * accepts the token itself. Thread safe.
 */
final class SignIn {
  static final String COOKIE = "threadbare_token";

  private final Access access;

  SignIn(Access access) {
    this.access = access;
  }

  void login(Context ctx) {
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

  void logout(Context ctx) {
    ctx.removeCookie(COOKIE, "/");
    ctx.redirect("/code/login");
  }

  String loginPage(String next, String problem) {
    return Html.layout(
        "Sign in",
        "<main class=\"login\"><h1>Sign in to the code browser</h1>"
            + (access.sessions() == null
                ? ""
                : "<p>Signed in to the chat on this server? You are signed in here too. <a"
                    + " id=\"chat-sign-in\" href=\""
                    + esc(access.sessions().signInPath())
                    + "\">Sign in to the chat</a>, then come back.</p>")
            + "<p>Paste your personal token (ask the threadbare bot with <code>token</code>).</p>"
            + (problem == null ? "" : "<p class=\"problem\">" + esc(problem) + "</p>")
            + "<form method=\"post\" action=\"/code/login\">"
            + "<input type=\"hidden\" name=\"next\" value=\""
            + esc(next == null ? "" : next)
            + "\"><input id=\"token\" type=\"password\" name=\"token\" autocomplete=\"off\""
            + " placeholder=\"tbp_…\" size=\"50\"> <button id=\"sign-in\" type=\"submit\">Sign"
            + " in</button></form></main>");
  }
}
