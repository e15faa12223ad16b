package dev.threadbare.workspace;

import java.nio.file.Path;

/** The Web API contract on SQLite (the default storage). */
class WebApiTest extends WebApiContract {

  @Override
  LocalWorkspace openWorkspace(Path dir) {
    return LocalWorkspace.open(dir);
  }
}
