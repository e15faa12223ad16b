package dev.threadbare.gitserve;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.internal.storage.file.FileRepository;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * Builds bare repositories shaped like the materializer's: branches {@code main} and {@code
 * thread/<ts>}, authors {@code Name <USERID@TEAM.chat>} at the message ts, a {@code Chat-Message}
 * trailer. Real JGit objects, no mocks. Not thread safe; close when done.
 */
public final class ChannelRepos implements AutoCloseable {
  static final String TEAM = "T0TEAM";
  private final Repository repository;
  private long clock = 1_712_000_000L;

  private ChannelRepos(Repository repository) {
    this.repository = repository;
  }

  public static ChannelRepos createBare(Path dir) throws IOException {
    Repository repository = new FileRepository(dir.toFile());
    repository.create(true);
    RefUpdate head = repository.updateRef(Constants.HEAD);
    head.link("refs/heads/main");
    return new ChannelRepos(repository);
  }

  public Repository repository() {
    return repository;
  }

  public static String permalink(String channelId, String ts) {
    return "https://example.slack.com/archives/" + channelId + "/p" + ts.replace(".", "");
  }

  /**
   * Commits on {@code branch} the files given (null content removes a path), as a message by {@code
   * user}; returns the commit.
   */
  public RevCommit commit(
      String branch, String userId, String userName, String text, Map<String, String> files)
      throws IOException {
    clock += 60;
    String ts = clock + ".000100";
    return commitAt(branch, userId, userName, text, files, ts, permalink("C0CHAN", ts));
  }

  /**
   * Commits on {@code branch} a merge of {@code other} (second parent), with the files given on top
   * of {@code branch}'s tree, as the materializer's {@code merge} does.
   */
  public RevCommit merge(
      String branch, String other, String userId, String userName, Map<String, String> files)
      throws IOException {
    clock += 60;
    String ts = clock + ".000100";
    return commitAt(
        branch,
        userId,
        userName,
        "Merge " + other,
        files,
        ts,
        permalink("C0CHAN", ts),
        repository.resolve("refs/heads/" + other));
  }

  public RevCommit commitAt(
      String branch,
      String userId,
      String userName,
      String text,
      Map<String, String> files,
      String ts,
      String permalink)
      throws IOException {
    return commitAt(branch, userId, userName, text, files, ts, permalink, null);
  }

  private RevCommit commitAt(
      String branch,
      String userId,
      String userName,
      String text,
      Map<String, String> files,
      String ts,
      String permalink,
      ObjectId secondParent)
      throws IOException {
    ObjectId parent = repository.resolve("refs/heads/" + branch);
    Map<String, ObjectId> tree = new LinkedHashMap<>();
    try (ObjectInserter inserter = repository.newObjectInserter()) {
      if (parent != null) {
        try (RevWalk walk = new RevWalk(repository);
            TreeWalk treeWalk = new TreeWalk(repository)) {
          treeWalk.addTree(walk.parseCommit(parent).getTree());
          treeWalk.setRecursive(true);
          while (treeWalk.next()) {
            tree.put(treeWalk.getPathString(), treeWalk.getObjectId(0));
          }
        }
      }
      for (Map.Entry<String, String> file : files.entrySet()) {
        if (file.getValue() == null) {
          tree.remove(file.getKey());
        } else {
          tree.put(
              file.getKey(),
              inserter.insert(
                  Constants.OBJ_BLOB, file.getValue().getBytes(StandardCharsets.UTF_8)));
        }
      }
      DirCache index = DirCache.newInCore();
      DirCacheBuilder builder = index.builder();
      tree.entrySet().stream()
          .sorted(Map.Entry.comparingByKey())
          .forEach(
              e -> {
                DirCacheEntry entry = new DirCacheEntry(e.getKey());
                entry.setFileMode(FileMode.REGULAR_FILE);
                entry.setObjectId(e.getValue());
                builder.add(entry);
              });
      builder.finish();
      ObjectId treeId = index.writeTree(inserter);
      Instant when = Instant.ofEpochSecond(Long.parseLong(ts.substring(0, ts.indexOf('.'))));
      CommitBuilder commit = new CommitBuilder();
      commit.setTreeId(treeId);
      if (parent != null && secondParent != null) {
        commit.setParentIds(parent, secondParent);
      } else if (parent != null) {
        commit.setParentId(parent);
      }
      commit.setAuthor(
          new PersonIdent(userName, userId + "@" + TEAM + ".chat", when, ZoneOffset.UTC));
      commit.setCommitter(
          new PersonIdent(
              "threadbare", "threadbare@" + TEAM + ".chat", when.plusSeconds(1), ZoneOffset.UTC));
      commit.setMessage(text + "\n\nChat-Message: " + permalink + "\n");
      ObjectId id = inserter.insert(commit);
      inserter.flush();
      RefUpdate update = repository.updateRef("refs/heads/" + branch);
      update.setNewObjectId(id);
      update.setForceUpdate(true);
      RefUpdate.Result result = update.update();
      if (result != RefUpdate.Result.NEW
          && result != RefUpdate.Result.FAST_FORWARD
          && result != RefUpdate.Result.FORCED) {
        throw new IOException("cannot update " + branch + ": " + result);
      }
      try (RevWalk walk = new RevWalk(repository)) {
        return walk.parseCommit(id);
      }
    }
  }

  /** Forks {@code thread/<ts>} from {@code main} as it stands. */
  public void fork(String thread) throws IOException {
    RefUpdate update = repository.updateRef("refs/heads/" + thread);
    update.setNewObjectId(repository.resolve("refs/heads/main"));
    update.update();
  }

  @Override
  public void close() {
    repository.close();
  }
}
