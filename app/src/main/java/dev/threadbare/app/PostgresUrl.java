package dev.threadbare.app;

import dev.threadbare.core.ThreadbareException;
import dev.threadbare.db.DbLayer;
import dev.threadbare.db.DbOptions;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;

/**
 * Where the db layer runs when it runs on PostgreSQL: a libpq-style connection URL ({@code
 * postgresql://user:password@host:port/admindb}, or {@code postgresql://user@/admindb?host=/dir}
 * for a Unix-socket directory) naming the server and a role that may create databases. The layer
 * keeps one server database {@code tb_<name>} per logical database and its catalog in the admin
 * database.
 *
 * <p>An immutable value, safe to share between threads. Its {@link #toString()} masks the password;
 * only {@link #server()} hands it on.
 *
 * @param host a host name or address, or (starting with {@code /}) a Unix-socket directory
 * @param port the TCP port, or the socket's port number
 * @param user the role
 * @param password the password, empty for none
 * @param adminDatabase the database the layer's catalog lives in
 */
public record PostgresUrl(
    String host, int port, String user, String password, String adminDatabase) {

  /** The environment variable read when {@code --db-postgres} is absent. */
  public static final String ENV = "THREADBARE_DB_POSTGRES";

  /** The option that chooses PostgreSQL, for messages. */
  public static final String OPTION = "--db-postgres";

  /** The forms {@link #parse} accepts, for messages. */
  public static final String EXPECTED =
      "postgresql://user[:password]@host[:port][/admindb] (port 5432 and admindb postgres by"
          + " default) or postgresql://user@/admindb?host=/var/run/postgresql for a Unix socket";

  private static final int DEFAULT_PORT = 5432;
  private static final String DEFAULT_ADMIN_DATABASE = "postgres";

  /** Thrown when a URL is not one {@link #parse} accepts; the message names it (masked). */
  public static final class MalformedPostgresUrlException extends ThreadbareException {
    private static final long serialVersionUID = 1L;

    MalformedPostgresUrlException(String input, String rule) {
      super(
          "PostgreSQL URL '"
              + maskInput(input)
              + "' "
              + rule
              + "; expected "
              + EXPECTED
              + " (from "
              + OPTION
              + " or "
              + ENV
              + ")");
    }
  }

  /** Thrown when the db layer cannot be opened on the server; the message names it (masked). */
  public static final class PostgresUnreachableException extends ThreadbareException {
    private static final long serialVersionUID = 1L;

    PostgresUnreachableException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Validates. */
  public PostgresUrl {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(adminDatabase, "adminDatabase");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " must be 1 to 65535");
    }
    if (host.isEmpty() || user.isEmpty() || adminDatabase.isEmpty()) {
      throw new IllegalArgumentException("host, user and adminDatabase must not be empty");
    }
  }

  /**
   * Parses a libpq-style URL (scheme {@code postgresql} or {@code postgres}). User, password, host
   * and database are percent-decoded; the only query parameter is {@code host}, an absolute
   * Unix-socket directory.
   *
   * @throws MalformedPostgresUrlException naming the input (password masked) and the expected form
   */
  public static PostgresUrl parse(String input) {
    if (input == null || input.isBlank()) {
      throw new MalformedPostgresUrlException(String.valueOf(input), "is empty");
    }
    String url = input.strip();
    int schemeEnd = url.indexOf("://");
    String scheme = schemeEnd < 0 ? "" : url.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
    if (!scheme.equals("postgresql") && !scheme.equals("postgres")) {
      throw new MalformedPostgresUrlException(
          input, "does not start with postgresql:// (or postgres://)");
    }
    String rest = url.substring(schemeEnd + 3);
    if (rest.indexOf('#') >= 0) {
      throw new MalformedPostgresUrlException(input, "has a #fragment, which means nothing here");
    }
    String query = null;
    int queryStart = rest.indexOf('?');
    if (queryStart >= 0) {
      query = rest.substring(queryStart + 1);
      rest = rest.substring(0, queryStart);
    }
    String adminDatabase = DEFAULT_ADMIN_DATABASE;
    int pathStart = rest.indexOf('/');
    if (pathStart >= 0) {
      String rawPath = rest.substring(pathStart + 1);
      rest = rest.substring(0, pathStart);
      if (rawPath.indexOf('/') >= 0) {
        throw new MalformedPostgresUrlException(input, "has a path with more than one segment");
      }
      String path = decode(input, rawPath, "database name");
      if (!path.isEmpty()) {
        adminDatabase = path;
      }
    }
    int at = rest.lastIndexOf('@');
    if (at <= 0) {
      throw new MalformedPostgresUrlException(input, "names no user (user@ before the host)");
    }
    String userInfo = rest.substring(0, at);
    String hostPort = rest.substring(at + 1);
    int colon = userInfo.indexOf(':');
    String user = decode(input, colon < 0 ? userInfo : userInfo.substring(0, colon), "user");
    String password = colon < 0 ? "" : decode(input, userInfo.substring(colon + 1), "password");
    if (user.isEmpty()) {
      throw new MalformedPostgresUrlException(input, "names no user (user@ before the host)");
    }
    if (hostPort.indexOf(',') >= 0) {
      throw new MalformedPostgresUrlException(input, "names several hosts; give exactly one");
    }
    String host;
    String portText = null;
    if (hostPort.startsWith("[")) {
      int close = hostPort.indexOf(']');
      if (close < 0) {
        throw new MalformedPostgresUrlException(input, "has an IPv6 address without its ']'");
      }
      host = hostPort.substring(1, close);
      String after = hostPort.substring(close + 1);
      if (!after.isEmpty()) {
        if (!after.startsWith(":")) {
          throw new MalformedPostgresUrlException(
              input, "has '" + after + "' after the IPv6 address; expected :port");
        }
        portText = after.substring(1);
      }
    } else {
      int portColon = hostPort.lastIndexOf(':');
      host = decode(input, portColon < 0 ? hostPort : hostPort.substring(0, portColon), "host");
      portText = portColon < 0 ? null : hostPort.substring(portColon + 1);
    }
    int port = DEFAULT_PORT;
    if (portText != null) {
      port = parsePort(input, portText);
    }
    String socketDirectory = query == null ? null : socketDirectory(input, query);
    if (socketDirectory != null) {
      if (!host.isEmpty()) {
        throw new MalformedPostgresUrlException(
            input, "names a host both before the path and as ?host=; give one");
      }
      host = socketDirectory;
    }
    if (host.isEmpty()) {
      throw new MalformedPostgresUrlException(
          input, "names no host (after the @, or ?host=/socket/directory)");
    }
    return new PostgresUrl(host, port, user, password, adminDatabase);
  }

  private static int parsePort(String input, String text) {
    if (!text.matches("[0-9]{1,5}")) {
      throw new MalformedPostgresUrlException(
          input, "has port '" + text + "', which is not a number from 1 to 65535");
    }
    int port = Integer.parseInt(text);
    if (port < 1 || port > 65535) {
      throw new MalformedPostgresUrlException(
          input, "has port " + port + ", which is not from 1 to 65535");
    }
    return port;
  }

  /** The {@code host} parameter's socket directory, or null when the query is empty. */
  private static String socketDirectory(String input, String query) {
    String directory = null;
    for (String parameter : query.split("&", -1)) {
      if (parameter.isEmpty()) {
        continue;
      }
      int eq = parameter.indexOf('=');
      String key = eq < 0 ? parameter : parameter.substring(0, eq);
      String value = eq < 0 ? "" : decode(input, parameter.substring(eq + 1), key);
      if (!key.equals("host")) {
        throw new MalformedPostgresUrlException(
            input,
            "has the query parameter '"
                + key
                + "', which is not supported (the only one is host=/socket/directory)");
      }
      if (directory != null) {
        throw new MalformedPostgresUrlException(input, "has host= twice");
      }
      if (!value.startsWith("/")) {
        throw new MalformedPostgresUrlException(
            input,
            "has host='"
                + value
                + "', which is not an absolute Unix-socket directory; put a host name after the @");
      }
      directory = value;
    }
    return directory;
  }

  private static String decode(String input, String text, String what) {
    if (text.indexOf('%') < 0) {
      return text;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '%') {
        int value =
            i + 2 < text.length()
                ? (Character.digit(text.charAt(i + 1), 16) << 4)
                    | Character.digit(text.charAt(i + 2), 16)
                : -1;
        if (value < 0) {
          throw new MalformedPostgresUrlException(
              input, "has a bad percent-escape in the " + what + " (expected %XX, two hex digits)");
        }
        bytes.write(value);
        i += 2;
      } else {
        byte[] utf8 = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        bytes.write(utf8, 0, utf8.length);
      }
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      throw new MalformedPostgresUrlException(
          input, "has percent-escapes in the " + what + " that are not UTF-8");
    }
  }

  /** Whether {@link #host()} is a Unix-socket directory rather than a host name. */
  public boolean isUnixSocket() {
    return host.startsWith("/");
  }

  /** The server for {@link DbLayer#postgres}, its databases named {@code tb_<name>}. */
  public DbLayer.PostgresServer server() {
    return new DbLayer.PostgresServer(host, port, user, password, adminDatabase);
  }

  /**
   * Opens the db layer on this server.
   *
   * @throws PostgresUnreachableException when the server cannot be reached or refuses the role,
   *     naming the (masked) URL; the cause says what failed
   */
  public DbLayer openLayer(DbOptions options) {
    try {
      return DbLayer.postgres(server(), options);
    } catch (RuntimeException e) {
      // DbException from the catalog's first connection, or the pool's own failure.
      String cause = e.getMessage();
      if (password.length() >= 4 && cause != null) {
        cause = cause.replace(password, "***");
      }
      // The cause already says what to check; add which server and which setting chose it.
      throw new PostgresUnreachableException(
          "cannot open the db layer on PostgreSQL at "
              + this
              + " (set by "
              + OPTION
              + " or "
              + ENV
              + "): "
              + cause,
          e);
    }
  }

  /** The URL with the password masked: safe to log and print. */
  @Override
  public String toString() {
    String auth = user + (password.isEmpty() ? "" : ":***");
    if (isUnixSocket()) {
      return "postgresql://"
          + auth
          + "@"
          + (port == DEFAULT_PORT ? "" : ":" + port)
          + "/"
          + adminDatabase
          + "?host="
          + host;
    }
    String printedHost = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    return "postgresql://" + auth + "@" + printedHost + ":" + port + "/" + adminDatabase;
  }

  /** {@code input} with whatever stands between the user's ':' and the '@' replaced by ***. */
  static String maskInput(String input) {
    int schemeEnd = input.indexOf("://");
    int authorityStart = schemeEnd < 0 ? 0 : schemeEnd + 3;
    int at = input.lastIndexOf('@');
    int colon = input.indexOf(':', authorityStart);
    if (at < authorityStart || colon < 0 || colon > at) {
      return input;
    }
    return input.substring(0, colon + 1) + "***" + input.substring(at);
  }
}
