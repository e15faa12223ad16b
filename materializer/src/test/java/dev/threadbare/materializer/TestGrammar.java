package dev.threadbare.materializer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.threadbare.core.grammar.Attachment;
import dev.threadbare.core.grammar.Command;
import dev.threadbare.core.grammar.FileBlock;
import dev.threadbare.core.grammar.ParsedMessage;
import dev.threadbare.core.grammar.Problem;
import dev.threadbare.core.grammar.RepoPath;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A small subset of the chat grammar (a `path` line, then a fenced block; `rm P`; `mv A B`;
 * attachments named by title) that keeps the materializer's property tests independent of the full
 * grammar's evolution. A path with a {@code ..} segment refuses the whole message, as the real
 * grammar does. Stateless.
 */
final class TestGrammar {
  private TestGrammar() {}

  static ParsedMessage parse(JsonNode message, List<Attachment> attachments) {
    String[] lines = message.path("text").asText("").split("\n", -1);
    List<FileBlock> files = new ArrayList<>();
    List<Command> commands = new ArrayList<>();
    List<Problem> problems = new ArrayList<>();
    List<String> prose = new ArrayList<>();
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.startsWith("```")) {
        String pathLine = prose.isEmpty() ? "" : prose.remove(prose.size() - 1);
        StringBuilder content = new StringBuilder();
        int j = i + 1;
        while (j < lines.length && !lines[j].startsWith("```")) {
          content.append(lines[j]).append('\n');
          j++;
        }
        i = j;
        if (pathLine.startsWith("`") && pathLine.endsWith("`") && pathLine.length() > 2) {
          String path = pathLine.substring(1, pathLine.length() - 1);
          if (check(path, problems)) {
            files.add(new FileBlock(RepoPath.of(path), content.toString()));
          }
        } else {
          problems.add(new Problem(pathLine, "no-path", "a code block names no file"));
        }
      } else if (line.startsWith("rm ")) {
        String path = line.substring(3).strip();
        if (check(path, problems)) {
          commands.add(new Command.Remove(RepoPath.of(path)));
        }
      } else if (line.startsWith("mv ")) {
        String[] args = line.substring(3).strip().split(" ");
        if (check(args[0], problems) && check(args[1], problems)) {
          commands.add(new Command.Move(RepoPath.of(args[0]), RepoPath.of(args[1])));
        }
      } else if (!line.isBlank()) {
        prose.add(line);
      }
    }
    for (Attachment a : attachments) {
      String path = a.title() != null && a.title().contains("/") ? a.title() : a.name();
      if (check(path, problems)) {
        files.add(
            new FileBlock(RepoPath.of(path), new String(a.content(), StandardCharsets.UTF_8)));
      }
    }
    boolean refused = problems.stream().anyMatch(p -> !p.rule().equals("no-path"));
    return refused
        ? new ParsedMessage(List.of(), List.of(), String.join("\n", prose), problems)
        : new ParsedMessage(files, commands, String.join("\n", prose), problems);
  }

  private static boolean check(String path, List<Problem> problems) {
    for (String segment : path.split("/", -1)) {
      if (segment.equals("..") || segment.equals(".") || segment.isEmpty()) {
        problems.add(new Problem(path, "dot-segment", "path `" + path + "` has a bad segment"));
        return false;
      }
    }
    return true;
  }
}
