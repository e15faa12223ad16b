package dev.threadbare.gitimport.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.threadbare.core.grammar.BadPathException;
import dev.threadbare.core.grammar.ChatGrammar;
import dev.threadbare.core.grammar.Content;
import dev.threadbare.core.grammar.RepoPath;
import dev.threadbare.gitimport.ChatCallFailedException;
import dev.threadbare.gitimport.ImportOptions;
import dev.threadbare.gitimport.ImportReport;
import dev.threadbare.gitimport.SkippedFile;
import dev.threadbare.gitimport.internal.Rendering.FileBlockSpec;
import dev.threadbare.gitimport.internal.Rendering.Outgoing;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.eclipse.jgit.lib.FileMode;

/**
 * One import run: reads the channel, decides for each file of the source whether it goes as a code
 * block, an upload or not at all (checked with the real grammar), packs blocks into messages and
 * posts them at the configured pace. Used once; not thread safe.
 */
public final class Importer {

  /** Files shared with one message, as Slack allows. */
  static final int FILES_PER_SHARE = 10;

  private static final Pattern CHANNEL_ID = Pattern.compile("[CGD][A-Z0-9]{2,}");

  private final ChatClient chat;
  private final ImportOptions options;
  private final Consumer<String> progress;
  private final ChatGrammar grammar;
  private final Rendering rendering;
  private final Map<String, Prepared> prepared = new HashMap<>();
  private final Map<String, SkippedFile> skipped = new LinkedHashMap<>();
  private final Map<String, SkippedFile> altered = new LinkedHashMap<>();
  private final Set<String> modesLost = new LinkedHashSet<>();
  private String channel;

  /** With history: the messages of the current commit awaiting the bot's answer, by ts. */
  private final Set<String> awaitingTs = new LinkedHashSet<>();

  /** With history: the files shared by the current commit, whose message awaits an answer. */
  private final Set<String> awaitingFiles = new LinkedHashSet<>();

  /** The newest ts posted before the current commit (a lower bound for finding its messages). */
  private String lastAnsweredTs;

  private boolean botAnswers = true;
  private int messages;
  private int blocks;
  private int uploads;
  private int unchanged;
  private int commits;
  private int commitsAlreadyThere;
  private int removals;

  /** A source file as it will go to the chat. The bytes are read once and never modified. */
  @SuppressWarnings("ArrayRecordComponent") // handed over from the object reader, not shared
  record Prepared(String path, String content, byte[] bytes, boolean asBlock) {}

  public Importer(ChatClient chat, ImportOptions options, Consumer<String> progress) {
    this.chat = chat;
    this.options = options;
    this.progress = progress;
    this.grammar = ChatGrammar.withMaxLines(options.maxLines());
    this.rendering = new Rendering(grammar);
  }

  /** Imports {@code source} and says what was done. */
  public ImportReport run(SourceRepository source, String label) {
    long started = System.nanoTime();
    channel = resolveChannel(options.channel());
    ChannelState state = ChannelState.read(chat, channel, grammar, options.maxUploadBytes());
    progress.accept(
        "#"
            + options.channel()
            + ": "
            + state.files().size()
            + " files already in the channel ("
            + state.messages()
            + " messages read)");
    String link = options.sourceLink() != null ? options.sourceLink() : source.link();
    if (options.history()) {
      importHistory(source, state, link);
    } else {
      SourceRepository.Commit head = source.head();
      Map<String, Prepared> desired = prepare(head.tree());
      String prose = "Import of " + label + " at " + head.id().substring(0, 12);
      List<Prepared> changed = changed(desired, state.files());
      progress.accept(
          changed.size()
              + " of "
              + desired.size()
              + " files to post, "
              + unchanged
              + " already there");
      if (!changed.isEmpty()) {
        postChange(rendering.safeProse(prose), "", List.of(), changed, state.files());
      }
    }
    return new ImportReport(
        messages,
        blocks,
        uploads,
        unchanged,
        commits,
        commitsAlreadyThere,
        removals,
        List.copyOf(skipped.values()),
        List.copyOf(altered.values()),
        List.copyOf(modesLost),
        chat.rateLimited(),
        Duration.ofNanos(System.nanoTime() - started));
  }

  private void importHistory(SourceRepository source, ChannelState state, String link) {
    List<SourceRepository.Commit> history = source.history();
    Set<String> importedPaths = new LinkedHashSet<>();
    int n = 0;
    for (SourceRepository.Commit commit : history) {
      n++;
      Map<String, Prepared> desired = prepare(commit.tree());
      if (state.importedCommits().contains(commit.id())) {
        commitsAlreadyThere++;
        importedPaths.addAll(desired.keySet());
        continue;
      }
      List<Prepared> changed = changed(desired, state.files());
      List<String> gone = new ArrayList<>();
      for (String path : importedPaths) {
        if (!desired.containsKey(path) && state.files().containsKey(path)) {
          gone.add(path);
        }
      }
      importedPaths.addAll(desired.keySet());
      StringBuilder header = new StringBuilder();
      header
          .append("Original author: ")
          .append(commit.authorName())
          .append(" <")
          .append(commit.authorEmail())
          .append(">, ")
          .append(DateTimeFormatter.ISO_INSTANT.format(commit.when()));
      String body = commit.message().strip();
      String prose = header + (body.isEmpty() ? "" : "\n\n" + rendering.safeProse(body));
      if (link != null) {
        prose += "\n" + link + "/commit/" + commit.id();
      }
      progress.accept(
          "commit "
              + n
              + "/"
              + history.size()
              + " "
              + commit.id().substring(0, 12)
              + ": "
              + changed.size()
              + " files, "
              + gone.size()
              + " removals");
      postChange(prose, "\n" + ChannelState.MARKER + commit.id(), gone, changed, state.files());
      awaitBotAnswers(commit.id());
      commits++;
    }
  }

  /** The reactions with which threadbare's bot answers a message that changes files. */
  private static final Set<String> VERDICTS = Set.of("white_check_mark", "x", "question");

  /**
   * Waits until the bot has answered every message of the commit just posted, so the next commit's
   * messages reach git after this one's, whatever the pace: events may be delivered and journaled
   * out of order, and a file share's content lands after its message. Gives up waiting (for this
   * commit and the rest) when the bot stays silent for {@link ImportOptions#awaitBot()}.
   */
  private void awaitBotAnswers(String commit) {
    if (!botAnswers || options.awaitBot().isZero()) {
      awaitingTs.clear();
      awaitingFiles.clear();
      return;
    }
    long deadline = System.nanoTime() + options.awaitBot().toNanos();
    long pause = 20;
    String newest = lastAnsweredTs;
    while (!awaitingTs.isEmpty() || !awaitingFiles.isEmpty()) {
      Map<String, String> params = new HashMap<>(Map.of("channel", channel, "limit", "200"));
      if (lastAnsweredTs != null) {
        params.put("oldest", lastAnsweredTs);
      }
      for (JsonNode message : chat.call("conversations.history", params).path("messages")) {
        String ts = message.path("ts").asText();
        boolean ours = awaitingTs.contains(ts);
        List<String> shared = new ArrayList<>();
        for (JsonNode file : message.path("files")) {
          if (awaitingFiles.contains(file.path("id").asText())) {
            shared.add(file.path("id").asText());
            ours = true;
          }
        }
        if (!ours) {
          continue;
        }
        for (JsonNode reaction : message.path("reactions")) {
          String name = reaction.path("name").asText();
          if (VERDICTS.contains(name)) {
            if (!name.equals("white_check_mark")) {
              progress.accept(
                  "commit "
                      + commit.substring(0, 12)
                      + ": the bot answered :"
                      + name
                      + ": (see its explanation in the chat)");
            }
            awaitingTs.remove(ts);
            shared.forEach(awaitingFiles::remove);
            if (newest == null || ts.compareTo(newest) > 0) {
              newest = ts;
            }
            break;
          }
        }
      }
      if (awaitingTs.isEmpty() && awaitingFiles.isEmpty()) {
        break;
      }
      if (System.nanoTime() > deadline) {
        botAnswers = false;
        progress.accept(
            "no answer from threadbare's bot on commit "
                + commit.substring(0, 12)
                + " within "
                + options.awaitBot().toSeconds()
                + " s (is it in the channel?): posting the rest without waiting, so the"
                + " channel's history may merge some commits");
        break;
      }
      try {
        Thread.sleep(pause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ChatCallFailedException("the import was interrupted", e);
      }
      pause = Math.min(500, pause * 2);
    }
    awaitingTs.clear();
    awaitingFiles.clear();
    lastAnsweredTs = newest;
  }

  private List<Prepared> changed(Map<String, Prepared> desired, Map<String, String> current) {
    List<Prepared> changed = new ArrayList<>();
    for (Prepared file : desired.values()) {
      if (file.content().equals(current.get(file.path()))) {
        unchanged++;
      } else {
        changed.add(file);
      }
    }
    return changed;
  }

  /**
   * Posts one change: removals and blocks packed into as few messages as fit, then uploads in file
   * shares; {@code lastLine} (the commit marker) goes on the last message only.
   */
  private void postChange(
      String prose,
      String lastLine,
      List<String> gone,
      List<Prepared> changed,
      Map<String, String> current) {
    List<FileBlockSpec> blockFiles = new ArrayList<>();
    List<Prepared> uploadFiles = new ArrayList<>();
    for (Prepared file : changed) {
      if (file.asBlock()) {
        blockFiles.add(new FileBlockSpec(file.path(), file.content()));
      } else {
        uploadFiles.add(file);
      }
    }
    List<Outgoing> outgoing = pack(prose, lastLine, gone, blockFiles, uploadFiles.isEmpty());
    int total = outgoing.size() + (uploadFiles.size() + FILES_PER_SHARE - 1) / FILES_PER_SHARE;
    int sent = 0;
    for (Outgoing message : outgoing) {
      Map<String, String> params = new HashMap<>();
      params.put("channel", channel);
      params.put("text", message.text());
      params.put("blocks", message.blocksJson());
      JsonNode answer = chat.post("chat.postMessage", params);
      if (!message.files().isEmpty() || !message.removals().isEmpty()) {
        awaitingTs.add(answer.path("ts").asText());
      }
      messages++;
      sent++;
      blocks += message.files().size();
      removals += message.removals().size();
      for (FileBlockSpec file : message.files()) {
        current.put(file.path(), file.content());
      }
      message.removals().forEach(current::remove);
      progress.accept(
          "message " + sent + "/" + total + ": " + message.files().size() + " files as blocks");
    }
    for (int from = 0; from < uploadFiles.size(); from += FILES_PER_SHARE) {
      List<Prepared> batch =
          uploadFiles.subList(from, Math.min(uploadFiles.size(), from + FILES_PER_SHARE));
      boolean last = from + FILES_PER_SHARE >= uploadFiles.size();
      share(rendering.render(prose + (last ? lastLine : ""), List.of(), List.of()).text(), batch);
      sent++;
      for (Prepared file : batch) {
        current.put(file.path(), file.content());
      }
      progress.accept("message " + sent + "/" + total + ": " + batch.size() + " files uploaded");
    }
  }

  /** Packs blocks into messages within Slack's limit; each message is checked with the grammar. */
  private List<Outgoing> pack(
      String prose,
      String lastLine,
      List<String> gone,
      List<FileBlockSpec> files,
      boolean carriesLastLine) {
    List<List<FileBlockSpec>> groups = new ArrayList<>();
    List<FileBlockSpec> group = new ArrayList<>();
    int length = Rendering.escape(prose + lastLine).length() + 200;
    for (FileBlockSpec file : files) {
      int size = rendering.render("", List.of(), List.of(file)).text().length() + 16;
      if (!group.isEmpty() && length + size > ChatGrammar.SLACK_MESSAGE_LIMIT) {
        groups.add(group);
        group = new ArrayList<>();
        length = Rendering.escape(prose + lastLine).length() + 200;
      }
      group.add(file);
      length += size;
    }
    if (!group.isEmpty() || !gone.isEmpty() || (carriesLastLine && files.isEmpty())) {
      groups.add(group);
    }
    List<Outgoing> out = new ArrayList<>();
    for (int g = 0; g < groups.size(); g++) {
      boolean last = carriesLastLine && g == groups.size() - 1;
      List<String> rm = g == 0 ? gone : List.of();
      String text = prose + (last ? lastLine : "");
      Outgoing message = rendering.render(text, rm, groups.get(g));
      if (rendering.readsBack(message)) {
        out.add(message);
        continue;
      }
      // Blocks that read back alone may not together: send them one by one.
      List<FileBlockSpec> one = groups.get(g);
      for (int i = 0; i < one.size(); i++) {
        boolean lastOne = last && i == one.size() - 1;
        Outgoing single =
            rendering.render(
                prose + (lastOne ? lastLine : ""), i == 0 ? rm : List.of(), List.of(one.get(i)));
        if (!rendering.readsBack(single)) {
          throw new ChatCallFailedException(
              "`" + one.get(i).path() + "` does not read back in a message of its own", null);
        }
        out.add(single);
      }
    }
    return out;
  }

  private void share(String comment, List<Prepared> batch) {
    ArrayNode files = JsonNodeFactory.instance.arrayNode();
    for (Prepared file : batch) {
      JsonNode answer =
          chat.call(
              "files.getUploadURLExternal",
              Map.of(
                  "filename",
                  Rendering.fileName(file.path()),
                  "length",
                  Integer.toString(file.bytes().length)));
      chat.upload(answer.path("upload_url").asText(), file.bytes(), file.path());
      files.addObject().put("id", answer.path("file_id").asText()).put("title", file.path());
      awaitingFiles.add(answer.path("file_id").asText());
    }
    Map<String, String> params = new HashMap<>();
    params.put("files", files.toString());
    params.put("channel_id", channel);
    if (!comment.isEmpty()) {
      params.put("initial_comment", comment);
    }
    chat.post("files.completeUploadExternal", params);
    messages++;
    uploads += batch.size();
  }

  /** Each source file as it will go, or a reason it cannot; cached by path and blob. */
  private Map<String, Prepared> prepare(List<SourceRepository.Entry> tree) {
    Map<String, Prepared> desired = new TreeMap<>();
    for (SourceRepository.Entry entry : tree) {
      String key = entry.path() + "\0" + entry.id().name() + "\0" + entry.mode().getBits();
      Prepared file = prepared.computeIfAbsent(key, k -> prepareOne(entry));
      if (file != null) {
        desired.put(file.path(), file);
      }
    }
    return desired;
  }

  private Prepared prepareOne(SourceRepository.Entry entry) {
    String path = entry.path();
    FileMode mode = entry.mode();
    if (mode == FileMode.GITLINK) {
      return skip(path, "a submodule: the chat holds files only; import its repository on its own");
    }
    if (mode == FileMode.SYMLINK) {
      return skip(
          path,
          "a symbolic link (to `"
              + new String(entry.bytes(), StandardCharsets.UTF_8)
              + "`): the chat cannot carry links");
    }
    try {
      RepoPath read = RepoPath.of(path);
      if (!read.value().equals(path)) {
        return skip(path, "the chat reads this path as `" + read.value() + "` (NFC)");
      }
    } catch (BadPathException e) {
      return skip(path, e.getMessage());
    }
    byte[] bytes = entry.bytes();
    String text = Content.utf8(bytes);
    if (text == null || text.indexOf('\0') >= 0) {
      return skip(path, "binary: only UTF-8 text without NUL becomes a file in the chat");
    }
    if (mode == FileMode.EXECUTABLE_FILE) {
      modesLost.add(path);
    }
    String asUpload = rendering.readsBackAsUpload(path, bytes);
    String content = asUpload != null ? asUpload : Content.normalize(text);
    if (!content.equals(text)) {
      altered.put(
          path,
          new SkippedFile(
              path,
              "the chat keeps text with LF line ends and exactly one trailing newline (empty files"
                  + " stay empty); this file differs, so it arrives normalised"));
    }
    Outgoing alone = rendering.render("", List.of(), List.of(new FileBlockSpec(path, content)));
    if (rendering.readsBack(alone)) {
      return new Prepared(path, content, bytes, true);
    }
    if (asUpload == null) {
      altered.remove(path);
      return skip(
          path,
          "cannot go as a code block and the chat refuses it as an upload ("
              + Rendering.mimetype(Rendering.fileName(path))
              + ")");
    }
    if (bytes.length > options.maxUploadBytes()) {
      altered.remove(path);
      return skip(
          path,
          bytes.length
              + " bytes: over the "
              + options.maxUploadBytes()
              + "-byte upload limit (the bot downloads at most 1 MiB by default)");
    }
    return new Prepared(path, content, bytes, false);
  }

  private Prepared skip(String path, String reason) {
    skipped.put(path, new SkippedFile(path, reason));
    return null;
  }

  private String resolveChannel(String nameOrId) {
    String name = nameOrId.startsWith("#") ? nameOrId.substring(1) : nameOrId;
    String id = null;
    if (CHANNEL_ID.matcher(name).matches()) {
      id = name;
    } else {
      String cursor = "";
      do {
        Map<String, String> params =
            new HashMap<>(Map.of("types", "public_channel,private_channel", "limit", "200"));
        if (!cursor.isEmpty()) {
          params.put("cursor", cursor);
        }
        JsonNode page = chat.call("conversations.list", params);
        for (JsonNode c : page.path("channels")) {
          if (name.equals(c.path("name").asText())) {
            id = c.path("id").asText();
          }
        }
        cursor = page.path("response_metadata").path("next_cursor").asText("");
      } while (id == null && !cursor.isEmpty());
      if (id == null) {
        throw new ChatCallFailedException(
            "no channel named `" + nameOrId + "` visible to the token's user: create it first",
            null);
      }
    }
    try {
      chat.call("conversations.join", Map.of("channel", id));
    } catch (ChatCallFailedException e) {
      // Private channels cannot be joined; posting then tells whether the user is a member.
    }
    return id;
  }
}
