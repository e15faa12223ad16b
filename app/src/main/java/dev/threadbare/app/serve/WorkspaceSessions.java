package dev.threadbare.app.serve;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.slack.api.Slack;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.response.auth.AuthTestResponse;
import dev.threadbare.gitserve.ChatSessions;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * gitserve's {@link ChatSessions} over the local workspace: its web UI's session cookie ({@code
 * tb_session}) is a Web API token of kind session, so {@code auth.test} with it, through the same
 * Slack SDK as every other call, names the user. Answers are cached for a few seconds (a signed out
 * session stops working within them). Thread safe.
 */
final class WorkspaceSessions implements ChatSessions {
  /** The local workspace web UI's session cookie. */
  static final String COOKIE = "tb_session";

  private final Slack slack;
  private final Cache<String, Optional<String>> users =
      Caffeine.newBuilder().expireAfterWrite(Duration.ofSeconds(5)).maximumSize(10_000).build();

  WorkspaceSessions(Slack slack) {
    this.slack = slack;
  }

  @Override
  public String cookieName() {
    return COOKIE;
  }

  @Override
  public Optional<String> userOf(String session) {
    if (session == null || !session.startsWith("xox")) {
      return Optional.empty();
    }
    return users.get(session, this::authTest);
  }

  private Optional<String> authTest(String session) {
    try {
      AuthTestResponse test = slack.methods(session).authTest(r -> r);
      return test.isOk() ? Optional.ofNullable(test.getUserId()) : Optional.empty();
    } catch (IOException | SlackApiException e) {
      return Optional.empty();
    }
  }

  @Override
  public String signInPath() {
    return "/";
  }
}
