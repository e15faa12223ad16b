package dev.threadbare.gitserve.internal;

import dev.threadbare.gitserve.Conversations;
import io.javalin.router.JavalinDefaultRouting;

/**
 * The code browser: its routes, and the parts that answer them — {@link SignIn} (the sign-in
 * cookie), {@link CodePages} (server-rendered HTML under {@code /code/<channel>/…}), {@link
 * CodeApi} (the JSON twin under {@code /api/v1/channels/<channel>/…} and the bundle download) —
 * behind one {@link ChannelRequests} access check, the same as git's. Built once per server; thread
 * safe.
 */
public final class CodeBrowser {
  private final SignIn signIn;
  private final ChannelRequests requests;
  private final CodePages pages;
  private final CodeApi api;

  /**
   * Serves what {@code access} allows.
   *
   * @param baseUrl used in clone URLs; null derives it from the request
   * @param chatUrl where message links open; null keeps the commits' own links
   * @param conversations where blame reads the conversation of a line; null: not shown
   */
  public CodeBrowser(Access access, String baseUrl, String chatUrl, Conversations conversations) {
    Blames blames = new Blames();
    ChatLinks links = new ChatLinks(chatUrl);
    this.signIn = new SignIn(access);
    this.requests = new ChannelRequests(access);
    this.pages = new CodePages(baseUrl, blames, links, conversations != null);
    this.api = new CodeApi(blames, links, conversations);
  }

  /** Shows on the history pages who approved each version, from what {@code approvers} gives. */
  public CodeBrowser showingApprovals(
      java.util.function.Supplier<dev.threadbare.gitserve.Approvers> approvers) {
    pages.approvers = approvers;
    return this;
  }

  /** Registers every route. */
  public void routes(JavalinDefaultRouting routing) {
    routing.get("/code/assets/{file}", CodePages::asset);
    routing.get("/code/login", ctx -> ctx.html(signIn.loginPage(ctx.queryParam("next"), null)));
    routing.post("/code/login", signIn::login);
    routing.post("/code/logout", signIn::logout);
    routing.get("/code/{channel}", requests.page(pages::home));
    routing.get("/code/{channel}/tree", requests.page(pages::tree));
    routing.get("/code/{channel}/blob", requests.page(pages::blob));
    routing.get("/code/{channel}/log", requests.page(pages::log));
    routing.get("/code/{channel}/blame", requests.page(pages::blame));
    routing.get("/code/{channel}/line", requests.page(pages::line));
    routing.get("/code/{channel}/diff", requests.page(pages::diff));
    String channel = "/api/v1/channels/{channel}/";
    routing.get(channel + "export.bundle", requests.api(api::bundle));
    routing.get(channel + "branches", requests.api(api::branches));
    routing.get(channel + "tree", requests.api(api::tree));
    routing.get(channel + "blob", requests.api(api::blob));
    routing.get(channel + "log", requests.api(api::log));
    routing.get(channel + "blame", requests.api(api::blame));
    routing.get(channel + "line", requests.api(api::line));
    routing.get(channel + "diff", requests.api(api::diff));
    routing.get(channel + "conversation", requests.api(api::conversation));
  }
}
