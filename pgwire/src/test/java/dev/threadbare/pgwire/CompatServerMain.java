package dev.threadbare.pgwire;

import dev.threadbare.db.Credentials;
import dev.threadbare.db.DbLayer;
import dev.threadbare.db.DbOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs the layer on both engines behind the wire server until killed and prints a DATABASE_URL per
 * engine and database named on the command line: for running one compat/ app by hand.
 */
final class CompatServerMain {
  private CompatServerMain() {}

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("compat-server");
    DbLayer duck = DbLayer.duckDb(dir.resolve("duck"));
    EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
    DbLayer pg =
        DbLayer.postgres(
            new DbLayer.PostgresServer(
                "localhost", postgres.getPort(), "postgres", "postgres", "postgres"),
            DbOptions.defaults());
    for (var entry : java.util.Map.of("duckdb", duck, "postgres", pg).entrySet()) {
      PgWireServer server =
          PgWireServer.start(
              entry.getValue(),
              new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
              PgWireServer.Settings.defaults());
      for (String database : args) {
        Credentials c = entry.getValue().addCredentials(database, "v1");
        System.out.println(
            entry.getKey()
                + " "
                + database
                + " postgresql://"
                + c.user()
                + ":"
                + c.password()
                + "@127.0.0.1:"
                + server.port()
                + "/"
                + database
                + "?sslmode=disable");
      }
    }
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
