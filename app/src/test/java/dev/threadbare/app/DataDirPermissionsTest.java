package dev.threadbare.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadbare.app.serve.Server;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data directory is its owner's: others may traverse it (0711: the sandbox user reaches build
 * outputs by path) but not list it, its private folders are 0700, and its files 0600.
 */
class DataDirPermissionsTest {

  private static final Set<PosixFilePermission> OWNER_DIR =
      PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> TRAVERSE_ONLY =
      PosixFilePermissions.fromString("rwx--x--x");
  private static final Set<PosixFilePermission> OWNER_FILE =
      PosixFilePermissions.fromString("rw-------");

  @TempDir Path root;

  @Test
  void a_data_directory_opened_by_any_command_is_owner_only() throws Exception {
    Path data = root.resolve("data");
    // As an older threadbare (or a umask of 022) left it.
    Files.createDirectories(data.resolve("secrets"));
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(data.resolve("secrets").resolve("bot-token"), "xoxb-old");
    Files.setPosixFilePermissions(
        data.resolve("secrets").resolve("bot-token"), PosixFilePermissions.fromString("rw-r--r--"));
    try (DataDir dir = DataDir.open(data, null)) {
      assertThat(dir.journal().lastSeq()).isZero();
    }
    assertThat(Files.getPosixFilePermissions(data)).isEqualTo(TRAVERSE_ONLY);
    assertThat(Files.getPosixFilePermissions(data.resolve("journal.db"))).isEqualTo(OWNER_FILE);
    assertThat(Files.getPosixFilePermissions(data.resolve("secrets"))).isEqualTo(OWNER_DIR);
    assertThat(Files.getPosixFilePermissions(data.resolve("secrets").resolve("bot-token")))
        .isEqualTo(OWNER_FILE);
  }

  @Test
  void serve_leaves_every_store_owner_only() throws Exception {
    Path data = root.resolve("data");
    try (Server server = Server.start(Server.Settings.defaults(data))) {
      assertThat(server.url()).startsWith("http://");
      assertThat(Files.getPosixFilePermissions(data)).isEqualTo(TRAVERSE_ONLY);
      for (String store : new String[] {"journal.db", "workspace.db", "outbox.db"}) {
        assertThat(data.resolve(store)).exists();
        assertThat(Files.getPosixFilePermissions(data.resolve(store)))
            .as(store)
            .isEqualTo(OWNER_FILE);
      }
    }
  }
}
