package dev.threadbare.chat.events;

import dev.threadbare.chat.ChatException;

/**
 * A request did not carry a valid Slack signature: missing, forged, stale or from the future. The
 * request is answered 401 and nothing is journaled.
 */
public final class SignatureException extends ChatException {
  private static final long serialVersionUID = 1L;

  SignatureException(String message) {
    super(message);
  }
}
