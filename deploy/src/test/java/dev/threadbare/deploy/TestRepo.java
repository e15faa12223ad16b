package dev.threadbare.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.TreeFormatter;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/** A real bare git repository for a channel, and commits of whole small trees (flat or nested). */
final class TestRepo implements AutoCloseable {

  final Repository repository;

  TestRepo(Path dir) {
    try {
      repository = new FileRepositoryBuilder().setGitDir(dir.toFile()).setBare().build();
      if (!dir.resolve("config").toFile().exists()) {
        repository.create(true);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Commits the files of {@code appDir} (a test resource folder) plus {@code extra}. */
  String commitApp(String resourceApp, Map<String, String> extra) {
    Map<String, byte[]> files = new TreeMap<>();
    Path dir = Path.of("src/test/resources/apps", resourceApp);
    try (Stream<Path> list = Files.list(dir)) {
      for (Path p : list.toList()) {
        files.put(p.getFileName().toString(), Files.readAllBytes(p));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    extra.forEach((k, v) -> files.put(k, v.getBytes(StandardCharsets.UTF_8)));
    return commit(files);
  }

  String commit(Map<String, byte[]> files) {
    try (ObjectInserter inserter = repository.newObjectInserter()) {
      TreeFormatter tree = new TreeFormatter();
      for (var e : new TreeMap<>(files).entrySet()) {
        tree.append(
            e.getKey(), FileMode.REGULAR_FILE, inserter.insert(Constants.OBJ_BLOB, e.getValue()));
      }
      ObjectId treeId = inserter.insert(tree);
      CommitBuilder commit = new CommitBuilder();
      commit.setTreeId(treeId);
      PersonIdent who = new PersonIdent("test", "test@example.com");
      commit.setAuthor(who);
      commit.setCommitter(who);
      commit.setMessage("app");
      ObjectId id = inserter.insert(commit);
      inserter.flush();
      return id.name();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    repository.close();
  }
}
