package dev.threadbare.backup;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.threadbare.core.chat.SlackTs;
import dev.threadbare.core.journal.EntryKind;
import dev.threadbare.core.journal.Journal;
import dev.threadbare.core.journal.JournalEntry;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a consistent cut of the journal as a Slack export zip (see {@link Backups} for the
 * layout). Not thread safe: one instance per backup.
 */
final class ExportWriter {

  /** The kinds this writer knows where to put. A new kind must be added here (and placed). */
  static final Set<EntryKind> KNOWN =
      EnumSet.of(
          EntryKind.MESSAGE,
          EntryKind.DELETION,
          EntryKind.REACTION_ADDED,
          EntryKind.REACTION_REMOVED,
          EntryKind.USER,
          EntryKind.CHANNEL,
          EntryKind.FILE_CONTENT,
          EntryKind.SELF);

  static final String MANIFEST = "threadbare.json";
  static final String UPLOADS = "__uploads/";
  static final String SECRETS = "threadbare/secrets/";
  static final String FACTS = "threadbare";
  static final String FORMAT = "threadbare-slack-export";
  static final int FORMAT_VERSION = 1;

  private static final ObjectMapper JSON =
      new ObjectMapper().configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
  private static final ObjectWriter PRETTY = JSON.writerWithDefaultPrettyPrinter();
  private static final int PAGE = 1000;

  /** Slack's file-access tokens in links ({@code ?t=xoxe-…}): secrets, redacted by default. */
  private static final Pattern LINK_TOKEN = Pattern.compile("([?&]t=)xox[a-z]-[A-Za-z0-9-]+");

  static final Comparator<String> BY_TS = Comparator.comparing(BigDecimal::new);

  private final Set<EntryKind> known;
  private final BackupOptions options;

  private final Map<String, List<ObjectNode>> users = new LinkedHashMap<>();
  private final Map<String, Channel> channels = new LinkedHashMap<>();
  private final Set<String> uploadPaths = new HashSet<>();
  private long entries;

  private final long budget;
  private SpilledFacts spilled;

  /**
   * What the backup keeps in memory about one channel: its CHANNEL facts, its name and its oldest
   * message's ts. Its messages' facts are spilled (see {@link SpilledFacts}).
   */
  private static final class Channel {
    final List<ObjectNode> facts = new ArrayList<>();
    String name;
    boolean isPrivate;
    Instant created;
    String firstTs;
  }

  ExportWriter(Set<EntryKind> known, BackupOptions options) {
    this(known, options, SpilledFacts.DEFAULT_BUDGET);
  }

  /**
   * @param budget the characters of message facts held in memory before they are spilled to disk
   */
  ExportWriter(Set<EntryKind> known, BackupOptions options, long budget) {
    this.known = EnumSet.copyOf(known);
    this.options = options;
    this.budget = budget;
  }

  /** How many sorted runs the last {@link #write} spilled (tests: the merge was exercised). */
  int spilledRuns() {
    return spilled == null ? 0 : spilled.runs();
  }

  BackupSummary write(Journal journal, Path out) {
    long started = System.nanoTime();
    // The journal is append-only and seqs are assigned under its write lock in commit order
    // (SqlJournal, PostgresEngine): every entry up to the last seq seen now is stored and will
    // never change, so the prefix up to it is a consistent cut, read while writers go on.
    long cut = journal.lastSeq();
    Path partial = out.resolveSibling(out.getFileName() + ".part");
    Path scratch = out.resolveSibling(out.getFileName() + ".part.d");
    long messages;
    try {
      Files.deleteIfExists(partial);
      deleteScratch(scratch);
      createOwnerOnly(partial);
      spilled = new SpilledFacts(scratch, SpilledFacts.BY_CHANNEL_TS_SEQ, budget);
      try (OutputStream file = Files.newOutputStream(partial);
          ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(file, 1 << 16))) {
        long position = 0;
        while (position < cut) {
          List<JournalEntry> page = journal.read(position, PAGE);
          if (page.isEmpty()) {
            break;
          }
          for (JournalEntry entry : page) {
            if (entry.seq() > cut) {
              break;
            }
            add(entry, zip);
            position = entry.seq();
          }
          if (page.get(page.size() - 1).seq() > cut) {
            break;
          }
        }
        if (entries != cut) {
          throw new BackupException(
              "the journal "
                  + journal
                  + " holds "
                  + entries
                  + " entries up to seq "
                  + cut
                  + ": expected one per seq; the backup would not restore it exactly");
        }
        messages = writeViews(zip);
        writeSecrets(zip);
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("format", FORMAT);
        manifest.put("format_version", FORMAT_VERSION);
        manifest.put("created", Instant.now().toString());
        manifest.put("journal_last_seq", cut);
        manifest.put("entries", entries);
        manifest.put("messages", messages);
        manifest.put("channels", channels.size());
        manifest.put("with_secrets", options.withSecrets());
        manifest.put(
            "layout",
            "Slack's export layout (channels.json, users.json, <channel>/<YYYY-MM-DD>.json, days in"
                + " UTC). Each element's `threadbare` array holds the journal entries about it"
                + " (seq, kind, version, event_time, verbatim payload): restore appends them in seq"
                + " order. File contents (FILE_CONTENT entries) are under __uploads/<file id>/<name>,"
                + " named by each entry's content_path. Secrets (threadbare/secrets/) only when"
                + " taken with --with-secrets; otherwise Slack's ?t=xox… link tokens are"
                + " redacted.");
        put(zip, MANIFEST, PRETTY.writeValueAsBytes(manifest));
        zip.finish();
      }
      move(partial, out);
      return new BackupSummary(
          out,
          cut,
          entries,
          messages,
          channels.size(),
          Files.size(out),
          Duration.ofNanos(System.nanoTime() - started),
          options.withSecrets());
    } catch (IOException e) {
      throw new BackupException("cannot write the backup " + out + ": " + e.getMessage(), e);
    } catch (UncheckedIOException e) {
      throw new BackupException(
          "cannot write the backup " + out + ": " + e.getCause().getMessage(), e.getCause());
    } finally {
      if (spilled != null) {
        spilled.close();
      }
      try {
        Files.deleteIfExists(partial);
      } catch (IOException e) {
        // The partial file is left behind; the next backup deletes it first.
      }
    }
  }

  /** A scratch folder a killed backup left behind. */
  private static void deleteScratch(Path scratch) throws IOException {
    if (!Files.isDirectory(scratch)) {
      return;
    }
    try (Stream<Path> files = Files.list(scratch)) {
      for (Path file : files.toList()) {
        Files.deleteIfExists(file);
      }
    }
    Files.deleteIfExists(scratch);
  }

  private void add(JournalEntry entry, ZipOutputStream zip) throws IOException {
    if (!known.contains(entry.kind())) {
      throw new UnknownEntryKindException(entry.kind(), entry.seq());
    }
    entries++;
    ObjectNode fact = fact(entry);
    switch (entry.kind()) {
      case USER, SELF ->
          users
              .computeIfAbsent(entry.team() + "/" + entry.version(), k -> new ArrayList<>())
              .add(fact);
      case CHANNEL -> {
        Channel channel = channel(entry.channel());
        channel.facts.add(fact);
        JsonNode payload = parse(entry);
        String name = payload.path("name").asText("");
        if (!name.isEmpty()) {
          channel.name = name;
        }
        channel.isPrivate = payload.path("is_private").asBoolean(channel.isPrivate);
        if (channel.created == null) {
          channel.created = entry.eventTime();
        }
      }
      case FILE_CONTENT -> {
        ObjectNode payload = (ObjectNode) parse(entry);
        byte[] content = Base64.getDecoder().decode(payload.path("content_base64").asText(""));
        String path = uploadPath(payload.path("id").asText(""), payload.path("name").asText(""));
        put(zip, path, content);
        payload.put("content_base64", "");
        fact.put("payload", payload.toString());
        fact.put("content_path", path);
        spill(entry, fact);
      }
      case MESSAGE, DELETION, REACTION_ADDED, REACTION_REMOVED -> {
        if (!options.withSecrets()) {
          fact.put("payload", LINK_TOKEN.matcher(entry.payload()).replaceAll("$1REDACTED"));
        }
        spill(entry, fact);
      }
    }
  }

  /** A fact about a message: sorted on disk by channel, ts and seq for {@link #writeViews}. */
  private void spill(JournalEntry entry, ObjectNode fact) throws IOException {
    Channel channel = channel(entry.channel());
    if (channel.firstTs == null || BY_TS.compare(entry.ts(), channel.firstTs) < 0) {
      channel.firstTs = entry.ts();
    }
    spilled.add(
        new SpilledFacts.Fact(
            entry.channel(), entry.ts(), entry.seq(), JSON.writeValueAsString(fact)));
  }

  private Channel channel(String id) {
    return channels.computeIfAbsent(id, k -> new Channel());
  }

  private static ObjectNode fact(JournalEntry entry) {
    ObjectNode fact = JSON.createObjectNode();
    fact.put("seq", entry.seq());
    fact.put("team", entry.team());
    fact.put("channel", entry.channel());
    fact.put("ts", entry.ts());
    fact.put("kind", entry.kind().name());
    fact.put("version", entry.version());
    if (entry.threadTs() != null) {
      fact.put("thread_ts", entry.threadTs());
    }
    if (entry.user() != null) {
      fact.put("user", entry.user());
    }
    fact.put("event_time", entry.eventTime().toString());
    fact.put("payload", entry.payload());
    return fact;
  }

  private String uploadPath(String fileId, String name) {
    String safeId = safe(fileId.isEmpty() ? "file" : fileId);
    String safeName = safe(name.isEmpty() ? "content" : name);
    String path = UPLOADS + safeId + "/" + safeName;
    for (int n = 2; !uploadPaths.add(path); n++) {
      path = UPLOADS + safeId + "-" + n + "/" + safeName;
    }
    return path;
  }

  private static String safe(String name) {
    String cleaned = name.replaceAll("[^A-Za-z0-9._-]", "_");
    return cleaned.startsWith(".") ? "_" + cleaned.substring(1) : cleaned;
  }

  /**
   * The day files, streamed from the spilled facts one message at a time, then channels.json and
   * users.json; returns the number of messages.
   */
  private long writeViews(ZipOutputStream zip) throws IOException {
    Map<String, String> folders = folders();
    DayFiles days = new DayFiles(zip, folders);
    spilled.forEachSorted(days::accept);
    days.finish();
    ArrayNode channelList = JSON.createArrayNode();
    for (Map.Entry<String, Channel> e : channels.entrySet()) {
      String id = e.getKey();
      Channel channel = e.getValue();
      ObjectNode element = JSON.createObjectNode();
      if (!channel.facts.isEmpty()) {
        JsonNode latest = readJson(channel.facts.get(channel.facts.size() - 1));
        if (latest.isObject()) {
          element.setAll((ObjectNode) latest);
        }
      }
      element.put("id", id);
      element.put("name", folders.get(id));
      element.put("is_private", channel.isPrivate);
      Instant created = channel.created;
      if (created == null && channel.firstTs != null) {
        created = SlackTs.instant(channel.firstTs);
      }
      element.put("created", created == null ? 0 : created.getEpochSecond());
      element.set(FACTS, JSON.createArrayNode().addAll(channel.facts));
      channelList.add(element);
    }
    put(zip, "channels.json", PRETTY.writeValueAsBytes(channelList));
    ArrayNode userList = JSON.createArrayNode();
    for (List<ObjectNode> facts : users.values()) {
      ObjectNode element = JSON.createObjectNode();
      // The user as Slack shows it is the latest profile; a SELF fact (threadbare's own bot) only
      // rides along, to be restored.
      ObjectNode profile = null;
      for (ObjectNode fact : facts) {
        if (EntryKind.USER.name().equals(fact.path("kind").asText())) {
          profile = fact;
        }
      }
      JsonNode latest = profile == null ? null : readJson(profile);
      if (latest != null && latest.isObject()) {
        element.setAll((ObjectNode) latest);
      } else {
        element.put("id", facts.get(0).path("version").asText());
        element.put("is_bot", true);
      }
      element.set(FACTS, JSON.createArrayNode().addAll(facts));
      userList.add(element);
    }
    put(zip, "users.json", PRETTY.writeValueAsBytes(userList));
    return days.messages;
  }

  /**
   * Writes {@code <folder>/<day>.json} entries from facts sorted by channel, ts and seq: one
   * message's facts at a time become its view, appended to the open day's array.
   */
  private static final class DayFiles {
    final ZipOutputStream zip;
    final Map<String, String> folders;
    final List<ObjectNode> message = new ArrayList<>();
    String channel;
    String ts;
    String dayEntry;
    SequenceWriter day;
    long messages;

    DayFiles(ZipOutputStream zip, Map<String, String> folders) {
      this.zip = zip;
      this.folders = folders;
    }

    void accept(SpilledFacts.Fact fact) {
      try {
        if (!fact.channel().equals(channel) || !fact.ts().equals(ts)) {
          flushMessage();
          channel = fact.channel();
          ts = fact.ts();
        }
        message.add((ObjectNode) JSON.readTree(fact.json()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private void flushMessage() throws IOException {
      if (message.isEmpty()) {
        return;
      }
      ObjectNode view = view(ts, message);
      message.clear();
      if (!"tombstone".equals(view.path("subtype").asText())) {
        messages++;
      }
      LocalDate date = LocalDate.ofInstant(SlackTs.instant(ts), ZoneOffset.UTC);
      String name = folders.get(channel) + "/" + date + ".json";
      if (!name.equals(dayEntry)) {
        closeDay();
        zip.putNextEntry(new ZipEntry(name));
        day = PRETTY.writeValuesAsArray(zip);
        dayEntry = name;
      }
      day.write(view);
    }

    private void closeDay() throws IOException {
      if (day != null) {
        day.close();
        zip.closeEntry();
        day = null;
      }
    }

    void finish() throws IOException {
      flushMessage();
      closeDay();
    }
  }

  /**
   * One message as Slack's export shows it: its current version (the greatest {@code edited.ts}),
   * its reactions as {@code [{name, users, count}]}, a {@code tombstone} once deleted; plus the
   * journal facts about it.
   */
  private static ObjectNode view(String ts, List<ObjectNode> facts) {
    ObjectNode current = null;
    boolean deleted = false;
    Map<String, Set<String>> reactions = new LinkedHashMap<>();
    String threadTs = null;
    for (ObjectNode fact : facts) {
      if (fact.hasNonNull("thread_ts")) {
        threadTs = fact.get("thread_ts").asText();
      }
      String version = fact.path("version").asText();
      String user = fact.path("user").asText("");
      switch (fact.path("kind").asText()) {
        case "MESSAGE" -> {
          if (current == null || newer(version, current.path("version").asText())) {
            current = fact;
          }
        }
        case "DELETION" -> deleted = true;
        case "REACTION_ADDED" ->
            reactions.computeIfAbsent(reactionName(version), k -> new LinkedHashSet<>()).add(user);
        case "REACTION_REMOVED" -> {
          Set<String> who = reactions.get(reactionName(version));
          if (who != null) {
            who.remove(user);
            if (who.isEmpty()) {
              reactions.remove(reactionName(version));
            }
          }
        }
        default -> {
          // FILE_CONTENT: carried by the facts, its bytes under __uploads/.
        }
      }
    }
    ObjectNode view = JSON.createObjectNode();
    if (current != null && !deleted) {
      // The fact's payload: redacted when the backup is taken without secrets.
      JsonNode message = readJson(current);
      if (message != null && message.isObject()) {
        view.setAll((ObjectNode) message);
      }
    }
    if (view.isEmpty()) {
      view.put("type", "message");
      view.put("subtype", "tombstone");
      view.put("hidden", true);
      view.put("text", "This message was deleted.");
      view.put("ts", ts);
      if (threadTs != null) {
        view.put("thread_ts", threadTs);
      }
    }
    view.remove(List.of("channel", "event_ts", "channel_type"));
    view.remove("reactions");
    if (!reactions.isEmpty() && !deleted) {
      ArrayNode list = view.putArray("reactions");
      for (Map.Entry<String, Set<String>> r : reactions.entrySet()) {
        ObjectNode reaction = list.addObject();
        reaction.put("name", r.getKey());
        ArrayNode users = reaction.putArray("users");
        r.getValue().forEach(users::add);
        reaction.put("count", r.getValue().size());
      }
    }
    ArrayNode array = view.putArray(FACTS);
    facts.forEach(array::add);
    return view;
  }

  /** The reaction's name from the entry's version {@code user:name:event_ts}. */
  private static String reactionName(String version) {
    int first = version.indexOf(':');
    int last = version.lastIndexOf(':');
    return first >= 0 && last > first ? version.substring(first + 1, last) : version;
  }

  /** Whether message version {@code a} is newer than {@code b} (the empty version is oldest). */
  private static boolean newer(String a, String b) {
    if (b.isEmpty()) {
      return !a.isEmpty();
    }
    if (a.isEmpty()) {
      return false;
    }
    return BY_TS.compare(a, b) >= 0;
  }

  /** Folder per channel: its name when unique and safe, else its id. */
  private Map<String, String> folders() {
    Map<String, String> folders = new HashMap<>();
    Set<String> taken = new HashSet<>();
    for (Map.Entry<String, Channel> e : channels.entrySet()) {
      String name = e.getValue().name;
      String folder =
          name != null && name.matches("[\\p{L}\\p{N}_-][\\p{L}\\p{N}._-]*") ? name : e.getKey();
      if (taken.contains(folder.toLowerCase(Locale.ROOT))) {
        folder = e.getKey();
      }
      taken.add(folder.toLowerCase(Locale.ROOT));
      folders.put(e.getKey(), folder);
    }
    return folders;
  }

  private void writeSecrets(ZipOutputStream zip) throws IOException {
    if (!options.withSecrets()) {
      return;
    }
    for (Map.Entry<String, byte[]> secret : new TreeMap<>(options.secretFiles()).entrySet()) {
      put(zip, SECRETS + safe(secret.getKey()), secret.getValue());
    }
  }

  private static JsonNode readJson(ObjectNode fact) {
    JsonNode parsed = readJsonOrNull(fact.path("payload").asText());
    return parsed == null ? JSON.createObjectNode() : parsed;
  }

  private static JsonNode readJsonOrNull(String text) {
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  private static JsonNode parse(JournalEntry entry) {
    JsonNode parsed = readJsonOrNull(entry.payload());
    if (parsed == null || !parsed.isObject()) {
      throw new BackupException(
          "journal entry seq "
              + entry.seq()
              + " ("
              + entry.kind()
              + ") has a payload that is not a JSON object: the journal is damaged");
    }
    return parsed;
  }

  private static void put(ZipOutputStream zip, String name, byte[] content) throws IOException {
    zip.putNextEntry(new ZipEntry(name));
    zip.write(content);
    zip.closeEntry();
  }

  static void createOwnerOnly(Path file) throws IOException {
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } else {
      Files.createFile(file);
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
