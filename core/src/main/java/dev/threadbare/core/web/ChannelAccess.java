package dev.threadbare.core.web;

/**
 * Who may read a channel's pages (CI runs, deployments): the one port every channel page passes
 * first. {@code R} is the web framework's request (Javalin's {@code Context}); the wiring decides
 * (a personal token or a chat session, the channel's membership) and answers a refused request
 * itself (401 or 404). Implementations are called from request threads and must be thread-safe.
 *
 * @param <R> the request type of the web framework serving the page
 */
@FunctionalInterface
public interface ChannelAccess<R> {
  /** True to go on; false when the request was refused (and already answered). */
  boolean allow(R request, String channel);
}
