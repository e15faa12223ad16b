package dev.threadbare.app.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.threadbare.app.cli.DbCommand;
import dev.threadbare.db.Credentials;
import dev.threadbare.db.DbLayer;
import dev.threadbare.db.SqlSession;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code threadbare db backup} then {@code db restore} into another data directory (DuckDB). */
class DbBackupCommandTest {
  @TempDir Path dir;

  private record Run(int exit, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new DbCommand());
    cli.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          commandLine.getErr().println("threadbare: " + ex.getMessage());
          return 1;
        });
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void backsUpAndRestoresADatabaseWithItsCatalog() throws Exception {
    Path original = dir.resolve("original");
    try (DbLayer layer = DbLayer.duckDb(original)) {
      Credentials v1 = layer.addCredentials("prod", "v1");
      try (SqlSession s = layer.open(v1.user(), "prod")) {
        s.execute("INSERT INTO notes (id, body) VALUES (1, 'one'), (2, 'two')", List.of());
      }
    }
    Path zip = dir.resolve("prod.zip");
    Run backup = run("backup", "--data", original.toString(), "--database", "prod", zip.toString());
    assertThat(backup.exit()).as(backup.err()).isZero();
    assertThat(backup.out())
        .startsWith("backed up database prod: 1 tables, 2 rows, the catalog; ")
        .contains(zip.toString());

    Path restored = dir.resolve("restored");
    Run restore =
        run("restore", "--data", restored.toString(), "--database", "prod", zip.toString());
    assertThat(restore.exit()).as(restore.err()).isZero();
    assertThat(restore.out()).startsWith("restored database prod: 1 tables, 2 rows");
    Run again = run("restore", "--data", restored.toString(), "--database", "prod", zip.toString());
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.err()).contains("\"prod\" exists");

    try (DbLayer layer = DbLayer.duckDb(restored)) {
      assertThat(layer.describe("prod").tables().get(0).columns())
          .extracting(c -> c.name() + ":" + c.createdBy())
          .containsExactlyInAnyOrder("id:v1", "body:v1");
      Credentials v2 = layer.addCredentials("prod", "v2");
      try (SqlSession s = layer.open(v2.user(), "prod")) {
        assertThat(
                s.execute("SELECT body FROM notes ORDER BY id", List.of()).get(0).rows().stream()
                    .map(r -> r[0])
                    .toList())
            .containsExactly("one", "two");
      }
    }
  }
}
