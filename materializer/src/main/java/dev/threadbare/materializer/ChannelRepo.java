package dev.threadbare.materializer;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.eclipse.jgit.internal.storage.file.FileRepository;
import org.eclipse.jgit.internal.storage.file.PackInserter;
import org.eclipse.jgit.lib.BatchRefUpdate;
import org.eclipse.jgit.lib.ConfigConstants;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.ReceiveCommand;

/**
 * One channel's bare repository and the materializer's state for it: the head-rule index, the
 * in-memory branch heads (ahead of the refs until the batch is flushed) and the fork points. Not
 * thread safe: owned by the materializer's single consumer.
 */
final class ChannelRepo implements AutoCloseable {

  /** A branch head: its commit and that commit's tree. */
  record Head(ObjectId commit, ObjectId tree) {}

  final String channel;
  final Repository repository;
  final ChannelIndex index = new ChannelIndex();
  final TreeEditor trees = new TreeEditor();

  /** Branch heads by lineage ({@link ChannelIndex#MAIN} or a thread's root ts). */
  final TreeMap<Long, Head> heads = new TreeMap<>();

  /**
   * Where a thread forks: main's head just after its root was first seen (zero id: none), the count
   * of main changes at that moment, and whether the root was then main's newest message (so the
   * fork's tree was main's lineage up to the root exactly).
   */
  record Fork(ObjectId commit, long mainChanges, boolean exact) {}

  /**
   * A change of main by a message that was not main's newest (an edit, a deletion, a late post).
   */
  record LateChange(long mainChanges, long ts, Set<String> paths) {}

  /** For each top-level message, the fork of a thread rooted there. */
  final Map<Long, Fork> forkPoints = new HashMap<>();

  /** Late changes of main, in order: a thread created later re-checks just these paths. */
  final List<LateChange> lateChanges = new ArrayList<>();

  /**
   * Merges taken, by the ts of the reply that triggered each (the {@code merge} message, or the
   * bot's decision when the merge was gated): their definitions on main.
   */
  final Map<Long, ChannelIndex.Message> merges = new HashMap<>();

  /** A path that conflicted at a merge attempt: when, and its blob on main then (null: absent). */
  record Conflict(long attemptTs, ObjectId mainBlob) {}

  /** By thread lineage: the paths of its last conflicting merge attempts, not yet merged. */
  final Map<Long, Map<String, Conflict>> conflicts = new HashMap<>();

  /** By thread lineage: the {@code merge} message waiting for the gate's decision. */
  final Map<Long, ChannelIndex.Message> mergeRequests = new HashMap<>();

  /** Parsed review settings by the blob id of main's {@code threadbare.toml}. */
  final Map<ObjectId, Object> reviewSettings = new HashMap<>();

  /** How many times main's definitions changed. */
  long mainChanges;

  /** The greatest ts of a top-level message seen. */
  long newestMainTs = Long.MIN_VALUE;

  private final Set<Long> dirty = new TreeSet<>();
  private final ObjectInserter dryInserter = new DryInserter(this);
  private ObjectReader dryReader;
  private PackInserter packInserter;
  private ObjectReader liveReader;

  /** Computes ids without writing: replaying what the store already holds. */
  private static final class DryInserter extends ObjectInserter.Formatter {
    private final ChannelRepo owner;

    DryInserter(ChannelRepo owner) {
      this.owner = owner;
    }

    /** A reader of what the store holds: a replay reads only what an earlier run wrote. */
    @Override
    public ObjectReader newReader() {
      return owner.repository.newObjectReader();
    }

    @Override
    public ObjectId insert(int type, byte[] data, int off, int len) {
      return idFor(type, data, off, len);
    }

    @Override
    public ObjectId insert(int type, long length, java.io.InputStream in) throws IOException {
      return idFor(type, length, in);
    }
  }

  private ChannelRepo(String channel, Repository repository) {
    this.channel = channel;
    this.repository = repository;
  }

  /** Opens the bare repository of {@code channel} under {@code store}, creating it if needed. */
  static ChannelRepo open(Path store, String channel) {
    Path dir = store.resolve(channel + ".git");
    try {
      FileRepository repository = new FileRepository(dir.toFile());
      if (!Files.exists(dir.resolve("HEAD"))) {
        repository.create(true);
        RefUpdate head = repository.updateRef(Constants.HEAD);
        head.disableRefLog();
        head.link(Constants.R_HEADS + "main");
        StoredConfig config = repository.getConfig();
        config.setString("threadbare", null, "channel", channel);
        config.setInt(ConfigConstants.CONFIG_GC_SECTION, null, "auto", 0);
        config.save();
      }
      return new ChannelRepo(channel, repository);
    } catch (IOException e) {
      throw new GitStoreException(
          "cannot open or create the git repository " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Live: a pack inserter flushed at the end of the batch. Dry (replay): ids only. */
  ObjectInserter inserter(boolean live) {
    if (!live) {
      return dryInserter;
    }
    if (packInserter == null) {
      packInserter = ((FileRepository) repository).getObjectDatabase().newPackInserter();
      // Duplicates across packs are harmless; checking every insert against every pack is not.
      packInserter.checkExisting(false);
      // Most of a commit's cost is deflating its trees and blob: trade a little size for speed.
      packInserter.setCompressionLevel(java.util.zip.Deflater.BEST_SPEED);
    }
    return packInserter;
  }

  /** A reader that also sees the objects of the current batch. */
  ObjectReader reader(boolean live) {
    if (live) {
      if (liveReader == null) {
        inserter(true);
        liveReader = packInserter.newReader();
      }
      return liveReader;
    }
    if (dryReader == null) {
      dryReader = repository.newObjectReader();
    }
    return dryReader;
  }

  /**
   * Notes that a branch's ref must move at the next flush. Replayed (dry) changes never move refs:
   * the refs already hold them, or are ahead after a crash and get the same values again.
   */
  void markDirty(long lineage, boolean live) {
    if (live) {
      dirty.add(lineage);
    }
  }

  /** Writes the batch's objects, then points the refs at them: refs never name missing objects. */
  void flush() throws IOException {
    var lock = Repacker.INSTANCE.batchLock(repository.getDirectory());
    lock.lock();
    try {
      flushBatch();
    } finally {
      lock.unlock();
    }
  }

  private void flushBatch() throws IOException {
    boolean wrotePack = false;
    if (packInserter != null) {
      packInserter.flush();
      wrotePack = true;
      if (liveReader != null) {
        liveReader.close();
      }
      packInserter.close();
      liveReader = null;
      packInserter = null;
    }
    if (dryReader != null) {
      dryReader.close();
      dryReader = null;
    }
    if (dirty.isEmpty()) {
      if (wrotePack) {
        Repacker.INSTANCE.packAdded(repository.getDirectory());
      }
      return;
    }
    BatchRefUpdate update = repository.getRefDatabase().newBatchUpdate();
    update.setAtomic(true);
    update.setAllowNonFastForwards(true);
    update.setRefLogMessage(null, false);
    update.disableRefLog();
    for (long lineage : dirty) {
      String name = Constants.R_HEADS + branchName(lineage);
      Ref current = repository.exactRef(name);
      ObjectId old = current == null ? ObjectId.zeroId() : current.getObjectId();
      ObjectId target = heads.get(lineage).commit();
      if (!old.equals(target)) {
        update.addCommand(new ReceiveCommand(old, target, name));
      }
    }
    dirty.clear();
    if (update.getCommands().isEmpty()) {
      return;
    }
    try (RevWalk walk = new RevWalk(repository)) {
      update.execute(walk, NullProgressMonitor.INSTANCE);
    }
    if (wrotePack) {
      // After the refs: a full repack then takes this batch's objects too.
      Repacker.INSTANCE.packAdded(repository.getDirectory());
    }
    for (ReceiveCommand command : update.getCommands()) {
      if (command.getResult() != ReceiveCommand.Result.OK) {
        throw new GitStoreException(
            "cannot update "
                + command.getRefName()
                + " in "
                + repository.getDirectory()
                + ": "
                + command.getResult()
                + " "
                + command.getMessage());
      }
    }
  }

  /** Records the channel's name (from a CHANNEL journal entry) in the repository config. */
  void name(String name) throws IOException {
    StoredConfig config = repository.getConfig();
    if (!name.equals(config.getString("threadbare", null, "name"))) {
      config.setString("threadbare", null, "name", name);
      config.save();
    }
    File description = new File(repository.getDirectory(), "description");
    Files.writeString(description.toPath(), name + "\n", StandardCharsets.UTF_8);
  }

  /** The branch name of a lineage: {@code main} or {@code thread/<root ts>}. */
  static String branchName(long lineage) {
    return lineage == ChannelIndex.MAIN ? "main" : "thread/" + Timestamps.text(lineage);
  }

  @Override
  public void close() {
    Repacker.INSTANCE.awaitIdle(repository.getDirectory());
    if (liveReader != null) {
      liveReader.close();
    }
    if (packInserter != null) {
      packInserter.close();
    }
    if (dryReader != null) {
      dryReader.close();
    }
    repository.close();
  }
}
