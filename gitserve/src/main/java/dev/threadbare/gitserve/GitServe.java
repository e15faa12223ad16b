package dev.threadbare.gitserve;

import dev.threadbare.gitserve.internal.Access;
import dev.threadbare.gitserve.internal.CodeBrowser;
import dev.threadbare.gitserve.internal.GitHttp;
import dev.threadbare.gitserve.internal.TokenStore;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Serves every channel's repository read-only: git smart HTTP at {@code /git/<channel>.git}, a
 * bundle download at {@code /api/v1/channels/<channel>/export.bundle}, the code browser under
 * {@code /code/<channel>} and JSON under {@code /api/v1/channels/<channel>/…}; and keeps the
 * personal access tokens that open them (in {@code DIR/gitserve.db}).
 *
 * <p>Create one per data directory with {@link #create}, then either {@link #configure} the app's
 * {@link JavalinConfig} before the app starts, or {@link #start} a server of its own. Thread safe.
 */
public final class GitServe {
  private final TokenStore tokens;
  private final ChannelDirectory channels;
  private final Settings settings;
  private volatile ChatSessions sessions;
  private volatile Conversations conversations;
  private volatile Approvers approvers = Approvers.NONE;

  /**
   * How gitserve behaves.
   *
   * @param anonymousPublicReads whether public channels may be read without a token
   * @param baseUrl the URL users reach this server at (for clone URLs), or null to derive it from
   *     each request's Host header
   * @param chatUrl where the chat lives, such as this server's URL for the local workspace or
   *     {@code https://team.slack.com} for Slack: message links ({@code Chat-Message} trailers)
   *     open there; null keeps the trailers' own links
   */
  public record Settings(boolean anonymousPublicReads, String baseUrl, String chatUrl) {
    /** Validates. */
    public Settings {
      baseUrl = httpUrl("base URL", baseUrl);
      chatUrl = httpUrl("chat URL", chatUrl);
    }

    /** Settings whose message links keep the trailers' own. */
    public Settings(boolean anonymousPublicReads, String baseUrl) {
      this(anonymousPublicReads, baseUrl, null);
    }

    /** Tokens required everywhere, URLs from the request. */
    public static Settings defaults() {
      return new Settings(false, null, null);
    }

    /** These settings with message links opening at {@code url} (see {@link #chatUrl}). */
    public Settings withChatUrl(String url) {
      return new Settings(anonymousPublicReads, baseUrl, url);
    }

    private static String httpUrl(String what, String url) {
      if (url != null && !(url.startsWith("http://") || url.startsWith("https://"))) {
        throw new IllegalArgumentException(
            what + " `" + url + "` must start with http:// or https://");
      }
      return url != null && url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
  }

  private GitServe(TokenStore tokens, ChannelDirectory channels, Settings settings) {
    this.tokens = tokens;
    this.channels = channels;
    this.settings = settings;
  }

  /** Opens gitserve over {@code dataDir} (its token database) with default settings. */
  public static GitServe create(Path dataDir, ChannelDirectory channels) {
    return create(dataDir, channels, Settings.defaults());
  }

  /** Opens gitserve over {@code dataDir} (its token database). */
  public static GitServe create(Path dataDir, ChannelDirectory channels, Settings settings) {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(channels, "channels");
    Objects.requireNonNull(settings, "settings");
    return new GitServe(TokenStore.open(dataDir, Clock.systemUTC()), channels, settings);
  }

  /** Opens only the token database under {@code dataDir}, for the CLI: no channels are served. */
  public static GitServe tokensOnly(Path dataDir) {
    return create(dataDir, name -> Optional.empty());
  }

  /**
   * Lets a browser signed in to the chat UI on this server use the code browser without a token.
   * Call before {@link #configure}.
   *
   * @return this
   */
  public GitServe signInWith(ChatSessions chatSessions) {
    this.sessions = Objects.requireNonNull(chatSessions, "chatSessions");
    return this;
  }

  /**
   * Lets blame show the conversation that wrote each line, read from {@code source}. Call before
   * {@link #configure}.
   *
   * @return this
   */
  public GitServe conversationsFrom(Conversations source) {
    this.conversations = Objects.requireNonNull(source, "source");
    return this;
  }

  /**
   * Lets the history pages show who approved each version, read from {@code source} (may be called
   * after {@link #configure}).
   *
   * @return this
   */
  public GitServe approvalsFrom(Approvers source) {
    this.approvers = Objects.requireNonNull(source, "source");
    return this;
  }

  /**
   * Adds git serving, downloads, the code browser and the JSON API to an app being configured. Call
   * inside {@code Javalin.create(config -> …)}.
   */
  public void configure(JavalinConfig config) {
    Objects.requireNonNull(config, "config");
    Access access = new Access(tokens, channels, settings.anonymousPublicReads(), sessions);
    GitHttp git = new GitHttp(access);
    config.jetty.modifyServletContextHandler(git::mount);
    CodeBrowser browser =
        new CodeBrowser(access, settings.baseUrl(), settings.chatUrl(), conversations)
            .showingApprovals(() -> approvers);
    config.router.mount(browser::routes);
  }

  /**
   * Starts a server of its own on 127.0.0.1 ({@code port} 0 picks a free one). Stop it when done.
   */
  public Javalin start(int port) {
    return Javalin.create(
            config -> {
              config.showJavalinBanner = false;
              configure(config);
            })
        .start("127.0.0.1", port);
  }

  /** Issues a personal access token for {@code userId}; the secret is returned only this once. */
  public String addToken(String userId) {
    return tokens.issue(userId);
  }

  /** Every token issued (live and revoked), oldest first. */
  public List<AccessToken> listTokens() {
    return tokens.list(Optional.empty());
  }

  /** The tokens of one user, oldest first. */
  public List<AccessToken> listTokens(String userId) {
    return tokens.list(Optional.of(Objects.requireNonNull(userId, "userId")));
  }

  /**
   * Revokes a token by its id (see {@link #listTokens()}).
   *
   * @throws UnknownTokenException when no token has that id
   */
  public void revokeToken(String tokenId) {
    tokens.revoke(tokenId);
  }

  /**
   * The chat user a request's chat-session cookie speaks for, when {@link #signInWith} is on: the
   * one sign-in the code browser accepts, for other pages of the same server.
   *
   * @param cookie the request's cookie by name (null when absent)
   */
  public Optional<String> sessionUser(java.util.function.Function<String, String> cookie) {
    ChatSessions chat = sessions;
    if (chat == null) {
      return Optional.empty();
    }
    String value = cookie.apply(chat.cookieName());
    return value == null || value.isBlank() ? Optional.empty() : chat.userOf(value);
  }

  /** The user a live token speaks for. */
  public Optional<String> userOf(String token) {
    return tokens.userOf(token);
  }
}
