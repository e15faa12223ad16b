package dev.threadbare.gitimport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;

/** Source repositories for the tests, made with the {@code git} command line. Stateless. */
final class SourceRepos {
  private SourceRepos() {}

  /** Runs git in {@code dir} with a fixed identity and date; fails on a non-zero exit. */
  static String git(Path dir, String... args) throws IOException, InterruptedException {
    return gitAs(dir, "Grace Hopper", "grace@example.com", args);
  }

  static String gitAs(Path dir, String name, String email, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("git", "-c", "core.autocrlf=false"));
    command.addAll(List.of("-c", "user.name=" + name, "-c", "user.email=" + email));
    command.addAll(List.of("-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
    builder.environment().put("GIT_AUTHOR_DATE", "2024-03-01T10:00:00Z");
    builder.environment().put("GIT_COMMITTER_DATE", "2024-03-01T10:00:00Z");
    builder.redirectErrorStream(true);
    Process process = builder.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new IOException("git " + String.join(" ", args) + " failed: " + out);
    }
    return out;
  }

  static void commitAll(Path dir, String message) throws IOException, InterruptedException {
    git(dir, "add", "-A");
    git(dir, "commit", "-q", "--allow-empty", "-m", message);
  }

  /**
   * A real public library's sources: the first {@code *-sources.jar} under ~/.m2 (tomlj's when the
   * build resolved it), else the JDK's own {@code java.util.regex} sources from src.zip.
   */
  static Path realLibrary(Path dir) throws IOException, InterruptedException {
    Path m2 = Path.of(System.getProperty("user.home"), ".m2", "repository");
    Path jar = null;
    Path tomlj = m2.resolve("org/tomlj/tomlj/1.1.1/tomlj-1.1.1-sources.jar");
    Path jdkSources = Path.of(System.getProperty("java.home"), "lib", "src.zip");
    String prefix = "";
    if (Files.exists(tomlj)) {
      jar = tomlj;
    } else if (Files.exists(jdkSources)) {
      // Deterministic: whatever other -sources.jar happens to be in ~/.m2 may be tiny.
      jar = jdkSources;
      prefix = "java.base/java/util/function/";
    } else if (Files.isDirectory(m2)) {
      try (Stream<Path> files = Files.walk(m2)) {
        jar =
            files
                .filter(p -> p.getFileName().toString().endsWith("-sources.jar"))
                .filter(p -> p.toFile().length() < 600_000)
                .findFirst()
                .orElse(null);
      }
    }
    if (jar == null) {
      jar = Path.of(System.getProperty("java.home"), "lib", "src.zip");
      prefix = "java.base/java/util/function/";
    }
    Files.createDirectories(dir);
    try (InputStream in = Files.newInputStream(jar);
        ZipInputStream zip = new ZipInputStream(in)) {
      ZipEntry entry;
      while ((entry = zip.getNextEntry()) != null) {
        if (entry.isDirectory() || !entry.getName().startsWith(prefix)) {
          continue;
        }
        Path target = dir.resolve(entry.getName()).normalize();
        if (!target.startsWith(dir)) {
          continue;
        }
        Files.createDirectories(target.getParent());
        Files.write(target, zip.readAllBytes());
      }
    }
    git(dir, "init", "-q");
    commitAll(dir, "Sources of " + jar.getFileName());
    return dir;
  }

  /** The tree id of {@code ref}'s commits, oldest first along first parents. */
  static List<ObjectId> trees(Path repo, String ref) throws IOException {
    try (Repository repository = open(repo);
        RevWalk walk = new RevWalk(repository)) {
      List<ObjectId> trees = new ArrayList<>();
      RevCommit commit = walk.parseCommit(repository.resolve(ref));
      while (commit != null) {
        trees.add(commit.getTree().getId());
        commit = commit.getParentCount() == 0 ? null : walk.parseCommit(commit.getParent(0));
      }
      return trees.reversed();
    }
  }

  /**
   * The tree the chat can hold of {@code repo}'s HEAD: without {@code skipped} paths, {@code
   * altered} ones with LF line ends and one trailing newline, every file a regular file.
   */
  static ObjectId expectedTree(Path repo, Set<String> skipped, Set<String> altered)
      throws IOException {
    try (Repository repository = open(repo);
        RevWalk walk = new RevWalk(repository);
        ObjectReader reader = repository.newObjectReader();
        ObjectInserter inserter = repository.newObjectInserter();
        TreeWalk tree = new TreeWalk(repository)) {
      tree.addTree(walk.parseCommit(repository.resolve(Constants.HEAD)).getTree());
      tree.setRecursive(true);
      DirCache index = DirCache.newInCore();
      DirCacheBuilder builder = index.builder();
      while (tree.next()) {
        String path = tree.getPathString();
        if (skipped.contains(path)) {
          continue;
        }
        byte[] bytes = reader.open(tree.getObjectId(0)).getBytes();
        if (altered.contains(path)) {
          bytes =
              normalize(new String(bytes, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        }
        DirCacheEntry entry = new DirCacheEntry(path);
        entry.setFileMode(FileMode.REGULAR_FILE);
        entry.setObjectId(inserter.insert(Constants.OBJ_BLOB, bytes));
        builder.add(entry);
      }
      builder.finish();
      ObjectId id = index.writeTree(inserter);
      inserter.flush();
      return id;
    }
  }

  /** DESIGN.md section 2's content rule. */
  static String normalize(String text) {
    String lf = text.replace("\r\n", "\n").replace('\r', '\n');
    int end = lf.length();
    while (end > 0 && lf.charAt(end - 1) == '\n') {
      end--;
    }
    return end == 0 ? "" : lf.substring(0, end) + "\n";
  }

  static Repository open(Path repo) throws IOException {
    return new FileRepositoryBuilder().setGitDir(repo.resolve(".git").toFile()).build();
  }
}
