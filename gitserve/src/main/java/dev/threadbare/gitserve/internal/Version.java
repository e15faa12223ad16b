package dev.threadbare.gitserve.internal;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.eclipse.jgit.revwalk.RevCommit;

/**
 * One version (commit) as the browser shows it: who wrote it, when, the first line of its message,
 * and the chat message (and thread) it came from. Immutable.
 *
 * @param id full commit id
 * @param authorName the chat user's display name
 * @param userId the chat user id (the local part of the author email), or the whole email
 * @param time the message time
 * @param subject the first line of the commit message
 * @param permalink the {@code Chat-Message} trailer, or null
 * @param threadTs the thread's root ts when the message is a thread reply, or null
 * @param threadPermalink the thread root's permalink, or null
 */
public record Version(
    String id,
    String authorName,
    String userId,
    Instant time,
    String subject,
    String permalink,
    String threadTs,
    String threadPermalink) {

  /** Validates. */
  public Version {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(authorName, "authorName");
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(subject, "subject");
  }

  /** Reads a commit. */
  static Version of(RevCommit commit) {
    var author = commit.getAuthorIdent();
    String email = author.getEmailAddress();
    int at = email.indexOf('@');
    List<String> trailers = commit.getFooterLines("Chat-Message");
    String permalink = trailers.isEmpty() ? null : trailers.get(trailers.size() - 1).strip();
    String threadTs = permalink == null ? null : queryParameter(permalink, "thread_ts");
    String threadPermalink = null;
    if (threadTs != null) {
      int p = permalink.lastIndexOf("/p");
      if (p > 0 && threadTs.matches("\\d+\\.\\d+")) {
        threadPermalink = permalink.substring(0, p) + "/p" + threadTs.replace(".", "");
      }
    }
    return new Version(
        commit.name(),
        author.getName(),
        at > 0 ? email.substring(0, at) : email,
        author.getWhenAsInstant(),
        commit.getShortMessage(),
        permalink,
        threadTs,
        threadPermalink);
  }

  /** The first seven hex digits. */
  public String shortId() {
    return id.substring(0, 7);
  }

  private static String queryParameter(String url, String name) {
    String query;
    try {
      query = URI.create(url).getRawQuery();
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (query == null) {
      return null;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && pair.substring(0, eq).equals(name)) {
        return pair.substring(eq + 1);
      }
    }
    return null;
  }
}
