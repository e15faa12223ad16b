package dev.threadbare.backup;

import java.util.Objects;

/**
 * A file a message shares whose content the export does not carry: it is not restored (never
 * written truncated), and the restore report lists it.
 *
 * @param channelId the channel's id
 * @param channelName the channel's name in the export (its folder)
 * @param ts the sharing message's ts
 * @param path the repository path the file would have had (its title when that holds a {@code /},
 *     else its name)
 * @param reason why its content is missing
 */
public record NotRestorable(
    String channelId, String channelName, String ts, String path, String reason) {

  public NotRestorable {
    Objects.requireNonNull(channelId, "channelId");
    Objects.requireNonNull(channelName, "channelName");
    Objects.requireNonNull(ts, "ts");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(reason, "reason");
  }
}
