package dev.threadbare.workspace.internal.store;

import java.util.Objects;

/**
 * An uploaded file's metadata (the bytes are read separately).
 *
 * <p>An immutable value, safe to share between threads.
 *
 * @param id Slack-style file id ({@code F…})
 * @param user uploader's user id
 * @param name file name
 * @param title title, defaults to the name
 * @param mimetype MIME type
 * @param filetype Slack's short file type ({@code text}, {@code python}, {@code binary}, …)
 * @param expectedSize size announced by {@code files.getUploadURLExternal}
 * @param size size of the stored content
 * @param created creation time, epoch seconds
 * @param completed whether {@code files.completeUploadExternal} finished it
 */
public record StoredFile(
    String id,
    String user,
    String name,
    String title,
    String mimetype,
    String filetype,
    long expectedSize,
    long size,
    long created,
    boolean completed) {

  /** Validates the required fields. */
  public StoredFile {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(mimetype, "mimetype");
    Objects.requireNonNull(filetype, "filetype");
  }
}
