package dev.threadbare.gitimport.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.threadbare.core.grammar.Attachment;
import dev.threadbare.core.grammar.ChatGrammar;
import dev.threadbare.core.grammar.Command;
import dev.threadbare.core.grammar.FileBlock;
import dev.threadbare.core.grammar.ParsedMessage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The files of a channel's {@code main} as the chat shows them: its top-level messages read from
 * {@code conversations.history}, oldest first, through the real grammar (shared files downloaded),
 * newest definition winning; plus the commits an earlier {@code --history} import marked as posted.
 * Built once per import; not thread safe.
 */
public final class ChannelState {

  /** The line that marks a message as the import of one commit. */
  public static final String MARKER = "Imported-Commit: ";

  private static final Pattern MARKER_LINE = Pattern.compile("Imported-Commit: ([0-9a-f]{40})");

  private final Map<String, String> files = new HashMap<>();
  private final Set<String> importedCommits = new HashSet<>();
  private int messages;

  private ChannelState() {}

  /** Reads the channel's history. */
  public static ChannelState read(
      ChatClient chat, String channel, ChatGrammar grammar, long maxDownloadBytes) {
    List<JsonNode> newestFirst = new ArrayList<>();
    String cursor = "";
    do {
      Map<String, String> params = new HashMap<>(Map.of("channel", channel, "limit", "200"));
      if (!cursor.isEmpty()) {
        params.put("cursor", cursor);
      }
      JsonNode page = chat.call("conversations.history", params);
      page.path("messages").forEach(newestFirst::add);
      cursor = page.path("response_metadata").path("next_cursor").asText("");
    } while (!cursor.isEmpty());
    ChannelState state = new ChannelState();
    for (JsonNode message : newestFirst.reversed()) {
      state.apply(chat, grammar, message, maxDownloadBytes);
    }
    return state;
  }

  private void apply(ChatClient chat, ChatGrammar grammar, JsonNode message, long maxBytes) {
    String threadTs = message.path("thread_ts").asText("");
    if (!threadTs.isEmpty() && !threadTs.equals(message.path("ts").asText(""))) {
      return; // a reply also sent to the channel is a commit of its thread only
    }
    messages++;
    List<Attachment> attachments = new ArrayList<>();
    for (JsonNode file : message.path("files")) {
      String url = file.path("url_private_download").asText(file.path("url_private").asText(""));
      if (url.isEmpty() || file.path("size").asLong(0) > maxBytes) {
        continue;
      }
      String name = file.path("name").asText("");
      attachments.add(
          new Attachment(
              file.path("id").asText(""),
              name,
              file.path("title").asText(""),
              file.path("mimetype").asText(""),
              chat.download(url, name)));
    }
    ParsedMessage parsed;
    try {
      parsed = grammar.parse(message, attachments);
    } catch (RuntimeException e) {
      return; // the chat would not take it either
    }
    if (parsed.refused()) {
      return;
    }
    for (FileBlock file : parsed.files()) {
      files.put(file.path().value(), file.content());
    }
    for (Command command : parsed.commands()) {
      if (command instanceof Command.Remove remove) {
        files.remove(remove.path().value());
      } else if (command instanceof Command.Move move) {
        String content = files.remove(move.from().value());
        if (content != null) {
          files.put(move.to().value(), content);
        }
      }
    }
    Matcher marker = MARKER_LINE.matcher(message.path("text").asText(""));
    while (marker.find()) {
      importedCommits.add(marker.group(1));
    }
  }

  /** The channel's files: path to content. Mutable: the import updates it as it posts. */
  public Map<String, String> files() {
    return files;
  }

  /** The commits a previous {@code --history} import posted. */
  public Set<String> importedCommits() {
    return importedCommits;
  }

  /** How many top-level messages were read. */
  public int messages() {
    return messages;
  }
}
