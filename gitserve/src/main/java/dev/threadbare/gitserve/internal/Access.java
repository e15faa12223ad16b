package dev.threadbare.gitserve.internal;

import dev.threadbare.gitserve.ChannelDirectory;
import dev.threadbare.gitserve.ChatSessions;
import dev.threadbare.gitserve.ServedChannel;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * Decides who may read which channel, the same way for git, downloads, the code browser and the
 * JSON API. Anonymous callers are told to authenticate (401) whatever they ask for, so an unknown
 * name and a private channel look alike; signed-in callers get 404 for both. Thread safe.
 */
public final class Access {
  /** The realm named in every {@code WWW-Authenticate} challenge. */
  public static final String CHALLENGE = "Basic realm=\"threadbare\", charset=\"UTF-8\"";

  private final TokenStore tokens;
  private final ChannelDirectory channels;
  private final boolean anonymousPublicReads;
  private final ChatSessions sessions;

  /** Decides against these tokens and channels; no chat sessions. */
  public Access(TokenStore tokens, ChannelDirectory channels, boolean anonymousPublicReads) {
    this(tokens, channels, anonymousPublicReads, null);
  }

  /**
   * Decides against these tokens and channels, and accepts the chat UI's sessions ({@code
   * sessions}, nullable) where a browser may present one.
   */
  public Access(
      TokenStore tokens,
      ChannelDirectory channels,
      boolean anonymousPublicReads,
      ChatSessions sessions) {
    this.tokens = tokens;
    this.channels = channels;
    this.anonymousPublicReads = anonymousPublicReads;
    this.sessions = sessions;
  }

  /** The chat's sessions, when the code browser accepts them; else null. */
  public ChatSessions sessions() {
    return sessions;
  }

  /** The outcome of a read request. */
  public sealed interface Decision permits Allowed, Unauthenticated, NotFound {}

  /** The caller may read {@code channel}; {@code userId} is null for an anonymous reader. */
  public record Allowed(ServedChannel channel, String userId) implements Decision {}

  /** The caller must present a (valid) token: answer 401 with a challenge. */
  public record Unauthenticated(String reason) implements Decision {}

  /** The caller may not know whether this channel exists: answer 404. */
  public record NotFound(String channelName) implements Decision {}

  /**
   * Decides a read of {@code channelName}.
   *
   * @param authorization the {@code Authorization} header, or null
   * @param cookieToken the code browser's token cookie, or null
   */
  public Decision decide(String channelName, String authorization, String cookieToken) {
    return decide(channelName, authorization, cookieToken, null);
  }

  /**
   * Decides a read of {@code channelName} by a browser, which may also be signed in to the chat.
   *
   * @param authorization the {@code Authorization} header, or null
   * @param cookieToken the code browser's token cookie, or null
   * @param chatSession the chat UI's session cookie, or null; used when no token is presented
   */
  public Decision decide(
      String channelName, String authorization, String cookieToken, String chatSession) {
    Optional<String> presented = tokenFrom(authorization);
    if (presented.isEmpty() && cookieToken != null && !cookieToken.isEmpty()) {
      presented = Optional.of(cookieToken);
    }
    Optional<ServedChannel> channel =
        channelName == null || channelName.isEmpty()
            ? Optional.empty()
            : channels.find(channelName);
    if (presented.isEmpty() && sessions != null && chatSession != null && !chatSession.isEmpty()) {
      Optional<String> sessionUser = sessions.userOf(chatSession);
      if (sessionUser.isPresent()) {
        return readBy(channelName, channel, sessionUser.get());
      }
    }
    if (presented.isEmpty()) {
      if (anonymousPublicReads && channel.isPresent() && !channel.get().isPrivate()) {
        return new Allowed(channel.get(), null);
      }
      return new Unauthenticated(
          "authentication required: use your threadbare token as the password"
              + " (ask the bot with `token`)");
    }
    Optional<String> user = tokens.userOf(presented.get());
    if (user.isEmpty()) {
      return new Unauthenticated(
          "the token is unknown or revoked: ask the bot for a new one with `token`");
    }
    return readBy(channelName, channel, user.get());
  }

  private static Decision readBy(String channelName, Optional<ServedChannel> channel, String user) {
    if (channel.isEmpty() || !channel.get().readableBy(user)) {
      return new NotFound(channelName);
    }
    return new Allowed(channel.get(), user);
  }

  /** The user of a token, if it is live. */
  public Optional<String> userOf(String token) {
    return tokens.userOf(token);
  }

  /** The password of an HTTP Basic header (user name ignored), or a bearer token. */
  static Optional<String> tokenFrom(String authorization) {
    if (authorization == null) {
      return Optional.empty();
    }
    String header = authorization.strip();
    int space = header.indexOf(' ');
    if (space < 0) {
      return Optional.empty();
    }
    String scheme = header.substring(0, space);
    String value = header.substring(space + 1).strip();
    if (scheme.equalsIgnoreCase("Bearer")) {
      return Optional.of(value);
    }
    if (!scheme.equalsIgnoreCase("Basic")) {
      return Optional.empty();
    }
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    int colon = decoded.indexOf(':');
    return colon < 0 ? Optional.empty() : Optional.of(decoded.substring(colon + 1));
  }
}
