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
  private final Access access;
  private final Settings settings;

  /**
   * How gitserve behaves.
   *
   * @param anonymousPublicReads whether public channels may be read without a token
   * @param baseUrl the URL users reach this server at (for clone URLs), or null to derive it from
   *     each request's Host header
   */
  public record Settings(boolean anonymousPublicReads, String baseUrl) {
    /** Validates. */
    public Settings {
      if (baseUrl != null && !(baseUrl.startsWith("http://") || baseUrl.startsWith("https://"))) {
        throw new IllegalArgumentException(
            "base URL `" + baseUrl + "` must start with http:// or https://");
      }
      if (baseUrl != null && baseUrl.endsWith("/")) {
        baseUrl = baseUrl.substring(0, baseUrl.length() - 1);
      }
    }

    /** Tokens required everywhere, URLs from the request. */
    public static Settings defaults() {
      return new Settings(false, null);
    }
  }

  private GitServe(TokenStore tokens, ChannelDirectory channels, Settings settings) {
    this.tokens = tokens;
    this.settings = settings;
    this.access = new Access(tokens, channels, settings.anonymousPublicReads());
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
   * Adds git serving, downloads, the code browser and the JSON API to an app being configured. Call
   * inside {@code Javalin.create(config -> …)}.
   */
  public void configure(JavalinConfig config) {
    Objects.requireNonNull(config, "config");
    GitHttp git = new GitHttp(access);
    config.jetty.modifyServletContextHandler(git::mount);
    CodeBrowser browser = new CodeBrowser(access, settings.baseUrl());
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

  /** The user a live token speaks for. */
  public Optional<String> userOf(String token) {
    return tokens.userOf(token);
  }
}
