package dev.threadbare.sandbox;

/**
 * What network a sandboxed process sees. CI runs get {@link #none()}: a network namespace of its
 * own with only a loopback interface, so nothing on the host or beyond is reachable. A deployment
 * will need a mode where the process listens on one port and reaches one host:port (the db layer);
 * {@link Host} is the stop-gap that shares the host's network and is not isolated.
 */
public sealed interface NetworkMode {

  /** No network: a private namespace with its own loopback only. */
  static NetworkMode none() {
    return None.INSTANCE;
  }

  /**
   * The host's network, unisolated: the process may listen on any port and reach anything the host
   * reaches. For deployments until a mode that allows one listening port and one upstream exists.
   */
  static NetworkMode host() {
    return Host.INSTANCE;
  }

  /** See {@link #none()}. */
  enum None implements NetworkMode {
    INSTANCE
  }

  /** See {@link #host()}. */
  enum Host implements NetworkMode {
    INSTANCE
  }
}
