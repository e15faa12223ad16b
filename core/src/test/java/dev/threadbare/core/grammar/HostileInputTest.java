package dev.threadbare.core.grammar;

import static dev.threadbare.core.grammar.ChatGrammarTest.message;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Input written to hurt: clear refusals, and linear time on 5 MB messages. */
class HostileInputTest {

  private static final ChatGrammar GRAMMAR = ChatGrammar.create();
  private static final int MB = 1 << 20;

  @ParameterizedTest
  @ValueSource(
      strings = {
        "`../../etc/passwd`",
        "`/etc/passwd`",
        "`.git/hooks/post-checkout`",
        "`src/.GIT/config`",
        "file: a/../../b",
        "`a\u0007b.txt`",
        "`con:txt`",
        "`a//b`",
      })
  void hostile_path_lines_refuse_the_change_naming_the_path(String line) {
    ParsedMessage parsed =
        GRAMMAR.parse(message("`fine.txt`\n```ok```\n" + line + "\n```evil```"), List.of());

    assertThat(parsed.refused()).isTrue();
    assertThat(parsed.files()).isEmpty();
    assertThat(parsed.problems()).hasSize(1);
    Problem problem = parsed.problems().get(0);
    assertThat(PathRules.isPathRule(problem.rule())).isTrue();
    assertThat(problem.message()).startsWith("path `").contains(":");
  }

  @Test
  void hostileCommentPathsRefuseToo() {
    ParsedMessage parsed = GRAMMAR.parse(message("```// file: ../x.js\nevil()```"), List.of());
    assertThat(parsed.refused()).isTrue();
    assertThat(parsed.problems().get(0).message())
        .isEqualTo("path `../x.js` leaves the repository: `..` segments are not allowed");
  }

  @Test
  void aFiveMegabyteBlockIsRefusedAsTooLong() {
    String code = "x = 1\n".repeat(5 * MB / 6);
    ParsedMessage parsed = GRAMMAR.parse(message("`big.py`\n```" + code + "```"), List.of());

    assertThat(parsed.refused()).isTrue();
    assertThat(parsed.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.rule()).isEqualTo(Problem.TOO_LONG);
              assertThat(p.message()).contains("`big.py`", "lines", "attach");
            });
  }

  @Test
  void aFiveMegabyteUnterminatedFenceIsRefused() {
    ParsedMessage parsed = GRAMMAR.parse(message("`a.py`\n```" + "y".repeat(5 * MB)), List.of());
    assertThat(parsed.problems())
        .extracting(Problem::rule)
        .containsExactly(Problem.UNTERMINATED_FENCE);
    assertThat(parsed.problems().get(0).message()).hasSizeLessThan(300);
  }

  @Test
  void aMillionPathlessBlocksKeepABoundedListOfProblems() {
    ParsedMessage parsed = GRAMMAR.parse(message("```a```\n".repeat(MB / 8)), List.of());
    assertThat(parsed.files()).isEmpty();
    assertThat(parsed.problems()).hasSize(20).allMatch(p -> p.rule().equals(Problem.NO_PATH));
    assertThat(parsed.refused()).isFalse();
  }

  @Test
  void aRefusalIsKeptAfterManyHarmlessProblems() {
    ParsedMessage parsed =
        GRAMMAR.parse(message("```a```\n".repeat(1000) + "`../x`\n```b```"), List.of());
    assertThat(parsed.refused()).isTrue();
  }

  /** Patterns that make naive scanners (regex backtracking, repeated searches) quadratic. */
  static final List<IntFunction<String>> PATTERNS =
      List.of(
          n -> "<".repeat(n) + ">",
          n -> "<@".repeat(n / 2),
          n -> ("<http://a|" + "b".repeat(20)).repeat(n / 30) + ">",
          n -> "&".repeat(n),
          n -> "`".repeat(n),
          n -> "``x".repeat(n / 3),
          n -> "```a```\n".repeat(n / 8),
          n -> "`a`\n```b```".repeat(n / 11),
          n -> "x\n".repeat(n / 2) + "```",
          n -> "rm a\n".repeat(n / 5),
          n -> " ".repeat(n) + "\n```a```",
          n -> "\n".repeat(n) + "```a```",
          n -> "`" + "a".repeat(n) + "`\n```x```",
          n -> "a".repeat(n) + ":\n```x```",
          n -> "```" + "// file: " + "a/".repeat(n / 2) + "\n```",
          n -> "<@U1> ".repeat(n / 6) + "status",
          n -> "```a``` x ".repeat(n / 10),
          n -> "`a` ```b```".repeat(n / 11));

  @Test
  void parsingIsLinearInTheSizeOfTheMessage() {
    for (int i = 0; i < PATTERNS.size(); i++) {
      IntFunction<String> pattern = PATTERNS.get(i);
      String small = pattern.apply(MB / 2);
      String large = pattern.apply(5 * MB);
      GRAMMAR.parse(message(small), List.of()); // warm up
      long smallNanos = best(small, 2);
      long largeNanos = best(large, 3);
      double ratio = (double) largeNanos / Math.max(smallNanos, 25_000_000L);
      System.out.printf(
          "hostile pattern %2d: 0.5 MB %6.1f ms, 5 MB %6.1f ms, ratio %.1f%n",
          i, smallNanos / 1e6, largeNanos / 1e6, ratio);
      assertThat(largeNanos)
          .as("pattern %d: 5 MB took %d ms", i, largeNanos / 1_000_000)
          .isLessThan(10_000_000_000L);
      // Ten times the input: linear is about 10, quadratic about 100; the margin absorbs a busy
      // shared machine.
      assertThat(ratio).as("pattern %d: 5 MB / 0.5 MB time ratio", i).isLessThan(40.0);
    }
  }

  private static final java.lang.management.ThreadMXBean THREAD =
      java.lang.management.ManagementFactory.getThreadMXBean();

  private static long best(String text, int runs) {
    long best = Long.MAX_VALUE;
    for (int run = 0; run < runs; run++) {
      // This thread's CPU time, not wall time: other processes on a busy machine don't count.
      long start = THREAD.getCurrentThreadCpuTime();
      GRAMMAR.parse(message(text), List.of());
      best = Math.min(best, THREAD.getCurrentThreadCpuTime() - start);
    }
    return best;
  }
}
