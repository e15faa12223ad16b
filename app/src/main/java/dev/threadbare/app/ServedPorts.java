package dev.threadbare.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the process serving a data directory listens, kept in {@code DIR/serve.json} while it runs,
 * so other commands on the directory ({@code db add-credentials}) use its ports rather than the
 * defaults. Written by {@code serve} and {@code db serve} once they listen, removed when they stop;
 * a file left by a process that died is ignored (its pid is gone).
 *
 * @param pid the serving process
 * @param command what serves, such as {@code threadbare serve}
 * @param host the address it binds
 * @param url the HTTP base URL, or null when it serves no HTTP
 * @param dbPort the PostgreSQL wire port, or -1 when not served
 */
public record ServedPorts(long pid, String command, String host, String url, int dbPort) {

  /** The file's name in the data directory. */
  public static final String FILE = "serve.json";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Validates the record. */
  public ServedPorts {
    Objects.requireNonNull(command, "command");
    Objects.requireNonNull(host, "host");
  }

  /** This process serving {@code host} (and {@code url}, {@code dbPort}) for {@code command}. */
  public static ServedPorts ofThisProcess(String command, String host, String url, int dbPort) {
    return new ServedPorts(ProcessHandle.current().pid(), command, host, url, dbPort);
  }

  /**
   * Writes the file into {@code directory} (atomically: a reader sees the old file or the new one);
   * closing the returned handle removes it again if it is still this one.
   */
  public Written writeTo(Path directory) {
    Path file = directory.resolve(FILE);
    ObjectNode node = JSON.createObjectNode();
    node.put("pid", pid).put("command", command).put("host", host).put("db_port", dbPort);
    if (url != null) {
      node.put("url", url);
    }
    try {
      Path temporary = Files.createTempFile(directory, ".serve", ".json");
      Files.writeString(temporary, node.toPrettyString() + "\n");
      Files.move(
          temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
    return () -> {
      try {
        if (readFrom(directory).filter(this::equals).isPresent()) {
          Files.deleteIfExists(file);
        }
      } catch (IOException e) {
        // A file left behind names this pid, which is gone by the time anyone reads it.
      }
    };
  }

  /** The written file; closing it removes the file when it is still this process's. */
  public interface Written extends AutoCloseable {
    @Override
    void close();
  }

  /** What a live process serving {@code directory} wrote, or empty when none runs. */
  public static Optional<ServedPorts> readFrom(Path directory) {
    Path file = directory.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      JsonNode node = JSON.readTree(file.toFile());
      ServedPorts ports =
          new ServedPorts(
              node.path("pid").asLong(-1),
              node.path("command").asText(""),
              node.path("host").asText("127.0.0.1"),
              node.hasNonNull("url") ? node.path("url").asText() : null,
              node.path("db_port").asInt(-1));
      boolean alive = ProcessHandle.of(ports.pid()).map(ProcessHandle::isAlive).orElse(false);
      return alive ? Optional.of(ports) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty(); // being replaced, or not ours: as if nobody served
    }
  }

  /** The host a client on this machine should connect to: the bound one, or loopback for any. */
  public String connectHost() {
    return host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
  }
}
