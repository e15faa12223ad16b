package dev.threadbare.materializer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.threadbare.core.chat.SlackMessages;
import dev.threadbare.core.chat.SlackTs;
import dev.threadbare.core.grammar.Attachment;
import dev.threadbare.core.grammar.ChatGrammar;
import dev.threadbare.core.grammar.Command;
import dev.threadbare.core.grammar.FileBlock;
import dev.threadbare.core.grammar.ParsedMessage;
import dev.threadbare.core.grammar.PathRules;
import dev.threadbare.core.grammar.Problem;
import dev.threadbare.core.journal.EntryKind;
import dev.threadbare.core.journal.Journal;
import dev.threadbare.core.journal.JournalEntry;
import dev.threadbare.core.materialization.BranchUpdate;
import dev.threadbare.core.materialization.EntryOutcome;
import dev.threadbare.core.materialization.FileChange;
import dev.threadbare.core.materialization.Materialization;
import dev.threadbare.core.materialization.MaterializationListener;
import dev.threadbare.core.materialization.RepositoryStatus;
import dev.threadbare.core.review.MergeDecision;
import dev.threadbare.core.review.ReviewSettings;
import dev.threadbare.core.review.ReviewSettingsException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RepositoryCache;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The materializer: a consumer of the journal that keeps one bare git repository per channel
 * ({@code <store>/<channel id>.git}) equal to the head rule of DESIGN.md section 3. Branch {@code
 * main} holds the top-level messages, {@code thread/<root ts>} a thread's replies, forked from main
 * as it stood just after the root message.
 *
 * <p>Every journal entry that changes a branch's head appends one commit to that branch. Commits
 * are a pure function of the journal: author {@code Name <USERID@TEAM.chat>} at the message ts,
 * committer {@code threadbare <threadbare@TEAM.chat>} at the entry's event time (both UTC), message
 * the grammar's commit message plus the trailers {@code Chat-Message: <permalink>} and {@code
 * Chat-Event: post|edit|delete|attachment}. Permalinks are {@code
 * https://slack.com/archives/<channel>/p<ts digits>} ({@code ?thread_ts=<root>&cid=<channel>} for
 * replies). Deleting the store and replaying ({@link #rebuild}) yields the same commit ids.
 *
 * <p>Within one message, {@code rm} and {@code mv} apply in order before the file blocks; {@code mv
 * A B} gives B the content A had just before the message (so it follows later edits of A's
 * definition). Git cannot hold a file and a directory of the same name: when messages define both
 * {@code a} and {@code a/b}, the older definition stays and the newer is left out of the tree and
 * reported as a {@code path-conflict} problem (see {@code ChannelIndex}); one message defining both
 * is refused.
 *
 * <p>Objects of a batch of entries are written as one pack, then the refs are moved, then the
 * journal cursor ({@value #CURSOR}) is saved: a crash never leaves a ref naming a missing object,
 * and since the state is recomputed from the journal on open (a dry replay that computes ids
 * without writing), replaying after a crash rewrites the same commits. The index keeps blob ids,
 * not contents.
 *
 * <p>Lifecycle: {@link #open} it over a journal and a store directory, call {@link #catchUp()}
 * whenever the journal has grown (it is synchronized, so one thread at a time processes), {@link
 * #close()} it. Listeners are called on the catching-up thread after each durable batch.
 *
 * <p>It is the one implementation of core's {@link Materialization} port: {@link #catchUp()}
 * returns each entry's {@link EntryOutcome} (from the one parse of its message), listeners get the
 * same outcomes, and the outcome's diffs are rendered from the git store when first asked for.
 */
public final class Materializer implements Materialization, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Materializer.class);

  /** The name of the materializer's cursor in the journal. */
  public static final String CURSOR = "materializer";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int DEFAULT_BATCH = 20_000;
  private static final int READ_PAGE = 1000;

  private final Journal journal;
  private final Path store;
  private final Parser parser;
  private final int batchSize;
  private final List<MaterializationListener> listeners = new CopyOnWriteArrayList<>();
  private final Map<String, ChannelRepo> channels = new HashMap<>();
  private final Map<String, String> userNames = new HashMap<>();

  /** {@code team/user} of each {@code SELF} entry read so far: threadbare's own bot users. */
  private final Set<String> ownBots = new HashSet<>();

  private final Map<String, FileMeta> files = new HashMap<>();
  private final Map<String, Set<Waiting>> waitingForFile = new HashMap<>();

  /** {@code [lint] max_lines} by the blob id of a {@code threadbare.toml}. */
  private final Map<ObjectId, Integer> lintLimits = new HashMap<>();

  /** The last entry whose effects are in memory. */
  private long position;

  /** Entries up to here are durably in the store: replayed dry, without writing. */
  private long durable;

  /** Entries up to here were materialized by an earlier run (see {@link #recall}). */
  private long durableAtOpen;

  private boolean closed;

  /** A journal payload that cannot be read: the entry is skipped, the rest goes on. */
  private static final class BadPayloadException extends MaterializerException {
    private static final long serialVersionUID = 1L;

    BadPayloadException(String message) {
      super(message);
    }
  }

  private record FileMeta(
      String channel, String name, String title, String mimetype, ObjectId blob) {}

  private record Waiting(String channel, long ts) {}

  /**
   * What one parse of a message gives: its effects on the tree, and what its outcome reports.
   *
   * @param definesChange whether the message defines files, {@code rm} or {@code mv} (not refused)
   */
  private record Parsed(
      Map<String, Def> effects,
      String subject,
      List<Problem> problems,
      boolean refused,
      boolean definesChange,
      List<String> definedPaths,
      List<Command.Action> actions,
      boolean fromBot) {
    static final Parsed NOTHING =
        new Parsed(Map.of(), "", List.of(), false, false, List.of(), List.of(), false);
    static final Parsed BOT =
        new Parsed(Map.of(), "", List.of(), false, false, List.of(), List.of(), true);

    static Parsed refusal(String subject, List<Problem> problems) {
      return new Parsed(Map.of(), subject, problems, true, false, List.of(), List.of(), false);
    }

    Parsed withProblems(List<Problem> more) {
      if (more.isEmpty()) {
        return this;
      }
      List<Problem> all = new ArrayList<>(problems);
      all.addAll(more);
      return new Parsed(
          effects, subject, all, refused, definesChange, definedPaths, actions, fromBot);
    }
  }

  /**
   * An entry processed but not yet durable: its outcome is made once the batch is written.
   *
   * @param ownBranch the branch of the entry's own message, or null
   */
  private record Processed(
      JournalEntry entry, List<BranchChange> changes, Parsed parsed, String ownBranch) {}

  /** Held while this materializer owns the store; see {@link WriterLock}. */
  private WriterLock writerLock;

  /**
   * Reads one message's grammar with the lint limit in force on its branch ({@code [lint]
   * max_lines} of the branch's tree when the message is applied).
   */
  @FunctionalInterface
  interface Parser {
    ParsedMessage parse(JsonNode message, List<Attachment> attachments, int maxLines);
  }

  /** The chat grammar, at each limit. */
  private static final Parser GRAMMAR =
      new Parser() {
        private final ChatGrammar standard = ChatGrammar.create();

        @Override
        public ParsedMessage parse(JsonNode message, List<Attachment> attachments, int maxLines) {
          ChatGrammar grammar =
              maxLines == standard.maxLines() ? standard : ChatGrammar.withMaxLines(maxLines);
          return grammar.parse(message, attachments);
        }
      };

  private Materializer(Journal journal, Path store, Parser parser, int batchSize) {
    this.journal = journal;
    this.store = store;
    this.parser = parser;
    this.batchSize = batchSize;
  }

  /**
   * A materializer of {@code journal} into the git store {@code store} (created if missing), with
   * the default grammar. Call {@link #catchUp()} to bring the store up to date.
   */
  public static Materializer open(Journal journal, Path store) {
    return open(journal, store, GRAMMAR, DEFAULT_BATCH);
  }

  /** With another grammar (that knows no lint limit), for the head rule's property tests. */
  static Materializer open(
      Journal journal,
      Path store,
      BiFunction<JsonNode, List<Attachment>, ParsedMessage> parser,
      int batchSize) {
    Objects.requireNonNull(parser, "parser");
    return open(
        journal, store, (message, files, maxLines) -> parser.apply(message, files), batchSize);
  }

  static Materializer open(Journal journal, Path store, Parser parser, int batchSize) {
    Objects.requireNonNull(journal, "journal");
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(parser, "parser");
    try {
      Files.createDirectories(store);
    } catch (IOException e) {
      throw new GitStoreException("cannot create the git store " + store + ": " + e, e);
    }
    Materializer materializer = new Materializer(journal, store, parser, batchSize);
    materializer.writerLock = WriterLock.acquire(store);
    materializer.durable = journal.cursor(CURSOR);
    if (materializer.durable > 0 && GitStore.open(store).channels().isEmpty()) {
      // The store was deleted: everything must be written again.
      materializer.durable = 0;
      journal.saveCursor(CURSOR, 0);
    }
    materializer.durableAtOpen = materializer.durable;
    return materializer;
  }

  /**
   * Deletes the git store and writes it again from the journal alone. The commit ids are the same
   * as before. Returns the number of journal entries processed.
   */
  public static long rebuild(Journal journal, Path store) {
    Objects.requireNonNull(journal, "journal");
    RepositoryCache.clear();
    deleteStore(store);
    journal.saveCursor(CURSOR, 0);
    try (Materializer materializer = open(journal, store)) {
      return materializer.materialize(null);
    }
  }

  private static void deleteStore(Path store) {
    if (!Files.isDirectory(store)) {
      return;
    }
    try (Stream<Path> repos = Files.list(store)) {
      for (Path repo : repos.filter(p -> p.getFileName().toString().endsWith(".git")).toList()) {
        try (Stream<Path> walk = Files.walk(repo)) {
          for (Path p : walk.sorted((a, b) -> b.compareTo(a)).toList()) {
            Files.delete(p);
          }
        }
      }
    } catch (IOException e) {
      throw new GitStoreException("cannot delete the git store " + store + ": " + e, e);
    }
  }

  @Override
  public void addListener(MaterializationListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** The store, for reading trees, files and history. */
  public GitStore store() {
    return GitStore.open(store);
  }

  /**
   * Processes every journal entry not yet processed, in batches, each made durable (pack, refs,
   * cursor) before the next, and returns the outcomes of the entries this call materialized (the
   * dry replay of what an earlier run wrote reports none).
   */
  @Override
  public synchronized List<EntryOutcome> catchUp() {
    List<EntryOutcome> outcomes = new ArrayList<>();
    materialize(outcomes);
    return outcomes;
  }

  /**
   * As {@link #catchUp()}, adding the outcomes to {@code collected} (null: only for listeners, and
   * made only when there are any). Returns the number of entries processed, replayed ones included.
   */
  private synchronized long materialize(List<EntryOutcome> collected) {
    if (closed) {
      throw new MaterializerException("the materializer is closed: open a new one");
    }
    boolean report = collected != null || !listeners.isEmpty();
    long processed = 0;
    List<Processed> outcomes = new ArrayList<>();
    int pending = 0;
    boolean anyLive = false;
    while (true) {
      // Read in small pages (bounded memory), make durable every batchSize entries.
      List<JournalEntry> page = journal.read(position, Math.min(batchSize, READ_PAGE));
      for (JournalEntry entry : page) {
        boolean live = entry.seq() > durable;
        anyLive |= live;
        Processed outcome = process(entry, live);
        if (live && outcome != null && report) {
          outcomes.add(outcome);
        }
      }
      if (!page.isEmpty()) {
        position = page.get(page.size() - 1).seq();
        processed += page.size();
        pending += page.size();
      }
      if (pending > 0 && (page.isEmpty() || pending >= batchSize)) {
        flushAll();
        if (anyLive) {
          journal.saveCursor(CURSOR, position);
          durable = position;
        }
        if (!outcomes.isEmpty()) {
          List<EntryOutcome> batch = outcomes.stream().map(this::outcome).toList();
          outcomes.clear();
          if (collected != null) {
            collected.addAll(batch);
          }
          tell(batch);
        }
        pending = 0;
        anyLive = false;
      }
      if (page.isEmpty()) {
        return processed;
      }
    }
  }

  private void flushAll() {
    for (ChannelRepo repo : channels.values()) {
      try {
        repo.flush();
      } catch (IOException e) {
        throw new GitStoreException(
            "cannot write the git repository of channel " + repo.channel + ": " + e, e);
      }
    }
  }

  private Processed process(JournalEntry entry, boolean live) {
    try {
      return switch (entry.kind()) {
        case MESSAGE -> onMessage(entry, live);
        case DELETION -> onDeletion(entry, live);
        case FILE_CONTENT -> onFileContent(entry, live);
        case USER -> onUser(entry);
        case CHANNEL -> onChannel(entry);
        case SELF -> onSelf(entry);
        case REACTION_ADDED, REACTION_REMOVED -> null;
      };
    } catch (BadPayloadException e) {
      return skipped(entry, "bad-payload", e.getMessage());
    } catch (MissingObjectException e) {
      throw new GitStoreException(
          "the git store "
              + store
              + " is out of step with the journal (object "
              + e.getObjectId().name()
              + " is missing at journal entry "
              + entry.seq()
              + "): run `threadbare rebuild` to write it again from the journal",
          e);
    } catch (IOException e) {
      throw new GitStoreException(
          "cannot materialize journal entry " + entry.seq() + " into " + store + ": " + e, e);
    }
  }

  private ChannelRepo channel(String channel) {
    return channels.computeIfAbsent(channel, c -> ChannelRepo.open(store, c));
  }

  private static Processed skipped(JournalEntry entry, String rule, String message) {
    return new Processed(
        entry,
        List.of(),
        Parsed.refusal("", List.of(new Problem(entry.channel(), rule, message))),
        null);
  }

  private Processed onMessage(JournalEntry entry, boolean live) throws IOException {
    if (!GitPaths.isChannelId(entry.channel()) || !SlackTs.isValid(entry.ts())) {
      return skipped(
          entry,
          "bad-channel",
          "channel `"
              + entry.channel()
              + "` / ts `"
              + entry.ts()
              + "` cannot name a repository: channel ids are letters, digits, - and _");
    }
    JsonNode payload = readJson(entry.payload());
    ChannelRepo repo = channel(entry.channel());
    long ts = SlackTs.micros(entry.ts());
    ChannelIndex.Message message = repo.index.messageOrCreate(ts, lineageOf(entry, payload, ts));
    long version = Timestamps.version(entry.version());
    if (message.deleted || (message.seen && version <= message.version)) {
      return new Processed(
          entry,
          List.of(),
          SlackMessages.isBot(payload) ? Parsed.BOT : Parsed.NOTHING,
          ChannelRepo.branchName(message.lineage));
    }
    String event = message.seen ? "edit" : "post";
    message.seen = true;
    message.version = version;
    if (message.user == null) {
      message.user = entry.user() != null ? entry.user() : textOf(payload, "user");
    }
    Parsed parsed = parse(repo, message, entry.payload(), payload, live);
    if (message.lineage == ChannelIndex.MAIN
        && !parsed.refused()
        && parsed.definesChange()
        && reviewSettings(repo, live) instanceof ReviewSettings review
        && review.protectMain()) {
      parsed = protectedMain(message, parsed);
    }
    List<BranchChange> changes =
        new ArrayList<>(
            change(repo, message, parsed.effects(), event, entry, parsed.subject(), live, null));
    parsed = withConflicts(repo, message, parsed);
    if (message.lineage != ChannelIndex.MAIN && !message.mergeAsked) {
      MergeAttempt merged = null;
      if (parsed.fromBot()) {
        if (MergeDecision.isDecision(textOf(payload, "text"))
            && ownBots.contains(entry.team() + "/" + message.user)) {
          message.mergeAsked = true;
          ChannelIndex.Message request = repo.mergeRequests.remove(message.lineage);
          if (request != null && !request.deleted) {
            merged = merge(repo, entry, message, request.user, true, live);
          }
        }
      } else if (!parsed.refused()
          && parsed.actions().stream().anyMatch(a -> a.name().equals("merge"))) {
        message.mergeAsked = true;
        merged = merge(repo, entry, message, message.user, false, live);
      }
      if (merged != null) {
        changes.addAll(0, merged.changes());
        parsed = parsed.withProblems(merged.problems());
      }
    }
    if (message.lineage == ChannelIndex.MAIN
        && event.equals("post")
        && !parsed.refused()
        && parsed.actions().stream().anyMatch(a -> a.name().equals("merge"))) {
      parsed =
          parsed.withProblems(
              List.of(
                  new Problem(
                      "merge",
                      Problem.MERGE_NOTHING,
                      "`merge` merges a thread into `main`: say it as a reply in the thread you"
                          + " want merged.")));
    }
    if (message.lineage == ChannelIndex.MAIN) {
      if (!repo.forkPoints.containsKey(ts)) {
        ChannelRepo.Head main = repo.heads.get(ChannelIndex.MAIN);
        repo.forkPoints.put(
            ts,
            new ChannelRepo.Fork(
                main == null ? ObjectId.zeroId() : main.commit(),
                repo.mainChanges,
                ts >= repo.newestMainTs));
      }
      repo.newestMainTs = Math.max(repo.newestMainTs, ts);
    }
    return new Processed(entry, changes, parsed, ChannelRepo.branchName(message.lineage));
  }

  private static long lineageOf(JournalEntry entry, JsonNode payload, long ts) {
    String threadTs = entry.threadTs() != null ? entry.threadTs() : textOf(payload, "thread_ts");
    if (threadTs == null || !SlackTs.isValid(threadTs)) {
      return ChannelIndex.MAIN;
    }
    long root = SlackTs.micros(threadTs);
    return root == ts ? ChannelIndex.MAIN : root;
  }

  private Processed onDeletion(JournalEntry entry, boolean live) throws IOException {
    if (!GitPaths.isChannelId(entry.channel()) || !SlackTs.isValid(entry.ts())) {
      return null;
    }
    ChannelRepo repo = channel(entry.channel());
    long ts = SlackTs.micros(entry.ts());
    long lineage =
        entry.threadTs() != null && SlackTs.isValid(entry.threadTs())
            ? SlackTs.micros(entry.threadTs())
            : ChannelIndex.MAIN;
    ChannelIndex.Message message =
        repo.index.messageOrCreate(ts, lineage == ts ? ChannelIndex.MAIN : lineage);
    if (message.deleted) {
      return null;
    }
    message.deleted = true;
    message.pendingPayload = null;
    List<BranchChange> changes =
        new ArrayList<>(
            change(repo, message, Map.of(), "delete", entry, "Delete chat message", live, null));
    ChannelIndex.Message merge = repo.merges.remove(ts);
    if (merge != null) {
      // Deleting the reply that merged takes the merge's definitions off main again (the head rule:
      // what is not visible defines nothing), in a commit of its own.
      changes.addAll(
          0,
          change(
              repo,
              merge,
              Map.of(),
              "delete",
              entry,
              "Revert the merge of " + ChannelRepo.branchName(merge.mergeOf),
              live,
              null));
    }
    ChannelIndex.Message request = repo.mergeRequests.get(message.lineage);
    if (request != null && request.ts == ts) {
      repo.mergeRequests.remove(message.lineage);
    }
    return new Processed(entry, changes, Parsed.NOTHING, ChannelRepo.branchName(message.lineage));
  }

  private Processed onFileContent(JournalEntry entry, boolean live) throws IOException {
    if (!GitPaths.isChannelId(entry.channel())) {
      return null;
    }
    JsonNode payload = readJson(entry.payload());
    String id = entry.version();
    byte[] content;
    try {
      content =
          Base64.getDecoder()
              .decode(Objects.requireNonNullElse(textOf(payload, "content_base64"), ""));
    } catch (IllegalArgumentException e) {
      return skipped(
          entry, "bad-file", "file `" + id + "` has no readable content_base64: " + e.getMessage());
    }
    ChannelRepo repo = channel(entry.channel());
    ObjectId blob = repo.inserter(live).insert(Constants.OBJ_BLOB, content);
    files.put(
        id,
        new FileMeta(
            repo.channel,
            textOf(payload, "name"),
            textOf(payload, "title"),
            textOf(payload, "mimetype"),
            blob));
    Set<Waiting> waiting = waitingForFile.remove(id);
    if (waiting == null) {
      return null;
    }
    List<BranchChange> changes = new ArrayList<>();
    List<Problem> problems = new ArrayList<>();
    List<String> defined = new ArrayList<>();
    boolean refused = false;
    boolean definesChange = false;
    String ownBranch = null;
    for (Waiting w : waiting.stream().sorted((a, b) -> Long.compare(a.ts(), b.ts())).toList()) {
      ChannelRepo owner = channel(w.channel());
      ChannelIndex.Message message = owner.index.message(w.ts());
      if (message == null || message.deleted || message.pendingPayload == null) {
        continue;
      }
      String text = message.pendingPayload;
      Parsed parsed = parse(owner, message, text, readJson(text), live);
      changes.addAll(
          change(
              owner, message, parsed.effects(), "attachment", entry, parsed.subject(), live, null));
      parsed = withConflicts(owner, message, parsed);
      problems.addAll(parsed.problems());
      defined.addAll(parsed.definedPaths());
      refused |= parsed.refused();
      definesChange |= parsed.definesChange();
      if (ownBranch == null || entry.ts().equals(Timestamps.text(message.ts))) {
        ownBranch = ChannelRepo.branchName(message.lineage);
      }
    }
    // The message's commands were acted on with the message itself: none here.
    return new Processed(
        entry,
        changes,
        new Parsed(Map.of(), "", problems, refused, definesChange, defined, List.of(), false),
        ownBranch);
  }

  private Processed onUser(JournalEntry entry) {
    JsonNode user = readJson(entry.payload());
    String name =
        Stream.of(
                user.path("profile").path("real_name").asText(""),
                user.path("real_name").asText(""),
                user.path("profile").path("display_name").asText(""),
                user.path("name").asText(""))
            .filter(s -> !s.isBlank())
            .findFirst()
            .orElse(entry.version());
    userNames.put(entry.version(), name);
    return null;
  }

  /** Threadbare's own bot user: only its replies decide a gated merge. */
  private Processed onSelf(JournalEntry entry) {
    ownBots.add(entry.team() + "/" + entry.version());
    return null;
  }

  private Processed onChannel(JournalEntry entry) throws IOException {
    if (!GitPaths.isChannelId(entry.channel())) {
      return null;
    }
    String name = textOf(readJson(entry.payload()), "name");
    if (name != null && !name.isBlank()) {
      channel(entry.channel()).name(name);
    }
    return null;
  }

  /** Reads the message's grammar into per-path definitions, inserting the blobs. */
  private Parsed parse(
      ChannelRepo repo, ChannelIndex.Message message, String text, JsonNode payload, boolean live)
      throws IOException {
    if (SlackMessages.isBot(payload)) {
      message.pendingPayload = null;
      return Parsed.BOT;
    }
    List<Attachment> attachments = new ArrayList<>();
    boolean pending = false;
    for (JsonNode file : payload.path("files")) {
      String id = file.path("id").asText("");
      if (id.isEmpty()) {
        continue;
      }
      FileMeta meta = files.get(id);
      if (meta == null) {
        pending = true;
        waitingForFile
            .computeIfAbsent(id, k -> new HashSet<>())
            .add(new Waiting(repo.channel, message.ts));
      } else {
        byte[] bytes =
            channel(meta.channel()).reader(live).open(meta.blob(), Constants.OBJ_BLOB).getBytes();
        attachments.add(new Attachment(id, meta.name(), meta.title(), meta.mimetype(), bytes));
      }
    }
    message.pendingPayload = pending ? text : null;
    ParsedMessage parsed;
    try {
      parsed = parser.parse(payload, attachments, maxLines(repo, message.lineage, live));
    } catch (RuntimeException e) {
      return Parsed.refusal(
          "",
          List.of(
              new Problem(
                  "message " + Timestamps.text(message.ts),
                  "unreadable",
                  String.valueOf(e.getMessage()))));
    }
    if (parsed.refused()) {
      return Parsed.refusal(parsed.commitMessage(), parsed.problems());
    }
    Map<String, Def> effects = new LinkedHashMap<>();
    List<String> defined = new ArrayList<>();
    List<Command.Action> actions = new ArrayList<>();
    for (Command command : parsed.commands()) {
      switch (command) {
        case Command.Remove rm -> {
          effects.put(rm.path().value(), Def.REMOVED);
          defined.add(rm.path().value());
        }
        case Command.Move mv -> {
          String from = mv.from().value();
          String to = mv.to().value();
          defined.add(from);
          defined.add(to);
          if (!from.equals(to)) {
            effects.put(to, effects.getOrDefault(from, new Def.MovedFrom(from)));
            effects.put(from, Def.REMOVED);
          }
        }
        case Command.Action action -> actions.add(action);
      }
    }
    ObjectInserter inserter = repo.inserter(live);
    for (FileBlock file : parsed.files()) {
      Problem lint =
          file.path().value().equals(ReviewSettings.FILE)
              ? LintSettings.problem(file.content())
              : null;
      if (lint != null) {
        List<Problem> problems = new ArrayList<>(parsed.problems());
        problems.add(lint);
        return Parsed.refusal(parsed.commitMessage(), problems);
      }
      byte[] bytes = file.content().getBytes(StandardCharsets.UTF_8);
      effects.put(file.path().value(), new Def.Blob(inserter.insert(Constants.OBJ_BLOB, bytes)));
      defined.add(file.path().value());
    }
    for (String path : effects.keySet()) {
      String problem = GitPaths.problem(path);
      if (problem != null) {
        List<Problem> problems = new ArrayList<>(parsed.problems());
        problems.add(
            new Problem(path, "git-path", problem + "; nothing of this message was taken"));
        return Parsed.refusal(parsed.commitMessage(), problems);
      }
    }
    Problem within = conflictWithin(effects);
    if (within != null) {
      List<Problem> problems = new ArrayList<>(parsed.problems());
      problems.add(within);
      return Parsed.refusal(parsed.commitMessage(), problems);
    }
    return new Parsed(
        effects,
        parsed.commitMessage(),
        parsed.problems(),
        false,
        parsed.changesTree(),
        defined,
        actions,
        false);
  }

  /** What a merge attempt did: the commits it made (main first) and what it reports. */
  private record MergeAttempt(List<BranchChange> changes, List<Problem> problems) {
    static MergeAttempt problem(String input, String rule, String message) {
      return new MergeAttempt(List.of(), List.of(new Problem(input, rule, message)));
    }
  }

  /**
   * The {@code merge} of the thread of {@code trigger} into main, at {@code trigger}'s ts: gated by
   * main's {@code [review]} (unless {@code decided}: the bot's decision is the trigger), then
   * JGit's three-way merge of the two heads. A clean merge becomes definitions on main at the
   * trigger's ts (so the head rule goes on holding: a newer top-level message overrides them, an
   * older one arriving late does not) and a commit whose second parent is the thread's head. A
   * conflict merges nothing and is remembered, so that a reply posting the resolved file wins next
   * time.
   */
  private MergeAttempt merge(
      ChannelRepo repo,
      JournalEntry entry,
      ChannelIndex.Message trigger,
      String requester,
      boolean decided,
      boolean live)
      throws IOException {
    long lineage = trigger.lineage;
    String branch = ChannelRepo.branchName(lineage);
    Object settings = reviewSettings(repo, live);
    if (settings instanceof String error) {
      return MergeAttempt.problem(
          ReviewSettings.FILE,
          Problem.MERGE_SETTINGS,
          "Nothing was merged: main's "
              + ReviewSettings.FILE
              + " cannot be read ("
              + error
              + "). Fix it on `main`, then say `merge` again.");
    }
    ReviewSettings review = (ReviewSettings) settings;
    ChannelRepo.Head thread = repo.heads.get(lineage);
    if (thread == null) {
      return MergeAttempt.problem(
          branch, Problem.MERGE_NOTHING, "Nothing to merge: this thread has changed no file yet.");
    }
    if (review.gated() && !decided) {
      repo.mergeRequests.put(lineage, trigger);
      return MergeAttempt.problem(
          branch,
          Problem.MERGE_GATED,
          "`main` asks for "
              + review.approvals()
              + (review.approvals() == 1 ? " approval" : " approvals")
              + " and green CI before a merge ([review] approvals in "
              + ReviewSettings.FILE
              + ").");
    }
    ChannelRepo.Head main = repo.heads.get(ChannelIndex.MAIN);
    Map<String, ObjectId> overrides = new TreeMap<>();
    for (Map.Entry<String, ChannelRepo.Conflict> conflict :
        repo.conflicts.getOrDefault(lineage, Map.of()).entrySet()) {
      if (repo.index.threadDefinesBetween(
          lineage, conflict.getKey(), conflict.getValue().attemptTs(), trigger.ts)) {
        overrides.put(conflict.getKey(), conflict.getValue().mainBlob());
      }
    }
    ThreadMerge.Result result =
        main == null
            ? new ThreadMerge.Clean(thread.tree())
            : ThreadMerge.merge(
                repo.reader(live),
                repo.inserter(live),
                repo.trees,
                main.commit(),
                thread.commit(),
                overrides,
                branch);
    switch (result) {
      case ThreadMerge.AlreadyMerged already -> {
        return MergeAttempt.problem(
            branch,
            Problem.MERGE_NOTHING,
            "Nothing to merge: `main` already has everything of `" + branch + "`.");
      }
      case ThreadMerge.Conflicted conflicted -> {
        Map<String, ChannelRepo.Conflict> remembered =
            repo.conflicts.computeIfAbsent(lineage, l -> new HashMap<>());
        List<Problem> problems = new ArrayList<>();
        for (Map.Entry<String, String> hunks : conflicted.hunks().entrySet()) {
          remembered.put(
              hunks.getKey(),
              new ChannelRepo.Conflict(trigger.ts, conflicted.mainBlobs().get(hunks.getKey())));
          problems.add(new Problem(hunks.getKey(), Problem.MERGE_CONFLICT, hunks.getValue()));
        }
        return new MergeAttempt(List.of(), problems);
      }
      case ThreadMerge.Clean clean -> {
        Map<String, Def> effects = new LinkedHashMap<>();
        ThreadMerge.changes(repo.reader(live), main == null ? null : main.tree(), clean.tree())
            .forEach(
                (path, blob) -> effects.put(path, blob == null ? Def.REMOVED : new Def.Blob(blob)));
        ChannelIndex.Message merge = new ChannelIndex.Message(trigger.ts, ChannelIndex.MAIN);
        merge.seen = true;
        merge.user = requester;
        merge.mergeOf = lineage;
        repo.merges.put(trigger.ts, merge);
        repo.conflicts.remove(lineage);
        List<BranchChange> changes =
            change(
                repo,
                merge,
                effects,
                "merge",
                entry,
                "Merge " + branch + " into main",
                live,
                thread.commit());
        return new MergeAttempt(changes, List.of());
      }
    }
  }

  /**
   * The lint limit in force on {@code lineage} as it stands now, before the message being applied:
   * {@code [lint] max_lines} of the {@code threadbare.toml} in the branch's tree (the default
   * without one, or when it cannot be read). So a rebuild, replaying the journal in its order,
   * meets the same limits, and a later change of the limit does not rewrite what older messages
   * did.
   */
  private int maxLines(ChannelRepo repo, long lineage, boolean live) throws IOException {
    ObjectId blob = repo.index.head(lineage, ReviewSettings.FILE);
    if (blob == null || repo.index.blocker(lineage, ReviewSettings.FILE) != null) {
      return ChatGrammar.DEFAULT_MAX_LINES;
    }
    Integer known = lintLimits.get(blob);
    if (known == null) {
      known = lintLimit(repo.reader(live).open(blob, Constants.OBJ_BLOB).getBytes());
      lintLimits.put(blob.copy(), known);
    }
    return known;
  }

  private static int lintLimit(byte[] toml) {
    try {
      return LintSettings.maxLines(new String(toml, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      return ChatGrammar.DEFAULT_MAX_LINES;
    }
  }

  /**
   * For {@link #recall}: the limit of the message's branch as the store holds it (thread safe: read
   * from the refs, not from the state {@link #catchUp()} keeps).
   */
  private int recalledMaxLines(JournalEntry entry, JsonNode payload) {
    try {
      long lineage = lineageOf(entry, payload, SlackTs.micros(entry.ts()));
      GitStore git = store();
      String branch = ChannelRepo.branchName(lineage);
      if (!git.branches(entry.channel()).contains(branch)) {
        branch = "main";
      }
      return lintLimit(git.read(entry.channel(), branch, ReviewSettings.FILE));
    } catch (RuntimeException e) {
      return ChatGrammar.DEFAULT_MAX_LINES;
    }
  }

  /**
   * Main's review settings as main stands now ({@link ReviewSettings#DEFAULTS} without a {@code
   * threadbare.toml}), or the reason its file cannot be read.
   */
  private static Object reviewSettings(ChannelRepo repo, boolean live) throws IOException {
    ObjectId blob = repo.index.head(ChannelIndex.MAIN, ReviewSettings.FILE);
    if (blob == null) {
      return ReviewSettings.DEFAULTS;
    }
    Object known = repo.reviewSettings.get(blob);
    if (known != null) {
      return known;
    }
    byte[] bytes = repo.reader(live).open(blob, Constants.OBJ_BLOB).getBytes();
    Object settings;
    try {
      settings = ReviewSettings.parse(new String(bytes, StandardCharsets.UTF_8));
    } catch (ReviewSettingsException e) {
      settings = e.getMessage();
    }
    repo.reviewSettings.put(blob.copy(), settings);
    return settings;
  }

  /**
   * A top-level change refused because main is protected: nothing of it is taken (an edit keeps
   * what the message defined before), and the sender learns the way in.
   */
  private static Parsed protectedMain(ChannelIndex.Message message, Parsed parsed) {
    List<Problem> problems = new ArrayList<>(parsed.problems());
    problems.add(
        new Problem(
            "main",
            Problem.PROTECTED_MAIN,
            "`main` is protected ([review] protect_main = true in "
                + ReviewSettings.FILE
                + "): code reaches it only by merge. Post the change as a reply in a thread, then"
                + " say `merge` there."));
    return new Parsed(
        message.effects,
        parsed.subject(),
        problems,
        true,
        false,
        parsed.definedPaths(),
        List.of(),
        false);
  }

  /** A file and a directory of the same name in one message's own definitions, or null. */
  private static Problem conflictWithin(Map<String, Def> effects) {
    Set<String> files = new HashSet<>();
    effects.forEach(
        (path, def) -> {
          if (!(def instanceof Def.Removed)) {
            files.add(path);
          }
        });
    for (String path : files) {
      for (int slash = path.indexOf('/'); slash > 0; slash = path.indexOf('/', slash + 1)) {
        String parent = path.substring(0, slash);
        if (files.contains(parent)) {
          return PathRules.conflict(parent, path);
        }
      }
    }
    return null;
  }

  /**
   * {@code parsed} with a problem for each file of the message that an older message's file or
   * directory keeps out of the tree (see {@code ChannelIndex}); refused when that is all of it.
   */
  private static Parsed withConflicts(
      ChannelRepo repo, ChannelIndex.Message message, Parsed parsed) {
    List<Problem> conflicts = new ArrayList<>();
    boolean anyTaken = false;
    for (Map.Entry<String, Def> effect : parsed.effects().entrySet()) {
      if (effect.getValue() instanceof Def.Removed) {
        anyTaken = true;
        continue;
      }
      String path = effect.getKey();
      Long definedAt = repo.index.definedAt(message.lineage, path);
      String blocker =
          definedAt != null && definedAt == message.ts
              ? repo.index.blocker(message.lineage, path)
              : null;
      if (blocker == null) {
        anyTaken = true;
      } else {
        conflicts.add(PathRules.conflict(path, blocker));
      }
    }
    if (conflicts.isEmpty()) {
      return parsed;
    }
    List<Problem> problems = new ArrayList<>(parsed.problems());
    problems.addAll(conflicts);
    return new Parsed(
        parsed.effects(),
        parsed.subject(),
        problems,
        !anyTaken,
        parsed.definesChange() && anyTaken,
        parsed.definedPaths(),
        parsed.actions(),
        parsed.fromBot());
  }

  /** Hands a durable batch's outcomes to every listener; one failing does not stop the others. */
  private void tell(List<EntryOutcome> batch) {
    for (MaterializationListener listener : listeners) {
      try {
        listener.onMaterialized(batch);
      } catch (RuntimeException e) {
        LOG.warn("a materialization listener failed on {} outcomes", batch.size(), e);
      }
    }
  }

  /** The outcome of a processed entry, now durable: diffs are rendered from the store on demand. */
  private EntryOutcome outcome(Processed processed) {
    JournalEntry entry = processed.entry();
    Parsed parsed = processed.parsed();
    List<BranchUpdate> branches = new ArrayList<>();
    BranchChange own = null;
    for (BranchChange change : processed.changes()) {
      branches.add(
          new BranchUpdate(
              change.branch(),
              change.before() == null ? null : change.before().name(),
              change.after().name()));
      if (own == null && change.branch().equals(processed.ownBranch())) {
        own = change;
      }
    }
    List<FileChange> files = own == null ? List.of() : fileChanges(entry, own, parsed);
    return new EntryOutcome(
        entry,
        EntryOutcome.resultOf(
            parsed.refused(), parsed.definesChange(), own != null, parsed.problems()),
        parsed.fromBot(),
        own == null ? null : branches.get(processed.changes().indexOf(own)),
        branches,
        files,
        parsed.definedPaths(),
        parsed.actions(),
        parsed.problems());
  }

  /**
   * The files {@code change} changed, limited to those the message defined when it names paths (a
   * message with only attachments, or a deletion, names none: all of the commit's paths are its).
   */
  private List<FileChange> fileChanges(JournalEntry entry, BranchChange change, Parsed parsed) {
    Set<String> defined = Set.copyOf(parsed.definedPaths());
    GitStore git = store();
    List<FileChange> files = new ArrayList<>();
    for (String path : change.paths()) {
      if (!defined.isEmpty() && !defined.contains(path)) {
        continue;
      }
      if (change.before() == null || change.added().contains(path)) {
        files.add(FileChange.of(path, FileChange.Kind.ADDED, ""));
      } else if (change.removed().contains(path)) {
        files.add(FileChange.of(path, FileChange.Kind.REMOVED, ""));
      } else {
        ObjectId before = change.before();
        ObjectId after = change.after();
        files.add(
            FileChange.rendered(
                path,
                FileChange.Kind.MODIFIED,
                () -> git.diff(entry.channel(), before, after, path)));
      }
    }
    return files;
  }

  /**
   * Reads the outcome of an entry an earlier run materialized from its message alone (no commit:
   * the grammar's parse gives result, problems, paths and commands).
   */
  @Override
  public Optional<EntryOutcome> recall(JournalEntry entry) {
    Objects.requireNonNull(entry, "entry");
    if (entry.seq() > durableAtOpen || entry.kind() != EntryKind.MESSAGE) {
      return Optional.empty();
    }
    JsonNode payload;
    try {
      payload = JSON.readTree(entry.payload());
    } catch (JsonProcessingException e) {
      return Optional.empty();
    }
    if (SlackMessages.isBot(payload)) {
      return Optional.of(EntryOutcome.nothing(entry, true));
    }
    ParsedMessage parsed;
    try {
      parsed = parser.parse(payload, List.of(), recalledMaxLines(entry, payload));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
    List<String> defined = new ArrayList<>();
    List<Command.Action> actions = new ArrayList<>();
    parsed.files().forEach(f -> defined.add(f.path().value()));
    for (Command command : parsed.commands()) {
      switch (command) {
        case Command.Remove rm -> defined.add(rm.path().value());
        case Command.Move mv -> {
          defined.add(mv.from().value());
          defined.add(mv.to().value());
        }
        case Command.Action action -> actions.add(action);
      }
    }
    return Optional.of(
        new EntryOutcome(
            entry,
            EntryOutcome.resultOf(parsed.refused(), parsed.changesTree(), false, parsed.problems()),
            false,
            null,
            List.of(),
            List.of(),
            defined,
            actions,
            parsed.problems()));
  }

  @Override
  public RepositoryStatus status(String team, String channel) {
    GitStore git = store();
    if (!git.channels().contains(channel)) {
      return new RepositoryStatus(channel, "main", null, 0, 0);
    }
    List<String> branches = git.branches(channel);
    ObjectId head = branches.contains("main") ? git.resolve(channel, "main") : null;
    String name = git.channelName(channel);
    return new RepositoryStatus(
        name == null ? channel : name,
        "main",
        head == null ? null : head.name(),
        head == null ? 0 : git.tree(channel, "main").size(),
        Math.max(0, branches.size() - 1));
  }

  /**
   * Replaces what {@code message} defines and appends one commit to every branch whose head
   * changes: the message's own lineage, and for a main message, every thread forked at or after it.
   */
  private List<BranchChange> change(
      ChannelRepo repo,
      ChannelIndex.Message message,
      Map<String, Def> effects,
      String event,
      JournalEntry entry,
      String subject,
      boolean live,
      ObjectId mergeParent)
      throws IOException {
    Set<String> touched = new HashSet<>(message.effects.keySet());
    touched.addAll(effects.keySet());
    if (touched.isEmpty() && mergeParent == null) {
      return List.of();
    }
    Set<String> paths = repo.index.withRelated(repo.index.withDependents(touched));
    if (message.lineage == ChannelIndex.MAIN) {
      repo.mainChanges++;
      if (!event.equals("post") || message.ts < repo.newestMainTs) {
        repo.lateChanges.add(
            new ChannelRepo.LateChange(repo.mainChanges, message.ts, Set.copyOf(touched)));
      }
    }
    List<Long> lineages = new ArrayList<>();
    lineages.add(message.lineage);
    if (message.lineage == ChannelIndex.MAIN) {
      lineages.addAll(
          repo.heads.tailMap(message.ts, true).keySet().stream()
              .filter(l -> l != ChannelIndex.MAIN)
              .toList());
    }
    Map<Long, Map<String, ObjectId>> before = new HashMap<>();
    for (long lineage : lineages) {
      before.put(lineage, repo.index.heads(lineage, paths));
    }
    repo.index.setEffects(message, effects);
    List<BranchChange> changes = new ArrayList<>();
    for (long lineage : lineages) {
      Map<String, ObjectId> was = before.get(lineage);
      NavigableMap<String, ObjectId> changed =
          ChannelIndex.changes(was, repo.index.heads(lineage, paths));
      ChannelRepo.Head head = repo.heads.get(lineage);
      ObjectId parent = head == null ? null : head.commit();
      ObjectId baseTree = head == null ? null : head.tree();
      boolean forking = head == null && lineage != ChannelIndex.MAIN;
      if (forking) {
        // A thread's first reply with code: fork from main just after the root, then bring the
        // fork's tree to the thread's head as a whole (main may have changed below the root since).
        // The branch exists from now on, even when its head is still the fork's tree.
        ChannelRepo.Fork forkPoint = repo.forkPoints.get(lineage);
        ObjectId fork;
        if (forkPoint != null) {
          fork = forkPoint.commit();
        } else {
          ChannelRepo.Head main = repo.heads.get(ChannelIndex.MAIN);
          fork = main == null ? null : main.commit();
        }
        if (fork != null && !fork.equals(ObjectId.zeroId())) {
          parent = fork;
          try (RevWalk walk = new RevWalk(repo.reader(live))) {
            baseTree = walk.parseCommit(fork).getTree().copy();
          }
        }
        was = new HashMap<>();
        changed =
            forkPoint != null && forkPoint.exact()
                ? forkDiff(repo, lineage, forkPoint, baseTree, live, was)
                : fullDiff(repo, lineage, baseTree, live, was);
        if (changed.isEmpty() && parent != null) {
          repo.heads.put(lineage, new ChannelRepo.Head(parent.copy(), baseTree));
          repo.markDirty(lineage, live);
          continue;
        }
      }
      // A merge commits on main even when main already had the thread's content: the thread's head
      // becomes main's ancestor, as in git.
      boolean merging = mergeParent != null && lineage == ChannelIndex.MAIN;
      // (A thread's first commit is made even when its diff from the fork is empty.)
      if (!forking && changed.isEmpty() && !merging) {
        continue;
      }
      ObjectInserter inserter = repo.inserter(live);
      ObjectId tree = repo.trees.apply(repo.reader(live), inserter, baseTree, changed);
      if (tree.equals(baseTree) && head != null && !merging) {
        continue;
      }
      CommitBuilder commit = new CommitBuilder();
      commit.setTreeId(tree);
      if (merging && parent != null) {
        commit.setParentIds(parent, mergeParent);
      } else if (merging) {
        commit.setParentId(mergeParent);
      } else if (parent != null) {
        commit.setParentId(parent);
      }
      String team = entry.team();
      String user = message.user == null ? "unknown" : message.user;
      commit.setAuthor(
          new PersonIdent(
              userNames.getOrDefault(user, user),
              user + "@" + team + ".chat",
              SlackTs.instant(Timestamps.text(message.ts)),
              ZoneOffset.UTC));
      commit.setCommitter(
          new PersonIdent(
              "threadbare", "threadbare@" + team + ".chat", entry.eventTime(), ZoneOffset.UTC));
      commit.setMessage(
          commitMessage(repo.channel, message, subject(subject, effects, was, changed), event));
      commit.setEncoding(StandardCharsets.UTF_8);
      ObjectId id = inserter.insert(commit);
      repo.heads.put(lineage, new ChannelRepo.Head(id.copy(), tree.copy()));
      repo.markDirty(lineage, live);
      Set<String> added = new HashSet<>();
      Set<String> removed = new HashSet<>();
      for (Map.Entry<String, ObjectId> path : changed.entrySet()) {
        if (path.getValue() == null) {
          removed.add(path.getKey());
        } else if (was.get(path.getKey()) == null) {
          added.add(path.getKey());
        }
      }
      changes.add(
          new BranchChange(
              ChannelRepo.branchName(lineage),
              parent,
              id,
              List.copyOf(changed.keySet()),
              added,
              removed));
    }
    return changes;
  }

  /**
   * The paths where a new thread's head differs from its exact fork's tree: only the thread's own
   * paths and those main changed below the root since the fork can.
   */
  private static NavigableMap<String, ObjectId> forkDiff(
      ChannelRepo repo,
      long lineage,
      ChannelRepo.Fork fork,
      ObjectId baseTree,
      boolean live,
      Map<String, ObjectId> before)
      throws IOException {
    Set<String> candidates = new HashSet<>(repo.index.threadPaths(lineage));
    for (int i = repo.lateChanges.size() - 1; i >= 0; i--) {
      ChannelRepo.LateChange late = repo.lateChanges.get(i);
      if (late.mainChanges() <= fork.mainChanges()) {
        break;
      }
      if (late.ts() <= lineage) {
        candidates.addAll(late.paths());
      }
    }
    candidates = repo.index.withRelated(repo.index.withDependents(candidates));
    ObjectReader reader = repo.reader(live);
    for (String path : candidates) {
      ObjectId id = null;
      if (baseTree != null) {
        try (TreeWalk walk = TreeWalk.forPath(reader, path, baseTree)) {
          if (walk != null && !walk.isSubtree()) {
            id = walk.getObjectId(0);
          }
        }
      }
      before.put(path, id);
    }
    return ChannelIndex.changes(before, repo.index.heads(lineage, candidates));
  }

  /**
   * Every path where the thread's head differs from {@code baseTree}; {@code before} gets each
   * candidate path's id in {@code baseTree} (null: absent).
   */
  private static NavigableMap<String, ObjectId> fullDiff(
      ChannelRepo repo, long lineage, ObjectId baseTree, boolean live, Map<String, ObjectId> before)
      throws IOException {
    Map<String, ObjectId> base = new HashMap<>();
    if (baseTree != null) {
      ObjectReader reader = repo.reader(live);
      try (TreeWalk walk = new TreeWalk(reader)) {
        walk.addTree(baseTree);
        walk.setRecursive(true);
        while (walk.next()) {
          base.put(walk.getPathString(), walk.getObjectId(0));
        }
      }
    }
    Set<String> paths = repo.index.paths(lineage);
    paths.addAll(base.keySet());
    for (String path : paths) {
      before.put(path, base.get(path));
    }
    return ChannelIndex.changes(before, repo.index.heads(lineage, paths));
  }

  /**
   * The commit's subject: what the sender wrote around the code, or, when that is nothing, what the
   * commit does, as git users expect: {@code Add a.py} for a new path, {@code Update b.py}, {@code
   * Remove c.py}, {@code Move d.py to e.py}, joined by {@code ;} (five paths a part at most). A
   * function of the change alone, so replaying the journal writes the same subject.
   */
  static String subject(
      String prose,
      Map<String, Def> effects,
      Map<String, ObjectId> before,
      Map<String, ObjectId> changed) {
    String text = prose == null ? "" : prose.strip();
    if (!text.isEmpty()) {
      return text;
    }
    List<String> added = new ArrayList<>();
    List<String> updated = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    List<String> moved = new ArrayList<>();
    Set<String> moves = new HashSet<>();
    for (Map.Entry<String, ObjectId> path : changed.entrySet()) {
      if (path.getValue() != null
          && effects.get(path.getKey()) instanceof Def.MovedFrom move
          && changed.containsKey(move.source())
          && changed.get(move.source()) == null) {
        moved.add(move.source() + " to " + path.getKey());
        moves.add(move.source());
        moves.add(path.getKey());
      }
    }
    for (Map.Entry<String, ObjectId> path : changed.entrySet()) {
      String name = path.getKey();
      if (moves.contains(name)) {
        continue;
      }
      if (path.getValue() == null) {
        removed.add(name);
      } else if (before.get(name) == null) {
        added.add(name);
      } else {
        updated.add(name);
      }
    }
    List<String> parts = new ArrayList<>();
    part(parts, "Add", added);
    part(parts, "Update", updated);
    part(parts, "Remove", removed);
    part(parts, "Move", moved);
    return String.join("; ", parts);
  }

  private static void part(List<String> parts, String verb, List<String> items) {
    if (items.isEmpty()) {
      return;
    }
    String listed =
        items.size() <= 5
            ? String.join(", ", items)
            : String.join(", ", items.subList(0, 5)) + " and " + (items.size() - 5) + " more";
    parts.add((parts.isEmpty() ? verb : verb.toLowerCase(Locale.ROOT)) + " " + listed);
  }

  private static String commitMessage(
      String channel, ChannelIndex.Message message, String subject, String event) {
    String text = subject;
    // Git wants text: no NUL or other control characters but tab and newline.
    text = text.replace("\r\n", "\n").replaceAll("[\\p{Cntrl}&&[^\n\t]]", "");
    // A merge's definitions live on main but came from a reply of the merged thread: link that.
    long linked = message.mergeOf != 0 ? message.mergeOf : message.lineage;
    return text
        + "\n\nChat-Message: "
        + Timestamps.permalink(channel, message.ts, linked)
        + "\nChat-Event: "
        + event
        + "\n";
  }

  private static JsonNode readJson(String text) {
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new BadPayloadException(
          "journal payload is not JSON (" + e.getOriginalMessage() + "): the entry is skipped");
    }
  }

  private static String textOf(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }

  /** Forgets nothing durable; closes every repository. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<RuntimeException> failures = new ArrayList<>();
    for (ChannelRepo repo : channels.values()) {
      try {
        repo.close();
      } catch (RuntimeException e) {
        failures.add(e);
      }
    }
    channels.clear();
    try {
      writerLock.close();
    } catch (RuntimeException e) {
      failures.add(e);
    }
    if (!failures.isEmpty()) {
      throw failures.get(0);
    }
  }
}
