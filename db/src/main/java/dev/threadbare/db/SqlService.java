package dev.threadbare.db;

import java.util.Optional;

/**
 * The db layer as a protocol front end (the PostgreSQL wire server, the HTTP endpoint) sees it: who
 * may connect, and sessions that run SQL under the house rules. Implementations are thread safe.
 */
public interface SqlService {

  /** The SCRAM-SHA-256 credential stored for {@code user}, if such a user exists. */
  Optional<ScramCredential> scramCredential(String user);

  /**
   * Opens a session for an authenticated {@code user} on the logical {@code database}.
   *
   * @throws DbException with SQLSTATE {@code 28000} or {@code 3D000} when the user's identity does
   *     not reach that database or it does not exist
   */
  SqlSession open(String user, String database);

  /**
   * The PostgreSQL version the engine behind the service answers as, when it knows (the layer on
   * PostgreSQL: the server's own), for the wire server's {@code server_version}: psql and drivers
   * choose their catalog queries by it.
   */
  default Optional<String> serverVersion() {
    return Optional.empty();
  }
}
