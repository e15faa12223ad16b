package dev.threadbare.core.grammar;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Command lines mixed with prose: every command is read, in order, and only the prose remains. */
class CommandProperties {

  /** A line of the message and the command it should give, or null for prose. */
  record Line(String text, Command command) {}

  @Provide
  Arbitrary<List<Line>> lines() {
    return line().list().ofMaxSize(8);
  }

  Arbitrary<Line> line() {
    Arbitrary<String> path =
        Arbitraries.strings()
            .withChars("abcxyz019_-.é")
            .ofMinLength(1)
            .ofMaxLength(6)
            .filter(s -> !s.equals(".") && !s.equals(".."))
            .list()
            .ofMinSize(1)
            .ofMaxSize(3)
            .map(segments -> String.join("/", segments));
    Arbitrary<String> mention = Arbitraries.of("", "<@U0BOT> ", "<@U0BOT>: ", "  ");
    Arbitrary<Line> rm =
        Combinators.combine(mention, path)
            .as((m, p) -> new Line(m + "rm " + p, new Command.Remove(RepoPath.of(p))));
    Arbitrary<Line> mv =
        Combinators.combine(mention, path, path)
            .as(
                (m, a, b) ->
                    new Line(
                        m + "mv `" + a + "` " + b,
                        new Command.Move(RepoPath.of(a), RepoPath.of(b))));
    Arbitrary<Line> bare =
        Combinators.combine(mention, Arbitraries.of("merge", "status", "rollback", "token", "help"))
            .as((m, name) -> new Line(m + name, new Command.Action(name, List.of())));
    Arbitrary<Line> withVersion =
        Combinators.combine(
                mention,
                Arbitraries.of("promote", "deploy"),
                Arbitraries.strings().withChars("abcdef0123456789").ofMinLength(4).ofMaxLength(12))
            .as((m, name, v) -> new Line(m + name + " " + v, new Command.Action(name, List.of(v))));
    Arbitrary<Line> prose =
        Arbitraries.of(
                "Please merge this later",
                "status: green",
                "rm -rf / is a bad idea",
                "help me understand",
                "deploy it now please",
                "mv",
                "what do you think?")
            .map(t -> new Line(t, null));
    return Arbitraries.oneOf(rm, mv, bare, withVersion, prose, prose);
  }

  @Property(tries = 300)
  void commands_are_read_in_order_and_prose_is_the_commit_message(
      @ForAll("lines") List<Line> lines) {
    List<String> paths = new ArrayList<>();
    for (Line line : lines) {
      switch (line.command()) {
        case Command.Remove r -> paths.add(r.path().value());
        case Command.Move m -> {
          paths.add(m.from().value());
          paths.add(m.to().value());
        }
        case null, default -> {}
      }
    }
    net.jqwik.api.Assume.that(paths.stream().distinct().count() == paths.size());
    String text = String.join("\n", lines.stream().map(Line::text).toList());

    ParsedMessage parsed = ChatGrammar.create().parse(ChatGrammarTest.message(text), List.of());

    assertThat(parsed.problems()).isEmpty();
    assertThat(parsed.commands())
        .containsExactlyElementsOf(
            lines.stream().map(Line::command).filter(c -> c != null).toList());
    String prose =
        String.join("\n", lines.stream().filter(l -> l.command() == null).map(Line::text).toList());
    if (!prose.isEmpty()) {
      assertThat(parsed.commitMessage()).isEqualTo(prose);
    }
  }
}
