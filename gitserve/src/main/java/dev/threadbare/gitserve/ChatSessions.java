package dev.threadbare.gitserve;

import java.util.Optional;

/**
 * The port through which the code browser accepts the chat UI's own sign-in: a user signed in to
 * the chat on the same server (its session cookie) is signed in to the code browser too. Personal
 * tokens stay the way git and API clients authenticate. The app implements it over the local
 * workspace; with real Slack there is none.
 *
 * <p>Implementations must be thread safe: every browser request may ask.
 */
public interface ChatSessions {

  /** The name of the chat UI's session cookie, such as {@code tb_session}. */
  String cookieName();

  /**
   * The user a live session speaks for.
   *
   * @param session the cookie's value
   * @return the chat user id, or empty when the session is unknown or signed out
   */
  Optional<String> userOf(String session);

  /** Where a browser signs in to the chat, such as {@code /}. */
  String signInPath();
}
