package dev.threadbare.workspace;

import java.nio.file.Path;

/** The Web API contract on PostgreSQL (embedded, one server per test JVM). */
class WebApiPostgresTest extends WebApiContract {

  @Override
  LocalWorkspace openWorkspace(Path dir) {
    return LocalWorkspace.open(TestDatabases.postgres());
  }
}
