package dev.threadbare.core.grammar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Laws of the path rules: whatever else a path holds, these never pass. */
class PathRulesProperties {

  @Provide
  Arbitrary<String> anyText() {
    return Arbitraries.strings().all().ofMaxLength(40);
  }

  @Property(tries = 300)
  void a_dot_dot_segment_is_never_accepted(
      @ForAll("anyText") String before, @ForAll("anyText") String after) {
    String path = before + "/../" + after;
    assertThatThrownBy(() -> RepoPath.of(path)).isInstanceOf(BadPathException.class);
    assertThatThrownBy(() -> RepoPath.of("../" + after)).isInstanceOf(BadPathException.class);
    assertThatThrownBy(() -> RepoPath.of(before + "/..")).isInstanceOf(BadPathException.class);
  }

  @Property(tries = 300)
  void an_absolute_path_is_never_accepted(@ForAll("anyText") String rest) {
    assertThatThrownBy(() -> RepoPath.of("/" + rest)).isInstanceOf(BadPathException.class);
  }

  @Property(tries = 300)
  void nothing_under_git_is_ever_accepted(
      @ForAll("gitSpelling") String git, @ForAll("anyText") String rest, @ForAll boolean nested) {
    String path = (nested ? "sub/" : "") + git + "/" + rest;
    assertThatThrownBy(() -> RepoPath.of(path)).isInstanceOf(BadPathException.class);
  }

  @Provide
  Arbitrary<String> gitSpelling() {
    return Arbitraries.of(".git", ".GIT", ".Git", ".gIt", ".git.", ".git ", "git~1", ".g\u200cit");
  }

  @Property(tries = 300)
  void a_control_character_is_never_accepted(
      @ForAll("anyText") String before,
      @ForAll("control") char control,
      @ForAll("anyText") String after) {
    assertThatThrownBy(() -> RepoPath.of(before + control + after))
        .isInstanceOf(BadPathException.class);
  }

  @Provide
  Arbitrary<Character> control() {
    return Arbitraries.oneOf(
        Arbitraries.chars().range('\u0000', '\u001f'),
        Arbitraries.chars().range('\u007f', '\u009f'));
  }

  @Property(tries = 500)
  void an_accepted_path_obeys_every_rule(@ForAll("pathLike") String raw) {
    RepoPath path;
    try {
      path = RepoPath.of(raw);
    } catch (BadPathException e) {
      assertThat(e.getMessage()).startsWith("path `");
      assertThat(PathRules.isPathRule(e.rule())).isTrue();
      return;
    }
    String value = path.value();
    assertThat(value).doesNotStartWith("/");
    assertThat(value.split("/", -1))
        .allSatisfy(
            segment -> {
              assertThat(segment).isNotEmpty().isNotEqualTo(".").isNotEqualTo("..");
              assertThat(segment.equalsIgnoreCase(".git")).isFalse();
            });
    assertThat(
            value.chars().noneMatch(c -> Character.isISOControl(c) || "\\:*?\"<>|".indexOf(c) >= 0))
        .isTrue();
  }

  @Provide
  Arbitrary<String> pathLike() {
    Arbitrary<String> segment =
        Arbitraries.oneOf(
            Arbitraries.of(".", "..", "", ".git", ".GIT", "a", "src", "b.txt", "é", "x y"),
            Arbitraries.strings().withChars("ab./\\:*?\"<>|\u0000\n\u00e9 ").ofMaxLength(6));
    return Combinators.combine(segment, segment, segment, Arbitraries.of("", "/"))
        .as((a, b, c, lead) -> lead + a + "/" + b + "/" + c);
  }
}
