package dev.threadbare.core.grammar;

import java.util.Objects;

/**
 * A file uploaded with a message (a Slack file share or snippet), with its downloaded bytes.
 * Immutable; the byte array is not copied, callers must not modify it.
 */
@SuppressWarnings("ArrayRecordComponent") // the bytes are handed over, not shared; see above
public record Attachment(String id, String name, String title, String mimetype, byte[] content) {
  public Attachment {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(content, "content");
  }
}
