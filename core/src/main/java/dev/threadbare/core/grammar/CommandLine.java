package dev.threadbare.core.grammar;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A line of prose read as a command ({@code rm PATH}, {@code mv OLD NEW}, {@code merge}, {@code
 * promote VERSION}…), after any leading mentions. Stateless.
 */
final class CommandLine {

  private CommandLine() {}

  /** The command on {@code line}, or empty; see {@link ChatGrammar#parseCommand}. */
  static Optional<Command> parse(String line) {
    String rest = stripMentions(line);
    List<String> tokens = tokens(rest, 4);
    if (tokens.isEmpty() || tokens.size() > 3) {
      return Optional.empty();
    }
    String name = tokens.get(0);
    List<String> args = tokens.subList(1, tokens.size());
    return switch (name) {
      case "rm" ->
          args.size() == 1
              ? Optional.of(new Command.Remove(RepoPath.of(args.get(0))))
              : Optional.empty();
      case "mv" ->
          args.size() == 2
              ? Optional.of(new Command.Move(RepoPath.of(args.get(0)), RepoPath.of(args.get(1))))
              : Optional.empty();
      case "merge", "status", "rollback", "token", "help" ->
          args.isEmpty() ? Optional.of(new Command.Action(name, List.of())) : Optional.empty();
      case "promote", "deploy" ->
          args.size() == 1
                  && !args.get(0).isEmpty()
                  && args.get(0).codePoints().noneMatch(Character::isISOControl)
              ? Optional.of(new Command.Action(name, List.copyOf(args)))
              : Optional.empty();
      case "url" ->
          args.size() <= 1
                  && args.stream()
                      .allMatch(
                          a -> !a.isEmpty() && a.codePoints().noneMatch(Character::isISOControl))
              ? Optional.of(new Command.Action(name, List.copyOf(args)))
              : Optional.empty();
      default -> Optional.empty();
    };
  }

  /** Drops leading mentions ({@code <@U123>}, {@code <@U123|name>}) and a following : or ,. */
  private static String stripMentions(String line) {
    int n = line.length();
    int i = skipSpace(line, 0);
    boolean stripped = false;
    while (line.startsWith("<@", i)) {
      int close = line.indexOf('>', i);
      if (close < 0) {
        break;
      }
      i = skipSpace(line, close + 1);
      stripped = true;
    }
    if (stripped && i < n && (line.charAt(i) == ':' || line.charAt(i) == ',')) {
      i = skipSpace(line, i + 1);
    }
    return line.substring(i);
  }

  private static int skipSpace(String line, int from) {
    int i = from;
    while (i < line.length() && Character.isWhitespace(line.charAt(i))) {
      i++;
    }
    return i;
  }

  /**
   * Splits on whitespace; a token in backticks may hold spaces. Stops after {@code limit} tokens.
   */
  private static List<String> tokens(String line, int limit) {
    List<String> tokens = new ArrayList<>();
    int i = 0;
    int n = line.length();
    while (i < n && tokens.size() < limit) {
      char c = line.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '`') {
        int close = line.indexOf('`', i + 1);
        if (close < 0) {
          tokens.add(line.substring(i));
          return tokens;
        }
        tokens.add(line.substring(i + 1, close));
        i = close + 1;
      } else {
        int start = i;
        while (i < n && !Character.isWhitespace(line.charAt(i))) {
          i++;
        }
        tokens.add(line.substring(start, i));
      }
    }
    return tokens;
  }
}
