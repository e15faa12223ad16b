package dev.threadbare.gitserve.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.diff.DiffAlgorithm;
import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.diff.Edit;
import org.eclipse.jgit.diff.EditList;
import org.eclipse.jgit.diff.RawText;
import org.eclipse.jgit.diff.RawTextComparator;
import org.eclipse.jgit.errors.AmbiguousObjectException;
import org.eclipse.jgit.errors.IncorrectObjectTypeException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.PathFilter;
import org.eclipse.jgit.util.RawParseUtils;

/**
 * Reads one channel repository for the code browser and the JSON API: branches, trees, files,
 * histories, blame, the history of one line, and diffs. One per request; not thread safe; close it
 * (which releases the repository handle).
 */
final class RepoReader implements AutoCloseable {
  private static final java.util.regex.Pattern NUMBERED =
      java.util.regex.Pattern.compile("(.+)@([0-9]{1,9})");

  /** Files larger than this are not shown inline. */
  static final int MAX_BLOB = 4 * 1024 * 1024;

  private final Repository repository;
  private final ObjectReader reader;
  private final RevWalk walk;

  RepoReader(Repository repository) {
    this.repository = repository;
    // One reader for the whole request: its delta base cache makes reading many versions cheap.
    this.reader = repository.newObjectReader();
    this.walk = new RevWalk(reader);
  }

  /** A branch and the commit it points at. */
  record Branch(String name, String commitId) {}

  /** One entry of a directory listing. */
  record Entry(String name, String path, boolean directory, long size) {}

  /** A file's bytes at a version; {@code text} is null for binary or oversized files. */
  record Blob(String path, long size, String text) {}

  /** One line of a blame: its number (1-based), its text and the version that wrote it. */
  record BlameLine(int number, String text, Version version, int sourceLine) {}

  /** A version of a single line: the version that changed it, and the line's text and number. */
  record LineVersion(Version version, int number, String text) {}

  /** One changed file of a diff, with git's unified patch text. */
  record FileDiff(String oldPath, String newPath, String change, String patch) {}

  Repository repository() {
    return repository;
  }

  /** Every branch, {@code main} first, then threads newest first. */
  List<Branch> branches() throws IOException {
    List<Branch> branches = new ArrayList<>();
    for (Ref ref : repository.getRefDatabase().getRefsByPrefix(Constants.R_HEADS)) {
      if (ref.getObjectId() != null) {
        branches.add(
            new Branch(
                ref.getName().substring(Constants.R_HEADS.length()), ref.getObjectId().name()));
      }
    }
    branches.sort(
        Comparator.comparing((Branch b) -> !b.name().equals("main"))
            .thenComparing(Branch::name, Comparator.reverseOrder()));
    return List.copyOf(branches);
  }

  /** Whether {@code rev} names a branch (so the page is not a permalink). */
  boolean isBranch(String rev) throws IOException {
    return repository.exactRef(Constants.R_HEADS + rev) != null;
  }

  /** The default branch: main when it exists, else the first one. */
  String defaultBranch() throws IOException {
    List<Branch> branches = branches();
    return branches.isEmpty() ? "main" : branches.get(0).name();
  }

  /**
   * Resolves a branch name or a (unique prefix of a) commit id to a commit.
   *
   * @throws BrowseException naming the revision when it resolves to nothing
   */
  RevCommit commit(String rev) throws IOException {
    if (rev == null || rev.isBlank() || rev.startsWith("-") || rev.contains("..")) {
      throw new BrowseException(
          "version `" + rev + "` is not valid: give a branch name or a commit id");
    }
    ObjectId id;
    try {
      Ref branch = repository.exactRef(Constants.R_HEADS + rev);
      java.util.regex.Matcher numbered = NUMBERED.matcher(rev);
      if (branch != null) {
        id = branch.getObjectId();
      } else if (numbered.matches()) {
        id = numberedCommit(rev, numbered.group(1), Integer.parseInt(numbered.group(2)));
      } else if (rev.startsWith("https://") || rev.startsWith("http://")) {
        id = byPermalink(rev);
      } else if (rev.matches("[0-9a-fA-F]{4,40}")) {
        id = repository.resolve(rev + "^{commit}");
      } else {
        id = null;
      }
    } catch (AmbiguousObjectException e) {
      throw new BrowseException(
          "version `" + rev + "` is ambiguous: give more digits of the commit id");
    } catch (IncorrectObjectTypeException | MissingObjectException e) {
      // A well-formed id this repository does not hold (or not a commit): not found, not a 500.
      id = null;
    }
    if (id == null) {
      throw new BrowseException(
          "version `"
              + rev
              + "` not found: give a branch (main, thread/<ts>), a commit id, BRANCH@N or a"
              + " message permalink");
    }
    try {
      return walk.parseCommit(id);
    } catch (MissingObjectException | IncorrectObjectTypeException e) {
      throw new BrowseException("version `" + rev + "` is not a commit of this repository");
    }
  }

  /**
   * {@code BRANCH@N}: the Nth commit (1-based) of the branch's own first-parent history; a thread's
   * commits are counted from its fork off main (the materializer's numbering).
   */
  private ObjectId numberedCommit(String rev, String branchName, int n) throws IOException {
    Ref branch = repository.exactRef(Constants.R_HEADS + branchName);
    if (branch == null) {
      throw new BrowseException(
          "version `" + rev + "`: there is no branch `" + branchName + "` in this channel");
    }
    List<ObjectId> commits = new ArrayList<>();
    try (RevWalk numbering = new RevWalk(reader)) {
      numbering.setFirstParent(true);
      numbering.markStart(numbering.parseCommit(branch.getObjectId()));
      Ref main = repository.exactRef(Constants.R_HEADS + "main");
      if (main != null && !main.getName().equals(branch.getName())) {
        numbering.markUninteresting(numbering.parseCommit(main.getObjectId()));
      }
      for (RevCommit c : numbering) {
        commits.add(c.copy());
      }
    }
    if (n < 1 || n > commits.size()) {
      throw new BrowseException(
          "version `"
              + rev
              + "`: branch "
              + branchName
              + " has "
              + commits.size()
              + " commits, numbered from 1");
    }
    return commits.get(commits.size() - n);
  }

  /** The newest commit whose {@code Chat-Message} trailer is {@code permalink}, or null. */
  private ObjectId byPermalink(String permalink) throws IOException {
    try (RevWalk search = new RevWalk(reader)) {
      for (Ref ref : repository.getRefDatabase().getRefsByPrefix(Constants.R_HEADS)) {
        search.markStart(search.parseCommit(ref.getObjectId()));
      }
      for (RevCommit c : search) {
        if (c.getFooterLines("Chat-Message").stream().anyMatch(l -> l.strip().equals(permalink))) {
          return c.copy();
        }
      }
    }
    return null;
  }

  /** Lists the directory {@code path} ("" for the root) at {@code commit}, directories first. */
  List<Entry> tree(RevCommit commit, String path) throws IOException {
    String dir = normalise(path);
    List<Entry> entries = new ArrayList<>();
    try (TreeWalk treeWalk = new TreeWalk(reader)) {
      if (dir.isEmpty()) {
        treeWalk.addTree(commit.getTree());
      } else {
        TreeWalk at = TreeWalk.forPath(reader, dir, commit.getTree());
        if (at == null || at.getFileMode(0) != FileMode.TREE) {
          throw new BrowseException(
              "directory `" + dir + "` not found at " + commit.name().substring(0, 7));
        }
        treeWalk.addTree(at.getObjectId(0));
        at.close();
      }
      treeWalk.setRecursive(false);
      while (treeWalk.next()) {
        boolean directory = treeWalk.getFileMode(0) == FileMode.TREE;
        String name = treeWalk.getNameString();
        long size =
            directory ? 0 : reader.getObjectSize(treeWalk.getObjectId(0), Constants.OBJ_BLOB);
        entries.add(new Entry(name, dir.isEmpty() ? name : dir + "/" + name, directory, size));
      }
    }
    entries.sort(Comparator.comparing((Entry e) -> !e.directory()).thenComparing(Entry::name));
    return List.copyOf(entries);
  }

  /** Whether {@code path} is a directory at {@code commit} ("" is). */
  boolean isDirectory(RevCommit commit, String path) throws IOException {
    String p = normalise(path);
    if (p.isEmpty()) {
      return true;
    }
    try (TreeWalk at = TreeWalk.forPath(reader, p, commit.getTree())) {
      return at != null && at.getFileMode(0) == FileMode.TREE;
    }
  }

  /** The file {@code path} at {@code commit}. */
  Blob blob(RevCommit commit, String path) throws IOException {
    String p = normalise(path);
    byte[] bytes = bytes(commit, p);
    if (bytes == null) {
      throw new BrowseException(
          "file `"
              + p
              + "` not found at "
              + commit.name().substring(0, 7)
              + ": pick it from the tree of that version");
    }
    boolean binary = bytes.length > MAX_BLOB || RawText.isBinary(bytes);
    return new Blob(p, bytes.length, binary ? null : RawParseUtils.decode(bytes));
  }

  private byte[] bytes(RevCommit commit, String path) throws IOException {
    if (path.isEmpty()) {
      return null;
    }
    try (TreeWalk at = TreeWalk.forPath(reader, path, commit.getTree())) {
      if (at == null || at.getFileMode(0) == FileMode.TREE) {
        return null;
      }
      return reader.open(at.getObjectId(0), Constants.OBJ_BLOB).getCachedBytes(Integer.MAX_VALUE);
    }
  }

  /** The versions reachable from {@code commit} that touch {@code path} (all when empty). */
  List<Version> log(RevCommit commit, String path, int limit) throws IOException {
    List<Version> versions = new ArrayList<>();
    for (RevCommit c : history(commit, normalise(path), limit)) {
      versions.add(Version.of(c));
    }
    return List.copyOf(versions);
  }

  private List<RevCommit> history(RevCommit commit, String path, int limit) throws IOException {
    try (Git git = new Git(repository)) {
      var log = git.log().add(commit).setMaxCount(limit);
      if (!path.isEmpty()) {
        log.addPath(path);
      }
      List<RevCommit> commits = new ArrayList<>();
      log.call().forEach(commits::add);
      return commits;
    } catch (GitAPIException e) {
      throw new IOException("cannot read the history of `" + path + "`", e);
    }
  }

  /** Who wrote each line of {@code path} at {@code commit}, via the shared blame cache. */
  List<BlameLine> blame(RevCommit commit, String path, IncrementalBlame blames) throws IOException {
    String p = normalise(path);
    Blob blob = blob(commit, p);
    if (blob.text() == null) {
      throw new BrowseException("file `" + p + "` is binary: blame needs a text file");
    }
    IncrementalBlame.Attribution attribution = blames.blame(repository, commit, p);
    if (attribution == null) {
      throw new BrowseException("file `" + p + "` not found at " + commit.name());
    }
    RawText text = new RawText(bytes(commit, p));
    List<BlameLine> lines = new ArrayList<>(text.size());
    for (int i = 0; i < text.size(); i++) {
      lines.add(
          new BlameLine(
              i + 1, text.getString(i), attribution.version(i), attribution.sourceLine(i) + 1));
    }
    return List.copyOf(lines);
  }

  /**
   * The versions that changed line {@code number} (1-based) of {@code path} as it reads at {@code
   * commit}, newest first, following the line back through edits until the version that added it.
   */
  List<LineVersion> lineHistory(RevCommit commit, String path, int number) throws IOException {
    String p = normalise(path);
    Blob blob = blob(commit, p);
    if (blob.text() == null) {
      throw new BrowseException("file `" + p + "` is binary: line history needs a text file");
    }
    List<RevCommit> commits = history(commit, p, Integer.MAX_VALUE);
    RawText newer = new RawText(bytes(commit, p));
    if (number < 1 || number > newer.size()) {
      throw new BrowseException(
          "line "
              + number
              + " of `"
              + p
              + "` does not exist: the file has "
              + newer.size()
              + " lines");
    }
    int line = number - 1;
    DiffAlgorithm diff = DiffAlgorithm.getAlgorithm(DiffAlgorithm.SupportedAlgorithm.HISTOGRAM);
    List<LineVersion> result = new ArrayList<>();
    RawText carried = null;
    for (int i = 0; i < commits.size(); i++) {
      RevCommit current = commits.get(i);
      // Each version is read once: the older side of this step is the newer side of the next.
      RawText currentText = carried != null ? carried : new RawText(bytes(current, p));
      byte[] olderBytes = i + 1 < commits.size() ? bytes(commits.get(i + 1), p) : null;
      RawText older = olderBytes == null ? RawText.EMPTY_TEXT : new RawText(olderBytes);
      carried = olderBytes == null ? null : older;
      EditList edits = diff.diff(RawTextComparator.DEFAULT, older, currentText);
      Edit touching = null;
      int shift = 0;
      for (Edit edit : edits) {
        if (line >= edit.getBeginB() && line < edit.getEndB()) {
          touching = edit;
          break;
        }
        if (edit.getEndB() <= line) {
          shift += edit.getLengthB() - edit.getLengthA();
        }
      }
      if (touching == null) {
        line -= shift;
        continue;
      }
      result.add(new LineVersion(Version.of(current), line + 1, currentText.getString(line)));
      if (touching.getLengthA() == 0) {
        break;
      }
      line =
          touching.getBeginA() + Math.min(line - touching.getBeginB(), touching.getLengthA() - 1);
    }
    return List.copyOf(result);
  }

  /** The changes from {@code from} to {@code to}, limited to {@code path} when not empty. */
  List<FileDiff> diff(RevCommit from, RevCommit to, String path) throws IOException {
    String p = normalise(path);
    List<FileDiff> files = new ArrayList<>();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (DiffFormatter formatter = new DiffFormatter(out)) {
      formatter.setRepository(repository);
      formatter.setDiffAlgorithm(
          DiffAlgorithm.getAlgorithm(DiffAlgorithm.SupportedAlgorithm.HISTOGRAM));
      formatter.setDetectRenames(true);
      if (!p.isEmpty()) {
        formatter.setPathFilter(PathFilter.create(p));
      }
      for (DiffEntry entry : formatter.scan(from == null ? null : from.getTree(), to.getTree())) {
        out.reset();
        formatter.format(entry);
        formatter.flush();
        files.add(
            new FileDiff(
                entry.getOldPath(),
                entry.getNewPath(),
                entry.getChangeType().name().toLowerCase(java.util.Locale.ROOT),
                out.toString(StandardCharsets.UTF_8)));
      }
    }
    return List.copyOf(files);
  }

  /** The first parent of {@code commit}, or null for a root commit. */
  RevCommit parent(RevCommit commit) throws IOException {
    return commit.getParentCount() == 0 ? null : walk.parseCommit(commit.getParent(0));
  }

  /** Strips slashes; refuses {@code ..} segments. */
  static String normalise(String path) {
    if (path == null) {
      return "";
    }
    String p = path.strip();
    while (p.startsWith("/")) {
      p = p.substring(1);
    }
    while (p.endsWith("/")) {
      p = p.substring(0, p.length() - 1);
    }
    for (String segment : p.split("/", -1)) {
      if (!p.isEmpty() && (segment.isEmpty() || segment.equals(".") || segment.equals(".."))) {
        throw new BrowseException(
            "path `" + path + "` is not valid: paths are relative, without `.`, `..` or `//`");
      }
    }
    return p;
  }

  @Override
  public void close() {
    walk.close();
    reader.close();
    repository.close();
  }
}
