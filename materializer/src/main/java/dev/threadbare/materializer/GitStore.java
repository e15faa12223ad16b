package dev.threadbare.materializer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.ResetCommand;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.errors.RepositoryNotFoundException;
import org.eclipse.jgit.lib.AbbreviatedObjectId;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.RepositoryCache;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.PathFilter;
import org.eclipse.jgit.util.FS;

/**
 * The read side of the git store written by the {@link Materializer}: channels, refs, trees, files,
 * history and export. Every call opens and closes what it needs, so a GitStore is cheap, holds no
 * resources and is thread safe.
 *
 * <p>A REF is a branch ({@code main}, {@code thread/<root ts>}), a commit id or a unique prefix of
 * at least 4 hex digits, {@code BRANCH@N} (the Nth commit of the branch, 1-based: {@code main@1} is
 * main's first commit; a thread's commits are counted from its fork, so {@code thread/<ts>@1} is
 * its first reply's commit), or a message permalink (the newest commit whose {@code Chat-Message}
 * trailer is that link).
 */
public final class GitStore {

  private static final Pattern NUMBERED = Pattern.compile("(.+)@([0-9]{1,9})");
  private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]{4,40}");
  private static final Pattern TRAILER = Pattern.compile("(?m)^(Chat-Message|Chat-Event): (.*)$");

  private final Path dir;

  private GitStore(Path dir) {
    this.dir = dir;
  }

  /** The store in {@code dir} (which may not exist yet: it then has no channels). */
  public static GitStore open(Path dir) {
    return new GitStore(Objects.requireNonNull(dir, "dir"));
  }

  /** The store's directory. */
  public Path directory() {
    return dir;
  }

  /** The channel ids that have a repository, sorted. */
  public List<String> channels() {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> list = Files.list(dir)) {
      return list.filter(p -> Files.exists(p.resolve("HEAD")))
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".git"))
          .map(n -> n.substring(0, n.length() - 4))
          .filter(GitPaths::isChannelId)
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new GitStoreException("cannot list the git store " + dir + ": " + e, e);
    }
  }

  /** The channel's name as last seen in the journal, or null. */
  public String channelName(String channelId) {
    try (Repository repo = repository(channelId)) {
      return repo.getConfig().getString("threadbare", null, "name");
    }
  }

  /** The id of the channel named {@code idOrName} (an id, or a name with or without {@code #}). */
  public String channelId(String idOrName) {
    Objects.requireNonNull(idOrName, "channel");
    List<String> channels = channels();
    if (channels.contains(idOrName)) {
      return idOrName;
    }
    String name = idOrName.startsWith("#") ? idOrName.substring(1) : idOrName;
    List<String> named = channels.stream().filter(c -> name.equals(channelName(c))).toList();
    if (named.size() == 1) {
      return named.get(0);
    }
    if (named.size() > 1) {
      throw new UnknownChannelException(
          "channel name `" + name + "` is ambiguous (" + named + "): give the channel id instead");
    }
    throw new UnknownChannelException(
        "no channel `"
            + idOrName
            + "` in "
            + dir
            + ": known channels are "
            + (channels.isEmpty() ? "none (ingest some events first)" : describe(channels)));
  }

  private String describe(List<String> channels) {
    List<String> out = new ArrayList<>();
    for (String c : channels) {
      String name = channelName(c);
      out.add(name == null ? c : c + " (#" + name + ")");
    }
    return String.join(", ", out);
  }

  /**
   * Opens the bare repository of channel {@code idOrName}; the caller closes it. For serving
   * (read-only).
   */
  public Repository repository(String idOrName) {
    String id = GitPaths.isChannelId(idOrName) ? idOrName : null;
    Path repoDir = id == null ? null : dir.resolve(id + ".git");
    if (repoDir == null || !Files.exists(repoDir.resolve("HEAD"))) {
      return repository(channelId(idOrName));
    }
    try {
      // Cached process-wide (pack indexes stay loaded between calls); close() releases it.
      return RepositoryCache.open(RepositoryCache.FileKey.exact(repoDir.toFile(), FS.DETECTED));
    } catch (RepositoryNotFoundException e) {
      throw new UnknownChannelException("no repository for channel `" + idOrName + "`: " + e);
    } catch (IOException e) {
      throw new GitStoreException("cannot open " + repoDir + ": " + e, e);
    }
  }

  /** The branches of a channel: {@code main} first, then threads, by name. */
  public List<String> branches(String channel) {
    try (Repository repo = repository(channel)) {
      List<String> names = new ArrayList<>();
      for (Ref ref : repo.getRefDatabase().getRefsByPrefix(Constants.R_HEADS)) {
        names.add(ref.getName().substring(Constants.R_HEADS.length()));
      }
      names.sort((a, b) -> a.equals("main") ? -1 : b.equals("main") ? 1 : a.compareTo(b));
      return names;
    } catch (IOException e) {
      throw new GitStoreException("cannot list the branches of " + channel + ": " + e, e);
    }
  }

  /**
   * A unified diff of {@code path} between the commits {@code before} and {@code after} of {@code
   * channel} (git's format, three lines of context), or {@code ""} when the path is the same.
   */
  public String diff(String channel, ObjectId before, ObjectId after, String path) {
    Objects.requireNonNull(before, "before");
    Objects.requireNonNull(after, "after");
    Objects.requireNonNull(path, "path");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (Repository repo = repository(channel);
        DiffFormatter diff = new DiffFormatter(out)) {
      diff.setRepository(repo);
      diff.setPathFilter(PathFilter.create(path));
      diff.format(diff.scan(before, after));
    } catch (IOException e) {
      throw new GitStoreException(
          "cannot diff "
              + path
              + " in "
              + channel
              + " ("
              + before.name()
              + ".."
              + after.name()
              + "): "
              + e,
          e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** The commit {@code ref} names in {@code channel}; see the class comment for the forms. */
  public ObjectId resolve(String channel, String ref) {
    try (Repository repo = repository(channel)) {
      return resolve(repo, channel, ref);
    } catch (IOException e) {
      throw new GitStoreException("cannot resolve `" + ref + "` in " + channel + ": " + e, e);
    }
  }

  private static ObjectId resolve(Repository repo, String channel, String ref) throws IOException {
    Objects.requireNonNull(ref, "ref");
    Ref branch = branchRef(repo, ref);
    if (branch != null) {
      return branch.getObjectId();
    }
    Matcher numbered = NUMBERED.matcher(ref);
    if (numbered.matches()) {
      Ref of = branchRef(repo, numbered.group(1));
      if (of == null) {
        throw new UnknownRefException(
            "`" + ref + "`: there is no branch `" + numbered.group(1) + "` in " + channel);
      }
      List<RevCommit> commits = branchCommits(repo, of);
      int n = Integer.parseInt(numbered.group(2));
      if (n < 1 || n > commits.size()) {
        throw new UnknownRefException(
            "`"
                + ref
                + "`: branch "
                + numbered.group(1)
                + " has "
                + commits.size()
                + " commits, numbered from 1");
      }
      return commits.get(n - 1).copy();
    }
    if (ref.startsWith("https://")) {
      return byPermalink(repo, channel, ref);
    }
    if (HEX.matcher(ref).matches()) {
      try (ObjectReader reader = repo.newObjectReader()) {
        Collection<ObjectId> found = reader.resolve(AbbreviatedObjectId.fromString(ref));
        List<ObjectId> commits = new ArrayList<>();
        for (ObjectId id : found) {
          if (reader.open(id).getType() == Constants.OBJ_COMMIT) {
            commits.add(id);
          }
        }
        if (commits.size() == 1) {
          return commits.get(0);
        }
        if (commits.size() > 1) {
          throw new UnknownRefException(
              "commit prefix `" + ref + "` is ambiguous in " + channel + ": give more digits");
        }
      }
    }
    throw new UnknownRefException(
        "`"
            + ref
            + "` names no commit of "
            + channel
            + ": use a branch (main, thread/<ts>), a commit id or prefix, BRANCH@N or a permalink");
  }

  private static Ref branchRef(Repository repo, String name) throws IOException {
    if (name.isEmpty() || name.contains("..")) {
      return null;
    }
    Ref ref = repo.exactRef(Constants.R_HEADS + name);
    return ref != null ? ref : name.startsWith(Constants.R_HEADS) ? repo.exactRef(name) : null;
  }

  /** A branch's own commits, oldest first (a thread's counted from its fork off main). */
  private static List<RevCommit> branchCommits(Repository repo, Ref branch) throws IOException {
    List<RevCommit> commits = new ArrayList<>();
    try (RevWalk walk = new RevWalk(repo)) {
      walk.setFirstParent(true);
      walk.markStart(walk.parseCommit(branch.getObjectId()));
      Ref main = repo.exactRef(Constants.R_HEADS + "main");
      if (main != null && !branch.getName().equals(main.getName())) {
        walk.markUninteresting(walk.parseCommit(main.getObjectId()));
      }
      for (RevCommit commit : walk) {
        commits.add(commit);
      }
    }
    Collections.reverse(commits);
    return commits;
  }

  private static ObjectId byPermalink(Repository repo, String channel, String link)
      throws IOException {
    try (RevWalk walk = new RevWalk(repo)) {
      for (Ref ref : repo.getRefDatabase().getRefsByPrefix(Constants.R_HEADS)) {
        walk.markStart(walk.parseCommit(ref.getObjectId()));
      }
      for (RevCommit commit : walk) {
        if (link.equals(trailer(commit.getFullMessage(), "Chat-Message"))) {
          return commit.copy();
        }
      }
    }
    throw new UnknownRefException("no commit of " + channel + " comes from message " + link);
  }

  private static String trailer(String message, String key) {
    Matcher m = TRAILER.matcher(message);
    String value = "";
    while (m.find()) {
      if (m.group(1).equals(key)) {
        value = m.group(2).strip();
      }
    }
    return value;
  }

  /** The files of {@code ref}'s tree: path and blob id, in git's order (as {@code ls-tree -r}). */
  public List<TreeEntry> tree(String channel, String ref) {
    try (Repository repo = repository(channel);
        RevWalk walk = new RevWalk(repo);
        TreeWalk tree = new TreeWalk(repo)) {
      tree.addTree(walk.parseCommit(resolve(repo, channel, ref)).getTree());
      tree.setRecursive(true);
      List<TreeEntry> entries = new ArrayList<>();
      while (tree.next()) {
        entries.add(new TreeEntry(tree.getPathString(), tree.getObjectId(0)));
      }
      return entries;
    } catch (IOException e) {
      throw new GitStoreException(
          "cannot read the tree of `" + ref + "` in " + channel + ": " + e, e);
    }
  }

  /** The content of {@code path} in {@code ref}'s tree. */
  public byte[] read(String channel, String ref, String path) {
    Objects.requireNonNull(path, "path");
    try (Repository repo = repository(channel);
        RevWalk walk = new RevWalk(repo)) {
      RevCommit commit = walk.parseCommit(resolve(repo, channel, ref));
      try (TreeWalk found = TreeWalk.forPath(repo, path, commit.getTree())) {
        if (found == null || found.isSubtree()) {
          throw new UnknownPathException(
              "no file `"
                  + path
                  + "` in "
                  + channel
                  + " at "
                  + ref
                  + ": `threadbare tree` lists the files");
        }
        return repo.open(found.getObjectId(0), Constants.OBJ_BLOB).getBytes();
      }
    } catch (IOException e) {
      throw new GitStoreException("cannot read `" + path + "` at `" + ref + "`: " + e, e);
    }
  }

  /** The history of {@code ref}, newest first, numbered as {@code BRANCH@N} when a branch. */
  public List<LogEntry> log(String channel, String ref) {
    try (Repository repo = repository(channel)) {
      Ref branch = branchRef(repo, ref);
      List<RevCommit> commits;
      if (branch != null) {
        commits = branchCommits(repo, branch);
      } else {
        commits = new ArrayList<>();
        try (RevWalk walk = new RevWalk(repo)) {
          walk.setFirstParent(true);
          walk.markStart(walk.parseCommit(resolve(repo, channel, ref)));
          walk.forEach(commits::add);
        }
        Collections.reverse(commits);
      }
      List<LogEntry> log = new ArrayList<>();
      for (int i = commits.size() - 1; i >= 0; i--) {
        RevCommit c = commits.get(i);
        log.add(
            new LogEntry(
                c,
                i + 1,
                c.getAuthorIdent().getName(),
                c.getAuthorIdent().getEmailAddress(),
                c.getAuthorIdent().getWhenAsInstant(),
                c.getShortMessage(),
                trailer(c.getFullMessage(), "Chat-Message"),
                trailer(c.getFullMessage(), "Chat-Event")));
      }
      return log;
    } catch (IOException e) {
      throw new GitStoreException("cannot read the history of `" + ref + "`: " + e, e);
    }
  }

  /**
   * Writes channel {@code channel}'s full history (every branch) to a new, ordinary git repository
   * at {@code out} (which must not exist or be empty), with {@code main} checked out.
   */
  public void exportGit(String channel, Path out) {
    Objects.requireNonNull(out, "out");
    String id = channelId(channel);
    try {
      if (Files.exists(out)) {
        try (Stream<Path> list = Files.list(out)) {
          if (list.findAny().isPresent()) {
            throw new MaterializerException(
                "export target " + out + " is not empty: give a new or empty directory");
          }
        }
      }
    } catch (IOException e) {
      throw new GitStoreException("cannot read export target " + out + ": " + e, e);
    }
    try (Git git =
        Git.init().setDirectory(out.toFile()).setInitialBranch("main").setBare(false).call()) {
      git.fetch()
          .setRemote(new URIish(dir.resolve(id + ".git").toUri().toURL()).toString())
          .setRefSpecs(new RefSpec("+refs/heads/*:refs/heads/*"))
          .setTagOpt(org.eclipse.jgit.transport.TagOpt.NO_TAGS)
          .call();
      if (git.getRepository().exactRef(Constants.R_HEADS + "main") != null) {
        git.reset().setMode(ResetCommand.ResetType.HARD).setRef("refs/heads/main").call();
      }
    } catch (GitAPIException | IOException e) {
      throw new GitStoreException("cannot export " + id + " to " + out + ": " + e, e);
    }
  }
}
