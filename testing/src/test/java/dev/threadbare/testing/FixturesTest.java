package dev.threadbare.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class FixturesTest {

  @Test
  void findsTheRepositorysOwnFixturesFolderAboveTheWorkingDirectory() {
    Path root = Fixtures.root();

    assertThat(root).endsWith(Fixtures.IN_REPOSITORY);
    assertThat(root.resolve("README.md")).isRegularFile();
    // The folder is the repository's own (the root beside it holds the build), not one beside it.
    Path repository = root.getParent().getParent();
    assertThat(repository.resolve("mvnw")).isRegularFile();
    assertThat(Path.of("").toAbsolutePath()).startsWith(repository);
  }

  @Test
  void theReadmeNamesEachFixtureFoldersSourceAndLicence() throws IOException {
    String readme = Fixtures.string("README.md");

    try (Stream<Path> folders = Files.list(Fixtures.root())) {
      List<String> names =
          folders.filter(Files::isDirectory).map(p -> p.getFileName().toString()).toList();
      assertThat(names).isNotEmpty();
      for (String name : names) {
        assertThat(readme).as("README row for %s", name).contains("`" + name + "/");
        Path folder = Fixtures.root().resolve(name);
        assertThat(
                Stream.of("LICENSE", "LICENSE.md")
                    .map(folder::resolve)
                    .filter(Files::isRegularFile)
                    .findFirst())
            .as("the licence text beside %s", name)
            .isPresent();
      }
    }
    assertThat(readme).contains("MIT", "Apache-2.0");
  }

  @Test
  void readsAFixtureAsUtf8() {
    String deleted = Fixtures.string("slack-web-events/message_deleted.json");

    assertThat(deleted).contains("\"message_deleted\"");
    assertThat(Fixtures.bytes("slack-web-events/message_deleted.json"))
        .hasSize(deleted.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
  }

  @Test
  void aMissingFixtureOrOneOutsideTheFolderIsNamed() {
    assertThatThrownBy(() -> Fixtures.string("slack-web-events/nope.json"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no fixture `slack-web-events/nope.json`");
    assertThatThrownBy(() -> Fixtures.path("../DESIGN.md"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("leaves the fixtures folder");
  }
}
