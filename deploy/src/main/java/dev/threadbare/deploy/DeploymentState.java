package dev.threadbare.deploy;

import java.util.Locale;

/** Where a deployment stands; {@link #label()} is what {@code threadbare deploys} prints. */
public enum DeploymentState {
  STOPPED,
  STARTING,
  RUNNING,
  FAILED;

  /** The lower-case word for people and the CLI. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
