package dev.threadbare.workspace;

import java.util.Map;
import java.util.Objects;

/**
 * The Web API rate limits the local workspace enforces, answered as Slack does (HTTP 429, {@code
 * Retry-After}, {@code {"ok":false,"error":"ratelimited"}}). Limits apply per API token and method;
 * {@code chat.postMessage} is also limited per channel. Sessions of the web UI are not limited, as
 * Slack's own clients are not. An immutable value.
 *
 * @param perMinuteByMethod calls a minute allowed per token for the named methods
 * @param defaultPerMinute calls a minute per token for any other method; 0 means unlimited
 * @param postsPerSecondPerChannel sustained {@code chat.postMessage} rate per channel; 0 means
 *     unlimited
 * @param postBurstPerChannel how many posts to one channel may come at once before the sustained
 *     rate applies
 * @see <a href="https://api.slack.com/apis/rate-limits">Slack rate limits</a>
 */
public record RateLimits(
    Map<String, Integer> perMinuteByMethod,
    int defaultPerMinute,
    double postsPerSecondPerChannel,
    int postBurstPerChannel) {

  /** Validates the limits: none may be negative. */
  public RateLimits {
    perMinuteByMethod = Map.copyOf(Objects.requireNonNull(perMinuteByMethod, "perMinuteByMethod"));
    perMinuteByMethod.forEach(
        (method, limit) -> {
          if (limit < 0) {
            throw new InvalidWorkspaceInputException(
                "rate limit " + limit + " for `" + method + "` is negative: use 0 for unlimited");
          }
        });
    if (defaultPerMinute < 0 || postsPerSecondPerChannel < 0 || postBurstPerChannel < 0) {
      throw new InvalidWorkspaceInputException(
          "rate limits (default "
              + defaultPerMinute
              + "/min, "
              + postsPerSecondPerChannel
              + " posts/s, burst "
              + postBurstPerChannel
              + ") must not be negative: use 0 for unlimited");
    }
  }

  /** No limits at all (benchmarks, bulk imports). */
  public static RateLimits unlimited() {
    return new RateLimits(Map.of(), 0, 0, 0);
  }

  /**
   * Slack's published tiers (Tier 2: 20/min, Tier 3: 50/min, Tier 4: 100/min) and, for {@code
   * chat.postMessage}, about one post a second per channel with a short burst (600 a minute per
   * token across channels).
   */
  public static RateLimits slackDefaults() {
    return new RateLimits(
        Map.ofEntries(
            Map.entry("chat.postMessage", 600),
            Map.entry("users.list", 20),
            Map.entry("conversations.list", 20),
            Map.entry("conversations.create", 20),
            Map.entry("conversations.invite", 50),
            Map.entry("conversations.join", 50),
            Map.entry("conversations.history", 50),
            Map.entry("conversations.replies", 50),
            Map.entry("conversations.members", 100),
            Map.entry("conversations.info", 100),
            Map.entry("users.info", 100),
            Map.entry("reactions.add", 50),
            Map.entry("reactions.remove", 50),
            Map.entry("reactions.get", 50),
            Map.entry("chat.update", 50),
            Map.entry("chat.delete", 50),
            Map.entry("files.getUploadURLExternal", 20),
            Map.entry("files.completeUploadExternal", 20)),
        100,
        1.0,
        10);
  }

  /** The per-minute limit of {@code method}, 0 when unlimited. */
  public int perMinute(String method) {
    return perMinuteByMethod.getOrDefault(method, defaultPerMinute);
  }
}
