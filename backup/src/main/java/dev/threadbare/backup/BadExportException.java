package dev.threadbare.backup;

/** An export zip (ours or Slack's) that cannot be read; the message names the zip entry. */
public final class BadExportException extends BackupException {
  private static final long serialVersionUID = 1L;

  BadExportException(String message) {
    super(message);
  }

  BadExportException(String message, Throwable cause) {
    super(message, cause);
  }
}
