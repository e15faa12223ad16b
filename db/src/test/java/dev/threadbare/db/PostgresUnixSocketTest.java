package dev.threadbare.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The layer reaching a local PostgreSQL through its Unix socket (a host that is a directory). */
class PostgresUnixSocketTest {
  private static Path socketDirectory;
  private static EmbeddedPostgres postgres;

  @BeforeAll
  static void start() throws Exception {
    // short path: a Unix socket's path is limited to 107 bytes
    socketDirectory = Files.createTempDirectory(Path.of("/tmp"), "tbsock");
    postgres =
        EmbeddedPostgres.builder()
            .setServerConfig("unix_socket_directories", socketDirectory.toString())
            .start();
  }

  @AfterAll
  static void stop() throws Exception {
    postgres.close();
    try (var files = Files.list(socketDirectory)) {
      for (Path file : files.toList()) {
        Files.deleteIfExists(file);
      }
    }
    Files.deleteIfExists(socketDirectory);
  }

  @Test
  void statementsTravelOverTheSocket() {
    DbLayer.PostgresServer server =
        new DbLayer.PostgresServer(
            socketDirectory.toString(), postgres.getPort(), "postgres", "", "postgres");
    try (DbLayer layer = DbLayer.postgres(server, DbOptions.defaults())) {
      Credentials credentials = layer.addCredentials("prod", "v1");
      try (SqlSession session = layer.open(credentials.user(), "prod")) {
        session.execute("INSERT INTO notes (body) VALUES ($1)", List.of("over the socket"));
        StatementResult select = session.execute("SELECT body FROM notes", List.of()).get(0);
        assertThat(select.rows()).containsExactly(new Object[] {"over the socket"});
        // the server sees no client address on a Unix-socket connection
        StatementResult address =
            session.execute("SELECT inet_client_addr() AS addr", List.of()).get(0);
        assertThat(address.rows()).containsExactly(new Object[] {null});
      }
    }
  }

  @Test
  void aDirectoryWithoutTheServersSocketIsAClearError() throws Exception {
    Path empty = Files.createTempDirectory(Path.of("/tmp"), "tbnosock");
    try {
      DbLayer.PostgresServer server =
          new DbLayer.PostgresServer(
              empty.toString(), postgres.getPort(), "postgres", "", "postgres");
      assertThatThrownBy(() -> DbLayer.postgres(server, DbOptions.defaults()).close())
          .isInstanceOf(DbException.class)
          .hasMessageContaining("cannot connect to PostgreSQL at socket " + empty + "/.s.PGSQL.")
          .hasMessageContaining("check that the server runs there");
    } finally {
      Files.deleteIfExists(empty);
    }
  }
}
