package dev.threadbare.deploy;

/**
 * The port to the db layer: each preview deployment's own database, its credentials and its cap.
 * Thread safe.
 */
public interface DeploymentDatabases {

  /** A user and password that reach one database only. */
  record Login(String user, String password) {}

  /** Creates {@code database} if new and issues credentials for {@code version} on it. */
  Login issue(String database, String version);

  /** Caps {@code database} at {@code bytes}: writes past it are refused (SQLSTATE 53100). */
  void cap(String database, long bytes);

  /** The {@code DATABASE_URL} a deployment gets for {@code login} on {@code database}. */
  String url(String database, Login login);

  /** No db layer: deployments get no {@code DATABASE_URL}. */
  DeploymentDatabases NONE =
      new DeploymentDatabases() {
        @Override
        public Login issue(String database, String version) {
          return null;
        }

        @Override
        public void cap(String database, long bytes) {}

        @Override
        public String url(String database, Login login) {
          return null;
        }
      };
}
