import dev.threadbare.materializer.GitStore;
import dev.threadbare.materializer.TreeEntry;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * In-process timing of {@code threadbare tree} (GitStore.tree, the work behind the command) for
 * bench/ingest.sh: resolves REF once, then lists the tree RUNS times and prints the first (cold)
 * and the median (warm) time. Usage: {@code java -cp threadbare.jar bench/TreeBench.java GIT_STORE
 * CHANNEL REF [RUNS=30]}. Prints {@code commit files cold_ms median_ms}.
 */
public final class TreeBench {
  public static void main(String[] args) {
    GitStore store = GitStore.open(Path.of(args[0]));
    String channel = args[1];
    String ref = args[2];
    int runs = args.length > 3 ? Integer.parseInt(args[3]) : 30;
    String commit = store.resolve(channel, ref).name();
    double[] ms = new double[runs];
    int files = 0;
    for (int i = 0; i < runs; i++) {
      long start = System.nanoTime();
      List<TreeEntry> tree = store.tree(channel, commit);
      StringBuilder text = new StringBuilder(tree.size() * 64);
      for (TreeEntry e : tree) {
        text.append(e.path()).append('\t').append(e.blob().name()).append('\n');
      }
      files = tree.size();
      ms[i] = (System.nanoTime() - start) / 1e6;
    }
    double cold = ms[0];
    Arrays.sort(ms);
    System.out.printf(Locale.ROOT, "%s %d %.2f %.2f%n", commit, files, cold, ms[runs / 2]);
  }
}
