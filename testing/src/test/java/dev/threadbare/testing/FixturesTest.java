package dev.threadbare.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FixturesTest {

  @Test
  void findsTheSharedFixturesFolderAboveTheWorkingDirectory() {
    assertThat(Fixtures.root()).endsWith(java.nio.file.Path.of("shared", "fixtures"));
    assertThat(Fixtures.root().resolve("README.md")).isRegularFile();
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
