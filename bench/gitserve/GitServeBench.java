import dev.threadbare.gitserve.GitServe;
import dev.threadbare.gitserve.ServedChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Serves one bare repository as channel {@code bench} with threadbare's gitserve, on 127.0.0.1 and
 * a free port; writes "PORT TOKEN" to the file given. Run by clone.sh and blame.sh with the
 * module's classpath (JDK source launcher). Stop it with a signal.
 */
public class GitServeBench {
  public static void main(String[] args) throws Exception {
    Path repo = Path.of(args[0]).toAbsolutePath();
    Path data = Path.of(args[1]).toAbsolutePath();
    GitServe gitServe =
        GitServe.create(
            data,
            name ->
                name.equals("bench") || name.equals("C0BENCH")
                    ? Optional.of(ServedChannel.publicChannel("C0BENCH", "bench", repo))
                    : Optional.empty());
    String token = gitServe.addToken("U0BENCH");
    var server = gitServe.start(0);
    Files.writeString(Path.of(args[2]), server.port() + " " + token + "\n");
    Thread.currentThread().join();
  }
}
