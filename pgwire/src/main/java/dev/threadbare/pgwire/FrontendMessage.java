package dev.threadbare.pgwire;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A message from the client, decoded by {@link PgCodec}. Immutable values (byte arrays inside are
 * not copied: the codec hands over fresh ones).
 *
 * @see <a href="https://www.postgresql.org/docs/current/protocol-message-formats.html">Message
 *     formats</a>
 */
sealed interface FrontendMessage {

  /** What a Describe or Close message targets: a prepared statement ('S') or a portal ('P'). */
  enum Target {
    STATEMENT('S'),
    PORTAL('P');

    /** The byte that names it on the wire. */
    final char code;

    Target(char code) {
      this.code = code;
    }
  }

  /** The first packet of a connection, before any typed message. */
  sealed interface StartupPacket {}

  /**
   * Asks for TLS: answered 'S' and a TLS handshake when the server has a TLS identity (the default
   * of {@code serve} and {@code db serve}), else 'N' and the client goes on in the clear (or gives
   * up).
   */
  record SslRequest() implements StartupPacket {}

  /** Asks for GSSAPI encryption; we answer 'N'. */
  record GssEncRequest() implements StartupPacket {}

  /** Asks to cancel the statement running on the connection with this key. */
  record CancelRequest(int processId, int secretKey) implements StartupPacket {}

  /** Opens a session: protocol version and parameters such as {@code user} and {@code database}. */
  record StartupMessage(int majorVersion, int minorVersion, Map<String, String> parameters)
      implements StartupPacket {
    public StartupMessage {
      parameters = Map.copyOf(parameters);
    }
  }

  /** A simple-protocol query: one or more statements. */
  record Query(String sql) implements FrontendMessage {
    public Query {
      Objects.requireNonNull(sql, "sql");
    }
  }

  /** Prepares {@code sql} under {@code name} ("" for the unnamed statement). */
  record Parse(String name, String sql, List<Integer> parameterTypes) implements FrontendMessage {
    public Parse {
      parameterTypes = List.copyOf(parameterTypes);
    }
  }

  /** Binds parameter values to a prepared statement, making a portal. Null values are SQL NULL. */
  record Bind(
      String portal,
      String statement,
      List<Short> parameterFormats,
      List<byte[]> parameterValues,
      List<Short> resultFormats)
      implements FrontendMessage {
    public Bind {
      parameterFormats = List.copyOf(parameterFormats);
      parameterValues = java.util.Collections.unmodifiableList(parameterValues);
      resultFormats = List.copyOf(resultFormats);
    }
  }

  /** Asks for the description of a statement or portal. */
  record Describe(Target target, String name) implements FrontendMessage {}

  /** Runs a portal, returning at most {@code maxRows} rows (0: all). */
  record Execute(String portal, int maxRows) implements FrontendMessage {}

  /** Closes a statement or portal. */
  record Close(Target target, String name) implements FrontendMessage {}

  /** Ends an extended-protocol batch: commit point for errors, answered with ReadyForQuery. */
  record Sync() implements FrontendMessage {}

  /** Asks the server to send what it has buffered. */
  record Flush() implements FrontendMessage {}

  /** The client is leaving. */
  record Terminate() implements FrontendMessage {}

  /**
   * A password, SASLInitialResponse or SASLResponse: the same type byte, told apart only by the
   * authentication step, so the payload is kept raw.
   */
  final class PasswordMessage implements FrontendMessage {
    private final byte[] payload;

    PasswordMessage(byte[] payload) {
      this.payload = payload;
    }

    /** The raw payload (owned by the receiver: the codec made it for this message alone). */
    byte[] payload() {
      return payload;
    }
  }

  /** A piece of COPY data from the client. */
  record CopyData(byte[] data) implements FrontendMessage {}

  /** The end of the client's COPY data. */
  record CopyDone() implements FrontendMessage {}

  /** The client gives up its COPY, with its reason. */
  record CopyFail(String message) implements FrontendMessage {}

  /** A well-framed message this server does not implement (FunctionCall, COPY data…). */
  record Unsupported(MessageType type) implements FrontendMessage {}

  /** The type bytes of frontend messages. */
  enum MessageType {
    QUERY('Q'),
    PARSE('P'),
    BIND('B'),
    DESCRIBE('D'),
    EXECUTE('E'),
    CLOSE('C'),
    SYNC('S'),
    FLUSH('H'),
    TERMINATE('X'),
    PASSWORD('p'),
    FUNCTION_CALL('F'),
    COPY_DATA('d'),
    COPY_DONE('c'),
    COPY_FAIL('f');

    private static final MessageType[] BY_CODE = new MessageType[128];

    static {
      for (MessageType type : values()) {
        BY_CODE[type.code] = type;
      }
    }

    final char code;

    MessageType(char code) {
      this.code = code;
    }

    /** The type for a type byte, or null when no frontend message has it. */
    static MessageType of(int code) {
      return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
  }
}
