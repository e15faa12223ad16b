package dev.threadbare.deploy;

/**
 * The proxy's hook for hosts other than {@code <uuid>.<base host>}: a host the hook {@linkplain
 * #routes routes} (such as prod's {@code <channel>.prod.<base host>}) is forwarded, through the
 * same proxy, to the port of the {@link Lease} it hands out. Implementations are thread safe;
 * {@link #lease} may block while the target starts (the request is held, not dropped).
 */
public interface HostRoutes {

  /** A use of a port: forward there, then {@link #release()} once the exchange is over. */
  interface Lease {
    /** The loopback port to forward to. */
    int port();

    /** Ends this use (called exactly once by the proxy). */
    void release();
  }

  /** Whether requests for {@code hostName} (without port, any case) are this hook's. */
  boolean routes(String hostName);

  /**
   * A port for a request to {@code hostName}, waiting while it starts.
   *
   * @throws StartFailedException with the status to answer (404 when nothing serves the host)
   */
  Lease lease(String hostName);

  /** Routes nothing. */
  HostRoutes NONE =
      new HostRoutes() {
        @Override
        public boolean routes(String hostName) {
          return false;
        }

        @Override
        public Lease lease(String hostName) {
          throw new StartFailedException(404, "nothing serves " + hostName, null);
        }
      };
}
