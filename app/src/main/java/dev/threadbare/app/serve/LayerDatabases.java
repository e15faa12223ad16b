package dev.threadbare.app.serve;

import dev.threadbare.db.Credentials;
import dev.threadbare.db.DbLayer;
import dev.threadbare.deploy.DeploymentDatabases;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The deployer's databases on the db layer: each preview deployment's own logical database (named
 * by its UUID), credentials issued for its version, its cap, and a {@code DATABASE_URL} to the wire
 * port. Thread safe.
 */
final class LayerDatabases implements DeploymentDatabases {

  private final Supplier<DbLayer> layer;
  private final String host;
  private final IntSupplier port;

  /** The layer and the wire port are known only once serve has started them. */
  LayerDatabases(Supplier<DbLayer> layer, String host, IntSupplier port) {
    this.layer = layer;
    this.host = host;
    this.port = port;
  }

  @Override
  public Login issue(String database, String version) {
    Credentials c = layer.get().addCredentials(database, version);
    return new Login(c.user(), c.password());
  }

  @Override
  public void cap(String database, long bytes) {
    layer.get().capPreview(database, bytes);
  }

  @Override
  public String url(String database, Login login) {
    return "postgresql://"
        + URLEncoder.encode(login.user(), StandardCharsets.UTF_8)
        + ":"
        + URLEncoder.encode(login.password(), StandardCharsets.UTF_8)
        + "@"
        + host
        + ":"
        + port.getAsInt()
        + "/"
        + database;
  }
}
