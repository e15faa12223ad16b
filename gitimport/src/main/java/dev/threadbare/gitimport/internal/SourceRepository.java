package dev.threadbare.gitimport.internal;

import dev.threadbare.gitimport.SourceUnreadableException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * The repository being imported: a local path, or a URL cloned (bare) into a temporary directory
 * that {@link #close()} deletes. Not thread safe; one import at a time.
 */
public final class SourceRepository implements AutoCloseable {

  /** One entry of a tree: its path, its git mode and, for blobs, its bytes (never modified). */
  @SuppressWarnings("ArrayRecordComponent") // read once from the object database, not shared
  public record Entry(String path, FileMode mode, ObjectId id, byte[] bytes) {}

  /** One commit of the first-parent history. */
  public record Commit(
      String id,
      String authorName,
      String authorEmail,
      java.time.Instant when,
      String message,
      List<Entry> tree) {}

  private final Repository repository;
  private final Path clone;
  private final String link;

  private SourceRepository(Repository repository, Path clone, String link) {
    this.repository = repository;
    this.clone = clone;
    this.link = link;
  }

  /** Opens {@code pathOrUrl}: a local repository (work tree or bare), else a URL to clone. */
  public static SourceRepository open(String pathOrUrl) {
    Objects.requireNonNull(pathOrUrl, "pathOrUrl");
    if (looksLikeUrl(pathOrUrl)) {
      Path dir;
      try {
        dir = Files.createTempDirectory("threadbare-import-");
      } catch (IOException e) {
        throw new SourceUnreadableException("cannot create a directory to clone into", e);
      }
      try {
        Git.cloneRepository()
            .setURI(pathOrUrl)
            .setBare(true)
            .setDirectory(dir.toFile())
            .call()
            .close();
        Repository cloned = new FileRepositoryBuilder().setGitDir(dir.toFile()).build();
        return new SourceRepository(cloned, dir, webLink(pathOrUrl));
      } catch (GitAPIException | IOException | RuntimeException e) {
        deleteTree(dir);
        throw new SourceUnreadableException(
            "cannot clone `"
                + pathOrUrl
                + "`: "
                + e.getMessage()
                + " (check the URL and that `git clone` works with it)",
            e);
      }
    }
    File dir = new File(pathOrUrl);
    if (!dir.exists()) {
      throw new SourceUnreadableException(
          "`" + pathOrUrl + "` does not exist: give a repository directory or a URL to clone",
          null);
    }
    try {
      FileRepositoryBuilder builder = new FileRepositoryBuilder().readEnvironment();
      builder.findGitDir(dir);
      if (builder.getGitDir() == null) {
        builder.setGitDir(dir);
      }
      Repository repository = builder.setMustExist(true).build();
      if (!repository.getObjectDatabase().exists()) {
        repository.close();
        throw new SourceUnreadableException(
            "`" + pathOrUrl + "` is not a git repository: run `git init` and commit first", null);
      }
      return new SourceRepository(repository, null, null);
    } catch (IOException | IllegalArgumentException e) {
      throw new SourceUnreadableException(
          "`" + pathOrUrl + "` is not a git repository (" + e.getMessage() + ")", e);
    }
  }

  static boolean looksLikeUrl(String s) {
    return s.contains("://") || (s.startsWith("git@") && s.contains(":"));
  }

  private static String webLink(String url) {
    String link = url.endsWith(".git") ? url.substring(0, url.length() - 4) : url;
    return link.startsWith("http://") || link.startsWith("https://") ? link : null;
  }

  /** The web link of a cloned https source (without {@code .git}), else null. */
  public String link() {
    return link;
  }

  /** HEAD's commit. */
  public Commit head() {
    List<Commit> commits = commits(true);
    return commits.get(commits.size() - 1);
  }

  /** The first-parent history, oldest first. */
  public List<Commit> history() {
    return commits(false);
  }

  private List<Commit> commits(boolean headOnly) {
    try (RevWalk walk = new RevWalk(repository)) {
      ObjectId head = repository.resolve(Constants.HEAD);
      if (head == null) {
        throw new SourceUnreadableException(
            "`" + repository.getDirectory() + "` has no commit at HEAD: commit something first",
            null);
      }
      List<Commit> commits = new ArrayList<>();
      RevCommit commit = walk.parseCommit(head);
      while (commit != null) {
        walk.parseBody(commit);
        commits.add(
            new Commit(
                commit.name(),
                commit.getAuthorIdent().getName(),
                commit.getAuthorIdent().getEmailAddress(),
                commit.getAuthorIdent().getWhenAsInstant(),
                commit.getFullMessage(),
                tree(commit)));
        if (headOnly || commit.getParentCount() == 0) {
          break;
        }
        commit = walk.parseCommit(commit.getParent(0));
      }
      Collections.reverse(commits);
      return commits;
    } catch (IOException e) {
      throw new SourceUnreadableException(
          "cannot read the history of `" + repository.getDirectory() + "`: " + e.getMessage(), e);
    }
  }

  private List<Entry> tree(RevCommit commit) throws IOException {
    List<Entry> entries = new ArrayList<>();
    try (TreeWalk walk = new TreeWalk(repository);
        ObjectReader reader = repository.newObjectReader()) {
      walk.addTree(commit.getTree());
      walk.setRecursive(true);
      while (walk.next()) {
        FileMode mode = walk.getFileMode(0);
        ObjectId id = walk.getObjectId(0);
        byte[] bytes =
            mode.getObjectType() == Constants.OBJ_BLOB
                ? reader.open(id, Constants.OBJ_BLOB).getCachedBytes(Integer.MAX_VALUE)
                : new byte[0];
        entries.add(new Entry(walk.getPathString(), mode, id, bytes));
      }
    }
    return entries;
  }

  @Override
  public void close() {
    repository.close();
    if (clone != null) {
      deleteTree(clone);
    }
  }

  private static void deleteTree(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A leftover temporary clone is harmless; the OS cleans its temp directory.
    }
  }
}
