package dev.threadbare.deploy;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * One version's deployment, as recorded: its UUID never changes. Immutable (a snapshot).
 *
 * @param id the deployment's UUID, the first label of its host name
 * @param channel the channel id whose repository holds the version
 * @param commit the version's full commit id
 * @param createdAt when the deployment was recorded
 * @param config the version's deploy settings
 * @param state the state at the time of the snapshot
 */
public record Deployment(
    UUID id,
    String channel,
    String commit,
    Instant createdAt,
    DeployConfig config,
    DeploymentState state) {

  public Deployment {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(commit, "commit");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(state, "state");
  }

  /** The logical database this preview deployment owns (the UUID is a valid database name). */
  public String database() {
    return id.toString();
  }
}
