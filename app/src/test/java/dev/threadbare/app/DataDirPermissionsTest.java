package dev.threadbare.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadbare.app.serve.Server;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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

  /**
   * What the modes mean to another OS user, tried as one: {@code nobody}, reached with {@code
   * setpriv} as the sandbox drops privileges. It may traverse the data directory (reach a path it
   * knows: deployments' build outputs), but not list it, nor open any file in it. Never skipped:
   * where this JVM cannot become another user, the first check fails.
   */
  @Test
  void another_user_traverses_the_data_directory_but_can_neither_list_it_nor_read_a_file()
      throws Exception {
    // The test's own temporary folder must be traversable, as a data directory's parent is.
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
    Path data = root.resolve("data");
    try (Server server = Server.start(Server.Settings.defaults(data))) {
      assertThat(server.url()).startsWith("http://");
    }
    AsOther whoAmI = asNobody("/usr/bin/id", "-u");
    assertThat(whoAmI.output().strip())
        .as("running as another user (needs root and setpriv): %s", whoAmI)
        .isEqualTo("65534");

    AsOther list = asNobody("/bin/ls", data.toString());
    assertThat(list.status()).as("listing %s: %s", data, list).isNotZero();
    assertThat(list.output()).contains("Permission denied");
    AsOther traverse = asNobody("/usr/bin/stat", "-c", "%s", data.resolve("journal.db").toString());
    assertThat(traverse.status()).as("traversing to journal.db: %s", traverse).isZero();

    // deploys/ and prod/ hold build outputs the sandbox's user must reach (their modes are the
    // deploy and prod modules'); everything else is out of another user's reach.
    List<Path> files;
    try (Stream<Path> walk = Files.walk(data)) {
      files = walk.filter(Files::isRegularFile).filter(f -> !forTheSandbox(data, f)).toList();
    }
    assertThat(files)
        .extracting(f -> data.relativize(f).toString())
        .contains("journal.db", "workspace.db", "outbox.db", "git/.writer.lock");
    for (Path file : files) {
      AsOther read = asNobody("/bin/cat", file.toString());
      assertThat(read.status()).as("reading %s: %s", data.relativize(file), read).isNotZero();
      assertThat(read.output()).contains("Permission denied");
    }
    List<Path> folders;
    try (Stream<Path> walk = Files.walk(data)) {
      folders =
          walk.filter(Files::isDirectory)
              .filter(d -> !d.equals(data) && !forTheSandbox(data, d))
              .toList();
    }
    for (Path folder : folders) {
      AsOther inside = asNobody("/bin/ls", folder.toString());
      assertThat(inside.status()).as("listing %s: %s", data.relativize(folder), inside).isNotZero();
    }
  }

  private static boolean forTheSandbox(Path data, Path path) {
    String first = data.relativize(path).getName(0).toString();
    return first.equals("deploys") || first.equals("prod");
  }

  /** What a command run as another user said. */
  private record AsOther(int status, String output) {}

  private static AsOther asNobody(String... command) throws Exception {
    List<String> all =
        new ArrayList<>(
            List.of(
                "/usr/bin/setpriv",
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                "--no-new-privs",
                "--"));
    all.addAll(List.of(command));
    Process process =
        new ProcessBuilder(all)
            .redirectErrorStream(true)
            .redirectInput(Redirect.from(new java.io.File("/dev/null")))
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("%s ended", all).isTrue();
    return new AsOther(process.exitValue(), output);
  }
}
