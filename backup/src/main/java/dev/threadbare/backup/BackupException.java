package dev.threadbare.backup;

import dev.threadbare.core.ThreadbareException;

/**
 * Root of the exceptions this module throws: a backup that cannot be written, an export that cannot
 * be read. The message names the input (the zip, its entry) and the likely fix.
 */
public class BackupException extends ThreadbareException {
  private static final long serialVersionUID = 1L;

  public BackupException(String message) {
    super(message);
  }

  public BackupException(String message, Throwable cause) {
    super(message, cause);
  }
}
