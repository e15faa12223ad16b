package dev.threadbare.deploy;

/**
 * A deployment that could not be built or started: the HTTP status to answer (502 for a failed
 * build, 503 for a start), what happened, and the log's tail.
 */
public final class StartFailedException extends DeployException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String logTail;

  public StartFailedException(int status, String message, String logTail) {
    super(message);
    this.status = status;
    this.logTail = logTail;
  }

  public int status() {
    return status;
  }

  public String logTail() {
    return logTail;
  }
}
