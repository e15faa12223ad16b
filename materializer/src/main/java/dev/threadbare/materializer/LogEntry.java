package dev.threadbare.materializer;

import java.time.Instant;
import java.util.Objects;
import org.eclipse.jgit.lib.ObjectId;

/**
 * One commit of a branch's history, with the chat message it came from. Immutable.
 *
 * @param commit the commit id
 * @param number its position on the branch, 1-based ({@code BRANCH@N})
 * @param author the author's name
 * @param authorEmail the author's address ({@code USERID@TEAM.chat})
 * @param time the author time (the message ts)
 * @param subject the first line of the commit message
 * @param link the {@code Chat-Message} permalink, or empty
 * @param event the {@code Chat-Event} trailer, or empty
 */
public record LogEntry(
    ObjectId commit,
    int number,
    String author,
    String authorEmail,
    Instant time,
    String subject,
    String link,
    String event) {
  public LogEntry {
    commit = Objects.requireNonNull(commit, "commit").copy();
    Objects.requireNonNull(author, "author");
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(link, "link");
    Objects.requireNonNull(event, "event");
  }
}
