package dev.threadbare.materializer;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.Deflater;
import org.eclipse.jgit.internal.storage.file.FileRepository;
import org.eclipse.jgit.internal.storage.file.Pack;
import org.eclipse.jgit.internal.storage.file.PackIndex;
import org.eclipse.jgit.internal.storage.pack.PackWriter;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.revwalk.RevObject;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.pack.PackConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each channel's object store small and fast to clone, in the background: the materializer
 * writes one quick pack per batch (whole objects, {@code BEST_SPEED}); after each, this rolls the
 * small packs together geometrically (as {@code git repack --geometric=2}: the packs that would
 * break a progression where each is at least twice the sum of the smaller ones) into one
 * delta-compressed pack written by JGit's {@link PackWriter} (delta search, reusing existing
 * deltas); when that would take every pack, it writes one pack of everything reachable from the
 * refs, with a reachability bitmap for fast clones.
 *
 * <p>Never blocking: it runs on one low-priority daemon thread, and readers and the writer go on.
 * Never unsafe: a new pack is complete (pack, bitmap, then index: the index makes it visible)
 * before any old one goes, and an old pack is deleted only when every object in it is in the new
 * pack, so objects written meanwhile, or not yet named by a ref, are never lost. Thread safe.
 */
final class Repacker {
  private static final Logger LOG = LoggerFactory.getLogger(Repacker.class);

  /** The one background repacker of this process. */
  static final Repacker INSTANCE = new Repacker();

  private static final int FACTOR = 2;

  private final ExecutorService thread =
      Executors.newSingleThreadExecutor(
          runnable -> {
            Thread t = new Thread(runnable, "threadbare-repack");
            t.setDaemon(true);
            t.setPriority(Thread.MIN_PRIORITY);
            return t;
          });
  private final Map<File, Future<?>> pending = new ConcurrentHashMap<>();
  private final Map<File, java.util.concurrent.locks.ReentrantLock> batches =
      new ConcurrentHashMap<>();

  /** Pack names this process wrote with delta search; other packs without a bitmap are raw. */
  private final Set<String> deltified = ConcurrentHashMap.newKeySet();

  private Repacker() {}

  /**
   * The lock a writer holds from writing a batch's pack until the refs name its objects; the
   * repacker reads the packs and the refs under it, so it never sees a batch half done.
   */
  java.util.concurrent.locks.ReentrantLock batchLock(File gitDir) {
    return batches.computeIfAbsent(gitDir, d -> new java.util.concurrent.locks.ReentrantLock());
  }

  /** Called after the writer added a pack to {@code repository}: repack soon if worthwhile. */
  void packAdded(File gitDir) {
    pending.computeIfAbsent(
        gitDir,
        dir ->
            thread.submit(
                () -> {
                  try {
                    repack(dir);
                  } catch (IOException | RuntimeException e) {
                    LOG.warn("background repack of {} failed (the store is unchanged)", dir, e);
                  } finally {
                    pending.remove(dir);
                  }
                }));
  }

  /** Waits (a bounded time) for a queued or running repack of {@code gitDir} to end. */
  void awaitIdle(File gitDir) {
    Future<?> job = pending.get(gitDir);
    if (job == null) {
      return;
    }
    try {
      job.get(2, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
      LOG.warn("repack of {} did not finish: {}", gitDir, e.toString());
    }
  }

  /** Repacks {@code gitDir} now, on the calling thread, if its packs are out of progression. */
  void repack(File gitDir) throws IOException {
    try (FileRepository repository = new FileRepository(gitDir)) {
      List<Pack> packs;
      Set<ObjectId> tips = new HashSet<>();
      var lock = batchLock(gitDir);
      lock.lock();
      try {
        packs = new ArrayList<>(repository.getObjectDatabase().getPacks());
        for (Ref ref : repository.getRefDatabase().getRefs()) {
          Ref peeled = ref.isPeeled() ? ref : repository.getRefDatabase().peel(ref);
          if (peeled.getObjectId() != null) {
            tips.add(peeled.getObjectId());
          }
        }
      } finally {
        lock.unlock();
      }
      List<Pack> roll = toRoll(packs);
      if (roll.isEmpty()) {
        return;
      }
      boolean everything = roll.size() == packs.size();
      write(repository, roll, everything, tips);
    }
  }

  /**
   * Which packs to roll into one: the geometric rule over object counts, plus every raw pack (one
   * the materializer wrote without delta search) so that no object stays undeltified. Empty when
   * nothing is worth doing.
   */
  List<Pack> toRoll(List<Pack> packs) {
    List<Pack> sorted = new ArrayList<>(packs);
    sorted.sort(Comparator.comparingLong(Repacker::count));
    int n = sorted.size();
    int split = 0;
    for (int i = n - 1; i > 0; i--) {
      if (count(sorted.get(i)) < FACTOR * count(sorted.get(i - 1))) {
        split = i;
        break;
      }
    }
    long rolled = 0;
    for (int i = 0; i < split; i++) {
      rolled += count(sorted.get(i));
    }
    while (split < n && count(sorted.get(split)) < FACTOR * rolled) {
      rolled += count(sorted.get(split));
      split++;
    }
    Set<Pack> roll = new HashSet<>(sorted.subList(0, split));
    for (Pack pack : sorted) {
      if (isRaw(pack)) {
        roll.add(pack);
      }
    }
    if (roll.size() == 1 && !isRaw(roll.iterator().next())) {
      return List.of();
    }
    if (roll.size() == 1 && n == 1 && count(sorted.get(0)) == 0) {
      return List.of();
    }
    List<Pack> out = new ArrayList<>(roll);
    out.sort(Comparator.comparingLong(Repacker::count));
    return out;
  }

  private static long count(Pack pack) {
    try {
      return pack.getIndex().getObjectCount();
    } catch (IOException e) {
      return 0;
    }
  }

  private boolean isRaw(Pack pack) {
    String name = pack.getPackName();
    return !deltified.contains(name)
        && !pack.getPackFile()
            .create(org.eclipse.jgit.internal.storage.pack.PackExt.BITMAP_INDEX)
            .exists();
  }

  private void write(
      FileRepository repository, List<Pack> roll, boolean everything, Set<ObjectId> want)
      throws IOException {
    if (everything && want.isEmpty()) {
      return;
    }
    List<PackIndex> written = new ArrayList<>();
    Set<String> kept = new HashSet<>();
    try (ObjectReader reader = repository.newObjectReader()) {
      Written main =
          everything
              ? writeOne(
                  repository,
                  reader,
                  true,
                  writer -> writer.preparePack(NullProgressMonitor.INSTANCE, want, Set.of()))
              : writeOne(
                  repository,
                  reader,
                  false,
                  writer -> writer.preparePack(objectsOf(reader, roll, List.of())));
      written.add(main.index());
      kept.add(main.id());
      if (everything) {
        // What no ref reaches still stays (the materializer may name a blob again later: an
        // older version coming back): in a small pack of its own, like git's cruft packs.
        Iterator<RevObject> rest = objectsOf(reader, roll, written);
        if (rest.hasNext()) {
          Written orphans = writeOne(repository, reader, false, writer -> writer.preparePack(rest));
          written.add(orphans.index());
          kept.add(orphans.id());
        }
      }
    }
    for (Pack old : roll) {
      if (!kept.contains(old.getPackName()) && allIn(old, written)) {
        delete(old);
      }
    }
    repository.getObjectDatabase().getPacks(); // rescans
  }

  /** A pack written and installed: its name and its index. */
  private record Written(String id, PackIndex index) {}

  @FunctionalInterface
  private interface Preparation {
    void prepare(PackWriter writer) throws IOException;
  }

  /**
   * Writes one pack with delta search (and a bitmap when {@code bitmap}), installs it (pack,
   * bitmap, then index, which makes it visible) and returns its index.
   */
  private Written writeOne(
      FileRepository repository, ObjectReader reader, boolean bitmapWanted, Preparation preparation)
      throws IOException {
    PackConfig config = new PackConfig(repository);
    config.setDeltaCompress(true);
    config.setReuseDeltas(true);
    // Whole objects are reused as they are, never searched for a delta: search them all.
    config.setReuseObjects(false);
    config.setDeltaSearchWindowSize(10);
    config.setMaxDeltaDepth(50);
    config.setCompressionLevel(Deflater.DEFAULT_COMPRESSION);
    config.setThreads(1);
    config.setBuildBitmaps(bitmapWanted);
    File packDir = repository.getObjectDatabase().getPackDirectory();
    Path tmpPack = Files.createTempFile(packDir.toPath(), ".repack-", ".pack");
    Path tmpIdx = Files.createTempFile(packDir.toPath(), ".repack-", ".idx");
    Path tmpBitmap = Files.createTempFile(packDir.toPath(), ".repack-", ".bitmap");
    try (PackWriter writer = new PackWriter(config, reader)) {
      writer.setDeltaBaseAsOffset(true);
      writer.setReuseDeltaCommits(true);
      preparation.prepare(writer);
      try (OutputStream out = Files.newOutputStream(tmpPack)) {
        writer.writePack(NullProgressMonitor.INSTANCE, NullProgressMonitor.INSTANCE, out);
      }
      try (OutputStream out = Files.newOutputStream(tmpIdx)) {
        writer.writeIndex(out);
      }
      // Named by its content (the pack's trailing checksum, as git names packs), not by its
      // object set: a rewrite of the same objects then gets a new name and never replaces a file
      // that a reader (JGit, or git itself) may hold open, pack and index renamed one at a time.
      String id = trailingChecksum(tmpPack);
      boolean bitmap = bitmapWanted && writer.prepareBitmapIndex(NullProgressMonitor.INSTANCE);
      if (bitmap) {
        try (OutputStream out = Files.newOutputStream(tmpBitmap)) {
          writer.writeBitmapIndex(
              new org.eclipse.jgit.internal.storage.file.PackBitmapIndexWriterV1(out));
        }
      }
      String name = "pack-" + id;
      Path pack = packDir.toPath().resolve(name + ".pack");
      Path idx = packDir.toPath().resolve(name + ".idx");
      if (!Files.exists(idx)) {
        // An existing pack of this name has these very bytes: it stays as it is.
        tmpPack.toFile().setReadOnly();
        tmpIdx.toFile().setReadOnly();
        move(tmpPack, pack);
        if (bitmap) {
          tmpBitmap.toFile().setReadOnly();
          move(tmpBitmap, packDir.toPath().resolve(name + ".bitmap"));
        }
        move(tmpIdx, idx);
      }
      deltified.add(id);
      try (var in = Files.newInputStream(idx)) {
        return new Written(id, PackIndex.read(in));
      }
    } finally {
      Files.deleteIfExists(tmpPack);
      Files.deleteIfExists(tmpIdx);
      Files.deleteIfExists(tmpBitmap);
    }
  }

  /**
   * The objects of the packs to roll that none of {@code exclude} holds, for {@link
   * PackWriter#preparePack(Iterator)}.
   */
  private static Iterator<RevObject> objectsOf(
      ObjectReader reader, List<Pack> roll, List<PackIndex> exclude) throws IOException {
    List<RevObject> objects = new ArrayList<>();
    Set<ObjectId> seen = new HashSet<>();
    try (RevWalk walk = new RevWalk(reader)) {
      for (Pack pack : roll) {
        for (PackIndex.MutableEntry entry : pack) {
          ObjectId id = entry.toObjectId();
          if (seen.add(id) && exclude.stream().noneMatch(index -> index.hasObject(id))) {
            objects.add(walk.lookupAny(id, reader.open(id).getType()));
          }
        }
      }
    }
    return objects.iterator();
  }

  private static boolean allIn(Pack old, List<PackIndex> written) {
    for (PackIndex.MutableEntry entry : old) {
      ObjectId id = entry.toObjectId();
      if (written.stream().noneMatch(index -> index.hasObject(id))) {
        return false;
      }
    }
    return true;
  }

  /** Deletes a pack's index first (so nobody starts to use it), then its other files. */
  private static void delete(Pack old) throws IOException {
    var packFile = old.getPackFile();
    Files.deleteIfExists(
        packFile.create(org.eclipse.jgit.internal.storage.pack.PackExt.INDEX).toPath());
    for (var ext : org.eclipse.jgit.internal.storage.pack.PackExt.values()) {
      if (ext != org.eclipse.jgit.internal.storage.pack.PackExt.INDEX) {
        Files.deleteIfExists(packFile.create(ext).toPath());
      }
    }
  }

  /** The SHA-1 a pack file ends with, in hex. */
  private static String trailingChecksum(Path pack) throws IOException {
    try (var file = java.nio.channels.FileChannel.open(pack)) {
      java.nio.ByteBuffer tail = java.nio.ByteBuffer.allocate(Constants.OBJECT_ID_LENGTH);
      long at = file.size() - Constants.OBJECT_ID_LENGTH;
      while (tail.hasRemaining()) {
        if (file.read(tail, at + tail.position()) < 0) {
          throw new IOException("pack " + pack + " is shorter than its checksum");
        }
      }
      return ObjectId.fromRaw(tail.array()).name();
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to);
    }
  }
}
