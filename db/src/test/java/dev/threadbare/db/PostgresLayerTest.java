package dev.threadbare.db;

import java.sql.Connection;
import java.sql.Statement;

/** The layer contract on an embedded PostgreSQL (one per test JVM). */
class PostgresLayerTest extends LayerContract {
  private DbLayer.PostgresServer server;

  @Override
  DbLayer newLayer(DbOptions options) {
    if (server == null) {
      server = SharedPostgres.freshServer();
    }
    return DbLayer.postgres(server, options);
  }

  @Override
  Connection scratchConnection() throws Exception {
    String name = server.adminDatabase() + "_scratch";
    try (Connection admin = SharedPostgres.connect("postgres");
        Statement s = admin.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    return SharedPostgres.connect(name);
  }

  @Override
  String slowQuery() {
    return "SELECT pg_sleep(30) AS slept";
  }

  @Override
  boolean duckDb() {
    return false;
  }
}
