package dev.threadbare.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.function.Function;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * {@link SourceTrees} over git repositories, one per channel (the materializer's store). Thread
 * safe when the repository lookup is.
 */
public final class GitSourceTrees implements SourceTrees {

  private final Function<String, Repository> repositories;

  /** Reads {@code repositories.apply(channel)}; the function may return null for no repository. */
  public GitSourceTrees(Function<String, Repository> repositories) {
    this.repositories = repositories;
  }

  @Override
  public Optional<String> readFile(String channel, String commit, String path) {
    Repository repo = repository(channel);
    try (RevWalk walk = new RevWalk(repo)) {
      RevCommit c = walk.parseCommit(ObjectId.fromString(commit));
      try (TreeWalk tw = TreeWalk.forPath(repo, path, c.getTree())) {
        if (tw == null || (tw.getRawMode(0) & FileMode.TYPE_MASK) != FileMode.TYPE_FILE) {
          return Optional.empty();
        }
        return Optional.of(
            new String(repo.open(tw.getObjectId(0)).getBytes(), StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + path + " at " + commit + ": " + e, e);
    }
  }

  @Override
  public void checkout(String channel, String commit, Path target) {
    Repository repo = repository(channel);
    try (RevWalk walk = new RevWalk(repo);
        TreeWalk tw = new TreeWalk(repo)) {
      tw.addTree(walk.parseCommit(ObjectId.fromString(commit)).getTree());
      tw.setRecursive(true);
      while (tw.next()) {
        FileMode mode = tw.getFileMode(0);
        if ((mode.getBits() & FileMode.TYPE_MASK) != FileMode.TYPE_FILE) {
          continue; // symlinks and submodules are not deployed
        }
        Path file = target.resolve(tw.getPathString()).normalize();
        if (!file.startsWith(target)) {
          throw new DeployException("path " + tw.getPathString() + " leaves the checkout");
        }
        Files.createDirectories(file.getParent());
        Files.write(file, repo.open(tw.getObjectId(0)).getBytes());
        if (mode == FileMode.EXECUTABLE_FILE) {
          Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("checking out " + commit + ": " + e, e);
    }
  }

  private Repository repository(String channel) {
    Repository repo = repositories.apply(channel);
    if (repo == null) {
      throw new DeployException("channel " + channel + " has no repository");
    }
    return repo;
  }
}
