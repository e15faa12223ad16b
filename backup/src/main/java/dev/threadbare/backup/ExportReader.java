package dev.threadbare.backup;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.threadbare.core.ThreadbareException;
import dev.threadbare.core.chat.SlackEvents;
import dev.threadbare.core.chat.SlackTs;
import dev.threadbare.core.journal.EntryKind;
import dev.threadbare.core.journal.JournalEntry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads an export zip back into journal entries: a threadbare backup exactly (every fact in its
 * original order), or an export a Slack admin downloaded (users, channels, each message's current
 * version, its reactions, the snippet contents it carries in full). Not thread safe: one instance
 * per zip.
 */
final class ExportReader {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern DAY_FILE = Pattern.compile("([^/]+)/(\\d{4}-\\d{2}-\\d{2})\\.json");

  private final Path file;
  private final ZipFile zip;

  private ExportReader(Path file, ZipFile zip) {
    this.file = file;
    this.zip = zip;
  }

  /**
   * Opens {@code file}: our backups are streamed, their facts sorted into journal order in {@code
   * scratch} (created owner-only, deleted on close) and checked whole before this returns; a Slack
   * export is read into memory.
   */
  static OpenedExport open(Path file, String team, Path scratch, long budget) {
    ZipFile zip = openZip(file);
    try {
      ExportReader reader = new ExportReader(file, zip);
      if (zip.getEntry(ExportWriter.MANIFEST) != null) {
        return reader.ours(scratch, budget);
      }
      Restoration slack = reader.slack(team);
      zip.close();
      return new OpenedExport(
          false,
          slack.entries().size(),
          slack.notRestorable(),
          Map.of(),
          sink -> slack.entries().forEach(sink),
          () -> {});
    } catch (IOException e) {
      closeQuietly(zip);
      throw new BadExportException("cannot read " + file + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(zip);
      throw e;
    }
  }

  private static void closeQuietly(ZipFile zip) {
    try {
      zip.close();
    } catch (IOException e) {
      // Already failing: the first error is the one to report.
    }
  }

  private static ZipFile openZip(Path file) {
    ZipFile zip;
    try {
      zip = new ZipFile(file.toFile(), StandardCharsets.UTF_8);
    } catch (ZipException e) {
      throw new BadExportException(
          file + " is not a zip file (" + e.getMessage() + "): pass a Slack export zip");
    } catch (IOException e) {
      throw new BadExportException("cannot read " + file + ": " + e.getMessage(), e);
    }
    return zip;
  }

  // ---- our backups ----

  private OpenedExport ours(Path scratch, long budget) throws IOException {
    JsonNode manifest = json(ExportWriter.MANIFEST);
    if (!ExportWriter.FORMAT.equals(manifest.path("format").asText())
        || manifest.path("format_version").asInt() > ExportWriter.FORMAT_VERSION) {
      throw new BadExportException(
          file
              + ": "
              + ExportWriter.MANIFEST
              + " names format "
              + manifest.path("format")
              + " version "
              + manifest.path("format_version")
              + ": this threadbare reads "
              + ExportWriter.FORMAT
              + " up to version "
              + ExportWriter.FORMAT_VERSION
              + "; restore with a newer threadbare");
    }
    SpilledFacts facts = new SpilledFacts(scratch, SpilledFacts.BY_SEQ, budget);
    try {
      Map<String, byte[]> secrets = new LinkedHashMap<>();
      for (ZipEntry entry : Collections.list(zip.entries())) {
        String name = entry.getName();
        if (name.startsWith(ExportWriter.SECRETS) && !entry.isDirectory()) {
          secrets.put(name.substring(ExportWriter.SECRETS.length()), bytes(entry));
        } else if (name.equals("channels.json")
            || name.equals("users.json")
            || DAY_FILE.matcher(name).matches()) {
          forEachElement(
              name,
              element -> {
                for (JsonNode fact : element.path(ExportWriter.FACTS)) {
                  facts.add(
                      new SpilledFacts.Fact("", "0", fact.path("seq").asLong(0), fact.toString()));
                }
              });
        }
      }
      long expected = manifest.path("entries").asLong(-1);
      // The whole backup is checked before anything is handed out: a damaged one appends nothing.
      long[] seen = {0};
      facts.forEachSorted(
          fact -> {
            long seq = ++seen[0];
            if (fact.seq() != seq) {
              throw new BadExportException(
                  file
                      + " is incomplete: journal entry seq "
                      + seq
                      + " is missing (found seq "
                      + fact.seq()
                      + " next); the backup was damaged or edited");
            }
            entry(fact, false);
          });
      if (seen[0] != expected) {
        throw new BadExportException(
            file
                + " is incomplete: "
                + ExportWriter.MANIFEST
                + " announces "
                + expected
                + " journal entries, the zip holds "
                + seen[0]);
      }
      return new OpenedExport(
          true,
          seen[0],
          List.of(),
          secrets,
          sink -> facts.forEachSorted(fact -> sink.accept(entry(fact, true))),
          () -> {
            try {
              facts.close();
            } finally {
              zip.close();
            }
          });
    } catch (IOException | RuntimeException e) {
      facts.close();
      throw e;
    }
  }

  /** Hands each element of the JSON array {@code name} to {@code sink}, one at a time. */
  private void forEachElement(String name, IoConsumer<JsonNode> sink) throws IOException {
    try (InputStream in = zip.getInputStream(zip.getEntry(name));
        JsonParser parser = JSON.createParser(in)) {
      if (parser.nextToken() != JsonToken.START_ARRAY) {
        throw new BadExportException(
            file + ": " + name + " is not a JSON array: Slack exports hold an array per file");
      }
      while (parser.nextToken() != JsonToken.END_ARRAY) {
        if (parser.currentToken() == null) {
          throw new BadExportException(file + ": " + name + " ends before its array does");
        }
        sink.accept(JSON.readTree(parser));
      }
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new BadExportException(
          file + ": " + name + " is not JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** A consumer that may fail with an {@link IOException}. */
  private interface IoConsumer<T> {
    void accept(T value) throws IOException;
  }

  /** A spilled fact as its journal entry; a file's bytes are read from the zip only if asked. */
  private JournalEntry entry(SpilledFacts.Fact spilled, boolean withContent) {
    try {
      JsonNode fact = JSON.readTree(spilled.json());
      return entry("journal entry seq " + spilled.seq(), fact, withContent);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private JournalEntry entry(String where, JsonNode fact, boolean withContent) throws IOException {
    long seq = fact.path("seq").asLong(0);
    String kindName = fact.path("kind").asText();
    EntryKind kind;
    try {
      kind = EntryKind.valueOf(kindName);
    } catch (IllegalArgumentException e) {
      throw new BadExportException(
          file
              + ": "
              + where
              + ": journal entry seq "
              + seq
              + " has the kind `"
              + kindName
              + "`, which this threadbare does not know: restore with the threadbare that wrote"
              + " the backup, or a newer one");
    }
    String payload = fact.path("payload").asText();
    if (kind == EntryKind.FILE_CONTENT) {
      String path = fact.path("content_path").asText();
      ZipEntry content = zip.getEntry(path);
      if (content == null) {
        throw new BadExportException(
            file + ": " + where + ": file content " + path + " of seq " + seq + " is missing");
      }
      if (withContent) {
        ObjectNode object = (ObjectNode) JSON.readTree(payload);
        object.put("content_base64", Base64.getEncoder().encodeToString(bytes(content)));
        payload = object.toString();
      }
    }
    try {
      return new JournalEntry(
          seq,
          fact.path("team").asText(),
          fact.path("channel").asText(),
          fact.path("ts").asText(),
          kind,
          fact.path("version").asText(),
          fact.hasNonNull("thread_ts") ? fact.get("thread_ts").asText() : null,
          fact.hasNonNull("user") ? fact.get("user").asText() : null,
          Instant.parse(fact.path("event_time").asText()),
          payload);
    } catch (DateTimeException | NullPointerException e) {
      throw new BadExportException(
          file + ": " + where + ": journal entry seq " + seq + " is malformed: " + e, e);
    }
  }

  // ---- Slack's exports ----

  /** One channel of a Slack export: its folder, id, and whether it is private. */
  private record Folder(String folder, String id, boolean isPrivate) {}

  /** One message entry with what follows it (reactions, file contents). */
  private record Message(String ts, String channel, List<JournalEntry> entries) {}

  private Restoration slack(String teamGiven) throws IOException {
    if (zip.getEntry("channels.json") == null && zip.getEntry("groups.json") == null) {
      throw new BadExportException(
          file
              + " holds neither "
              + ExportWriter.MANIFEST
              + " nor channels.json: it is not a Slack export (Slack's workspace export, or a"
              + " threadbare backup)");
    }
    JsonNode users =
        zip.getEntry("users.json") == null ? JSON.createArrayNode() : array("users.json");
    String team = teamGiven;
    if (team == null) {
      for (JsonNode user : users) {
        if (!user.path("team_id").asText("").isEmpty()) {
          team = user.path("team_id").asText();
          break;
        }
      }
    }
    if (team == null) {
      throw new BadExportException(
          file + ": no user in users.json names its team_id: pass the workspace id (--team T…)");
    }
    List<JournalEntry> entries = new ArrayList<>();
    for (JsonNode user : users) {
      String id = user.path("id").asText("");
      if (id.isEmpty()) {
        continue;
      }
      entries.add(
          new JournalEntry(
              0,
              user.path("team_id").asText(team),
              "",
              "0",
              EntryKind.USER,
              id,
              null,
              id,
              Instant.ofEpochSecond(Math.max(0, user.path("updated").asLong(0))),
              user.toString()));
    }
    Map<String, Folder> folders = new HashMap<>();
    for (String list : List.of("channels.json", "groups.json", "mpims.json", "dms.json")) {
      if (zip.getEntry(list) == null) {
        continue;
      }
      boolean isPrivate = !list.equals("channels.json");
      for (JsonNode channel : array(list)) {
        String id = channel.path("id").asText("");
        if (id.isEmpty()) {
          continue;
        }
        String name = channel.path("name").asText("");
        String folder = name.isEmpty() ? id : name;
        folders.put(folder, new Folder(folder, id, isPrivate));
        entries.add(
            SlackEvents.channelEntry(
                team,
                id,
                name.isEmpty() ? null : name,
                isPrivate,
                Instant.ofEpochSecond(Math.max(0, channel.path("created").asLong(0)))));
      }
    }
    List<Message> messages = new ArrayList<>();
    List<NotRestorable> notRestorable = new ArrayList<>();
    for (ZipEntry entry : Collections.list(zip.entries())) {
      var day = DAY_FILE.matcher(entry.getName());
      if (!day.matches() || !folders.containsKey(day.group(1))) {
        continue;
      }
      Folder folder = folders.get(day.group(1));
      int index = 0;
      for (JsonNode message : array(entry.getName())) {
        String where = entry.getName() + " message #" + index++;
        JournalEntry journaled;
        try {
          journaled = SlackEvents.fromExportMessage(team, folder.id(), message);
        } catch (ThreadbareException e) {
          throw new BadExportException(file + ": " + where + ": " + e.getMessage(), e);
        }
        List<JournalEntry> group = new ArrayList<>();
        group.add(journaled);
        reactions(journaled, message, group);
        files(folder, journaled, message, group, notRestorable);
        messages.add(new Message(journaled.ts(), folder.id(), group));
      }
    }
    messages.sort(
        Comparator.comparing(Message::ts, ExportWriter.BY_TS).thenComparing(Message::channel));
    for (Message message : messages) {
      entries.addAll(message.entries());
    }
    notRestorable.sort(
        Comparator.comparing(NotRestorable::channelName)
            .thenComparing(NotRestorable::ts, ExportWriter.BY_TS));
    return new Restoration(false, entries, notRestorable, Map.of());
  }

  /** Slack's {@code reactions: [{name, users, count}]} as one REACTION_ADDED per user. */
  private static void reactions(JournalEntry message, JsonNode json, List<JournalEntry> out) {
    for (JsonNode reaction : json.path("reactions")) {
      String name = reaction.path("name").asText("");
      if (name.isEmpty()) {
        continue;
      }
      for (JsonNode user : reaction.path("users")) {
        ObjectNode event = JSON.createObjectNode();
        event.put("type", "reaction_added");
        event.put("user", user.asText());
        event.put("reaction", name);
        ObjectNode item = event.putObject("item");
        item.put("type", "message");
        item.put("channel", message.channel());
        item.put("ts", message.ts());
        // The export does not say when: the message's own ts stands in (identity stays stable).
        event.put("event_ts", message.ts());
        out.add(
            new JournalEntry(
                0,
                message.team(),
                message.channel(),
                message.ts(),
                EntryKind.REACTION_ADDED,
                user.asText() + ":" + name + ":" + message.ts(),
                null,
                user.asText(),
                SlackTs.instant(message.ts()),
                event.toString()));
      }
    }
  }

  /**
   * The files a message shares ({@code files}, or the single {@code file} of an old {@code
   * file_share}): a snippet whose {@code preview} is its whole content becomes a FILE_CONTENT
   * entry; any other file is listed as not restorable, never written truncated.
   */
  private static void files(
      Folder folder,
      JournalEntry message,
      JsonNode json,
      List<JournalEntry> out,
      List<NotRestorable> notRestorable) {
    List<JsonNode> files = new ArrayList<>();
    json.path("files").forEach(files::add);
    if (files.isEmpty() && "file_share".equals(json.path("subtype").asText())) {
      if (json.path("file").isObject()) {
        files.add(json.path("file"));
      }
    }
    for (JsonNode file : files) {
      String id = file.path("id").asText("");
      String name = file.path("name").asText("");
      String title = file.path("title").asText("");
      String path = title.indexOf('/') >= 0 ? title : !name.isEmpty() ? name : title;
      if (path.isEmpty()) {
        path = id;
      }
      String content = completeContent(file);
      if (content == null) {
        notRestorable.add(
            new NotRestorable(folder.id(), folder.folder(), message.ts(), path, missing(file)));
        continue;
      }
      ObjectNode payload = JSON.createObjectNode();
      payload.put("id", id);
      payload.put("name", name);
      payload.put("title", title);
      payload.put("mimetype", file.path("mimetype").asText(""));
      payload.put(
          "content_base64",
          Base64.getEncoder().encodeToString(content.getBytes(StandardCharsets.UTF_8)));
      out.add(
          new JournalEntry(
              0,
              message.team(),
              message.channel(),
              message.ts(),
              EntryKind.FILE_CONTENT,
              id,
              message.threadTs(),
              message.user(),
              message.eventTime(),
              payload.toString()));
    }
  }

  /** The snippet's whole content when the export carries it, else null. */
  private static String completeContent(JsonNode file) {
    if (!"snippet".equals(file.path("mode").asText()) || !file.path("preview").isTextual()) {
      return null;
    }
    if (file.path("preview_is_truncated").asBoolean(false)) {
      return null;
    }
    String preview = file.path("preview").asText();
    long size = file.path("size").asLong(-1);
    return size == preview.getBytes(StandardCharsets.UTF_8).length ? preview : null;
  }

  private static String missing(JsonNode file) {
    if ("snippet".equals(file.path("mode").asText()) && file.path("preview").isTextual()) {
      return "the export carries only a truncated preview ("
          + file.path("preview").asText().getBytes(StandardCharsets.UTF_8).length
          + " of "
          + file.path("size").asLong()
          + " bytes)";
    }
    return "the export does not carry its content (downloading it from Slack needs a token)";
  }

  // ---- zip access ----

  private JsonNode json(String name) throws IOException {
    ZipEntry entry = zip.getEntry(name);
    if (entry == null) {
      throw new BadExportException(file + " has no " + name);
    }
    try (InputStream in = zip.getInputStream(entry)) {
      return JSON.readTree(in);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new BadExportException(
          file + ": " + name + " is not JSON: " + e.getOriginalMessage(), e);
    }
  }

  private JsonNode array(String name) throws IOException {
    JsonNode node = json(name);
    if (!node.isArray()) {
      throw new BadExportException(
          file + ": " + name + " is not a JSON array: Slack exports hold an array per file");
    }
    return node;
  }

  private byte[] bytes(ZipEntry entry) throws IOException {
    try (InputStream in = zip.getInputStream(entry)) {
      return in.readAllBytes();
    }
  }
}
