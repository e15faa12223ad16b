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

  /** Pack names this process wrote with delta search; other packs without a bitmap are raw. */
  private final Set<String> deltified = ConcurrentHashMap.newKeySet();

  private Repacker() {}

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
      List<Pack> packs = new ArrayList<>(repository.getObjectDatabase().getPacks());
      List<Pack> roll = toRoll(packs);
      if (roll.isEmpty()) {
        return;
      }
      boolean everything = roll.size() == packs.size();
      write(repository, roll, everything);
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

  private void write(FileRepository repository, List<Pack> roll, boolean everything)
      throws IOException {
    PackConfig config = new PackConfig(repository);
    config.setDeltaCompress(true);
    config.setReuseDeltas(true);
    config.setReuseObjects(false);
    config.setDeltaSearchWindowSize(10);
    config.setMaxDeltaDepth(50);
    config.setCompressionLevel(Deflater.DEFAULT_COMPRESSION);
    config.setThreads(1);
    config.setBuildBitmaps(everything);
    File packDir = repository.getObjectDatabase().getPackDirectory();
    Path tmpPack = Files.createTempFile(packDir.toPath(), ".repack-", ".pack");
    Path tmpIdx = Files.createTempFile(packDir.toPath(), ".repack-", ".idx");
    Path tmpBitmap = Files.createTempFile(packDir.toPath(), ".repack-", ".bitmap");
    try (ObjectReader reader = repository.newObjectReader();
        PackWriter writer = new PackWriter(config, reader)) {
      writer.setDeltaBaseAsOffset(true);
      writer.setReuseDeltaCommits(true);
      if (everything) {
        Set<ObjectId> want = new HashSet<>();
        for (Ref ref : repository.getRefDatabase().getRefs()) {
          Ref peeled = ref.isPeeled() ? ref : repository.getRefDatabase().peel(ref);
          if (peeled.getObjectId() != null) {
            want.add(peeled.getObjectId());
          }
        }
        if (want.isEmpty()) {
          return;
        }
        writer.preparePack(NullProgressMonitor.INSTANCE, want, Set.of());
      } else {
        writer.preparePack(objectsOf(repository, reader, roll));
      }
      try (OutputStream out = Files.newOutputStream(tmpPack)) {
        writer.writePack(NullProgressMonitor.INSTANCE, NullProgressMonitor.INSTANCE, out);
      }
      try (OutputStream out = Files.newOutputStream(tmpIdx)) {
        writer.writeIndex(out);
      }
      String id = writer.computeName().name();
      boolean bitmap = everything && writer.prepareBitmapIndex(NullProgressMonitor.INSTANCE);
      if (bitmap) {
        try (OutputStream out = Files.newOutputStream(tmpBitmap)) {
          writer.writeBitmapIndex(
              new org.eclipse.jgit.internal.storage.file.PackBitmapIndexWriterV1(out));
        }
      }
      String name = "pack-" + id;
      Path pack = packDir.toPath().resolve(name + ".pack");
      Path idx = packDir.toPath().resolve(name + ".idx");
      boolean sameName = Files.exists(idx);
      if (sameName && !roll.stream().anyMatch(p -> p.getPackName().equals(id) && isRaw(p))) {
        // The same objects again, already packed well: keep what is there.
        deltified.add(id);
        return;
      }
      // A pack of exactly the same objects has the same name: the new one replaces it by rename
      // (pack, bitmap, then index); a reader holding the old one keeps its open file, and JGit
      // notices a changed pack by its checksum and rereads.
      tmpPack.toFile().setReadOnly();
      tmpIdx.toFile().setReadOnly();
      move(tmpPack, pack);
      if (bitmap) {
        tmpBitmap.toFile().setReadOnly();
        move(tmpBitmap, packDir.toPath().resolve(name + ".bitmap"));
      }
      deltified.add(id);
      move(tmpIdx, idx);
      PackIndex written;
      try (var in = Files.newInputStream(idx)) {
        written = PackIndex.read(in);
      }
      for (Pack old : roll) {
        if (old.getPackName().equals(id) || !allIn(old, written)) {
          // Replaced in place, or holds objects the new pack lacks (written meanwhile): kept.
          continue;
        }
        delete(old);
      }
      repository.getObjectDatabase().getPacks(); // rescans
    } finally {
      Files.deleteIfExists(tmpPack);
      Files.deleteIfExists(tmpIdx);
      Files.deleteIfExists(tmpBitmap);
    }
  }

  /** Every object of the packs to roll, for {@link PackWriter#preparePack(Iterator)}. */
  private static Iterator<RevObject> objectsOf(
      FileRepository repository, ObjectReader reader, List<Pack> roll) throws IOException {
    List<RevObject> objects = new ArrayList<>();
    Set<ObjectId> seen = new HashSet<>();
    try (RevWalk walk = new RevWalk(reader)) {
      for (Pack pack : roll) {
        for (PackIndex.MutableEntry entry : pack) {
          ObjectId id = entry.toObjectId();
          if (seen.add(id)) {
            int type = reader.open(id).getType();
            objects.add(walk.lookupAny(id, type));
          }
        }
      }
    }
    return objects.iterator();
  }

  private static boolean allIn(Pack old, PackIndex written) {
    for (PackIndex.MutableEntry entry : old) {
      if (!written.hasObject(entry.toObjectId())) {
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

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to);
    }
  }
}
