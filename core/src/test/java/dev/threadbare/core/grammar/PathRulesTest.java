package dev.threadbare.core.grammar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PathRulesTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "a",
        "src/app.py",
        "a b/c d.txt",
        ".gitignore",
        ".github/workflows/ci.yml",
        "docs/.git-notes",
        "x/.gitkeep",
        "日本語/ファイル.md",
        "emoji/😀.txt",
        "...",
        "a..b",
        "-rf",
      })
  void good_paths_are_accepted_unchanged(String path) {
    assertThat(RepoPath.of(path).value()).isEqualTo(path);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = ';',
      value = {
        "../x ; dot-segment ; path `../x` leaves the repository: `..`",
        "a/../../x ; dot-segment ; leaves the repository",
        "a/./b ; dot-segment ; `.` segment",
        ". ; dot-segment ; `.` segment",
        "/etc/passwd ; absolute-path ; path `/etc/passwd` is absolute",
        "a//b ; empty-segment ; empty segment",
        "a/ ; empty-segment ; empty segment",
        ".git ; git-directory ; git's own `.git` directory",
        ".git/config ; git-directory ; path `.git/config` is inside git's own",
        ".GIT/hooks/pre-commit ; git-directory ; .git",
        "sub/.git/HEAD ; git-directory ; .git",
        ".git./config ; git-directory ; .git",
        "GIT~1/config ; git-directory ; .git",
        "a\\b ; forbidden-character ; holds `\\`",
        "c:/x ; forbidden-character ; holds `:`",
        "a*b ; forbidden-character ; holds `*`",
        "a?b ; forbidden-character ; holds `?`",
        "a\"b ; forbidden-character ; holds `\"`",
        "a<b ; forbidden-character ; holds `<`",
        "a>b ; forbidden-character ; holds `>`",
        "a|b ; forbidden-character ; holds `|`",
      })
  void bad_paths_are_refused_naming_path_and_rule(String path, String rule, String message) {
    assertThatThrownBy(() -> RepoPath.of(path))
        .isInstanceOfSatisfying(
            BadPathException.class,
            e -> {
              assertThat(e.rule()).isEqualTo(rule);
              assertThat(e.path()).isEqualTo(path);
              assertThat(e.toProblem().refusesChange()).isTrue();
            })
        .hasMessageContaining(message)
        .hasMessageContaining(path.length() > 12 ? path.substring(0, 12) : path);
  }

  @Test
  void emptyPathIsRefused() {
    assertThatThrownBy(() -> RepoPath.of(""))
        .isInstanceOf(BadPathException.class)
        .hasMessageContaining("is empty");
    assertThatThrownBy(() -> RepoPath.of(null))
        .isInstanceOf(BadPathException.class)
        .hasMessageContaining("required");
  }

  @Test
  void controlCharactersAreRefusedAndShownEscaped() {
    assertThatThrownBy(() -> RepoPath.of("a\nb.txt"))
        .isInstanceOfSatisfying(
            BadPathException.class, e -> assertThat(e.rule()).isEqualTo("control-character"))
        .hasMessage(
            "path `a\\u000Ab.txt` holds the control character U+000A: paths are printable text"
                + " only");
    for (char c : new char[] {0, 7, 0x1b, 0x7f, 0x85, '\u2028'}) {
      assertThatThrownBy(() -> RepoPath.of("x" + c))
          .isInstanceOf(BadPathException.class)
          .hasMessageContaining("control character");
    }
    assertThatThrownBy(() -> RepoPath.of("x\ud800y"))
        .isInstanceOf(BadPathException.class)
        .hasMessageContaining("unpaired surrogate");
  }

  @Test
  void lengthsAreCountedInUtf8Bytes() {
    assertThat(RepoPath.of("a".repeat(255)).value()).hasSize(255);
    assertThatThrownBy(() -> RepoPath.of("a".repeat(256)))
        .isInstanceOfSatisfying(
            BadPathException.class, e -> assertThat(e.rule()).isEqualTo("segment-too-long"))
        .hasMessageContaining("256 bytes");
    // 85 three-byte characters are 255 bytes; 86 are 258.
    assertThat(RepoPath.of("語".repeat(85)).value()).hasSize(85);
    assertThatThrownBy(() -> RepoPath.of("語".repeat(86)))
        .hasMessageContaining("258 bytes")
        .hasMessageContaining("at most 255 bytes");
    String longPath = ("d".repeat(200) + "/").repeat(20) + "f"; // 4021 bytes
    assertThat(RepoPath.of(longPath).value()).isEqualTo(longPath);
    String tooLong = ("d".repeat(200) + "/").repeat(21) + "f"; // 4222 bytes
    assertThatThrownBy(() -> RepoPath.of(tooLong))
        .isInstanceOfSatisfying(
            BadPathException.class, e -> assertThat(e.rule()).isEqualTo("path-too-long"))
        .hasMessageContaining("4222 bytes")
        .hasMessageContaining("… (4222 characters)");
  }

  @Test
  void pathsAreNfcNormalisedBeforeTheRules() {
    assertThat(RepoPath.of("e\u0301").value()).isEqualTo("\u00e9");
    assertThat(new RepoPath("e\u0301")).isEqualTo(RepoPath.of("\u00e9"));
    assertThat(RepoPath.of("dir/file.txt").fileName()).isEqualTo("file.txt");
  }
}
