package dev.threadbare.deploy;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What the running server saw of a deployment (kept in memory, not across restarts). Immutable.
 *
 * @param lastRequest when the proxy last received a request for it
 * @param lastColdStart how long its last start took, from the request that caused it until the app
 *     listened (build included when there was one); null when it has not started since
 */
public record DeploymentActivity(Instant lastRequest, Duration lastColdStart) {
  public DeploymentActivity {
    Objects.requireNonNull(lastRequest, "lastRequest");
  }
}
