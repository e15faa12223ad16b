package dev.threadbare.pgwire;

import dev.threadbare.db.ResultColumn;
import dev.threadbare.pgwire.BackendMessage.ColumnFormat;
import dev.threadbare.pgwire.FrontendMessage.MessageType;
import dev.threadbare.pgwire.FrontendMessage.Target;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Frames and unframes the messages of the PostgreSQL frontend/backend protocol v3 on one
 * connection's streams: startup packets, typed frontend messages and every backend message this
 * server sends. Output is buffered until {@link #flush()}. Not thread safe: one per connection,
 * used by its session only.
 *
 * @see <a href="https://www.postgresql.org/docs/current/protocol-message-formats.html">Message
 *     formats</a>
 */
final class PgCodec {
  static final int PROTOCOL_3 = 3;
  static final int SSL_REQUEST_CODE = 80877103;
  static final int GSSENC_REQUEST_CODE = 80877104;
  static final int CANCEL_REQUEST_CODE = 80877102;

  /** PostgreSQL's own bound on a startup packet (MAX_STARTUP_PACKET_LENGTH). */
  static final int MAX_STARTUP_PACKET = 10_000;

  private final DataInputStream in;
  private final OutputStream out;
  private final int maxMessageBytes;
  private byte[] buffer = new byte[8192];
  private int length;
  private int messageStart;

  PgCodec(InputStream in, OutputStream out, int maxMessageBytes) {
    this.in = new DataInputStream(in);
    this.out = out;
    this.maxMessageBytes = maxMessageBytes;
  }

  // ---------------------------------------------------------------- reading

  /** Reads the untyped first packet of a connection. */
  FrontendMessage.StartupPacket readStartupPacket() throws IOException {
    int packetLength = in.readInt();
    if (packetLength < 8 || packetLength > MAX_STARTUP_PACKET) {
      throw new ProtocolViolationException(
          "startup packet announces "
              + packetLength
              + " bytes: a startup packet is 8 to "
              + MAX_STARTUP_PACKET
              + " bytes long (is this a PostgreSQL client?)");
    }
    byte[] bytes = new byte[packetLength - 4];
    in.readFully(bytes);
    MessageBody body = new MessageBody("startup packet", bytes);
    int code = body.int32("protocol version");
    return switch (code) {
      case SSL_REQUEST_CODE -> new FrontendMessage.SslRequest();
      case GSSENC_REQUEST_CODE -> new FrontendMessage.GssEncRequest();
      case CANCEL_REQUEST_CODE -> {
        FrontendMessage.CancelRequest cancel =
            new FrontendMessage.CancelRequest(body.int32("process id"), body.int32("secret key"));
        body.expectEnd();
        yield cancel;
      }
      default -> {
        Map<String, String> parameters = new LinkedHashMap<>();
        int major = code >>> 16;
        if (major == PROTOCOL_3) {
          while (true) {
            String name = body.cstring("parameter name");
            if (name.isEmpty()) {
              break;
            }
            parameters.put(name, body.cstring("value of parameter " + name));
          }
          body.expectEnd();
        }
        yield new FrontendMessage.StartupMessage(major, code & 0xffff, parameters);
      }
    };
  }

  /** Reads one typed message; throws {@link java.io.EOFException} when the client is gone. */
  FrontendMessage readMessage() throws IOException {
    int typeByte = in.readUnsignedByte();
    MessageType type = MessageType.of(typeByte);
    if (type == null) {
      throw new ProtocolViolationException(
          "invalid frontend message type "
              + describeByte(typeByte)
              + ": expected one of Q, P, B, D, E, C, S, H, X, p (protocol v3)");
    }
    int messageLength = in.readInt();
    if (messageLength < 4) {
      throw new ProtocolViolationException(
          "message "
              + type.code
              + " announces length "
              + messageLength
              + ": a length counts itself and is at least 4");
    }
    if (messageLength - 4 > maxMessageBytes) {
      throw new MessageTooLargeException(
          "message "
              + type.code
              + " of "
              + (messageLength - 4)
              + " bytes exceeds the limit of "
              + maxMessageBytes
              + " bytes; send smaller statements or bind large values as parameters in pieces");
    }
    byte[] bytes = new byte[messageLength - 4];
    in.readFully(bytes);
    return decode(type, new MessageBody(type.name(), bytes));
  }

  private static String describeByte(int value) {
    return value >= 32 && value < 127
        ? "'" + (char) value + "' (0x" + Integer.toHexString(value) + ")"
        : "0x" + Integer.toHexString(value);
  }

  private static FrontendMessage decode(MessageType type, MessageBody body) {
    FrontendMessage message =
        switch (type) {
          case QUERY -> new FrontendMessage.Query(body.cstring("query"));
          case PARSE -> {
            String name = body.cstring("statement name");
            String sql = body.cstring("query");
            int count = body.count16("parameter type count");
            List<Integer> types = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
              types.add(body.int32("parameter type " + (i + 1)));
            }
            yield new FrontendMessage.Parse(name, sql, types);
          }
          case BIND -> decodeBind(body);
          case DESCRIBE -> new FrontendMessage.Describe(target(body), body.cstring("name"));
          case EXECUTE ->
              new FrontendMessage.Execute(body.cstring("portal name"), body.int32("row limit"));
          case CLOSE -> new FrontendMessage.Close(target(body), body.cstring("name"));
          case SYNC -> new FrontendMessage.Sync();
          case FLUSH -> new FrontendMessage.Flush();
          case TERMINATE -> new FrontendMessage.Terminate();
          case PASSWORD -> new FrontendMessage.PasswordMessage(body.rest());
          case COPY_DATA -> new FrontendMessage.CopyData(body.rest());
          case COPY_DONE -> new FrontendMessage.CopyDone();
          case COPY_FAIL -> new FrontendMessage.CopyFail(body.cstring("error message"));
          case FUNCTION_CALL -> {
            body.rest();
            yield new FrontendMessage.Unsupported(type);
          }
        };
    body.expectEnd();
    return message;
  }

  private static FrontendMessage.Bind decodeBind(MessageBody body) {
    String portal = body.cstring("portal name");
    String statement = body.cstring("statement name");
    int formatCount = body.count16("parameter format count");
    List<Short> parameterFormats = new ArrayList<>(formatCount);
    for (int i = 0; i < formatCount; i++) {
      parameterFormats.add(format(body, "parameter format " + (i + 1)));
    }
    int valueCount = body.count16("parameter count");
    if (formatCount > 1 && formatCount != valueCount) {
      throw new ProtocolViolationException(
          "BIND message is malformed: "
              + formatCount
              + " parameter format codes for "
              + valueCount
              + " parameters; send 0, 1 or one per parameter");
    }
    List<byte[]> values = new ArrayList<>(valueCount);
    for (int i = 0; i < valueCount; i++) {
      int valueLength = body.int32("length of parameter " + (i + 1));
      if (valueLength < -1) {
        throw new ProtocolViolationException(
            "BIND message is malformed: parameter "
                + (i + 1)
                + " has length "
                + valueLength
                + "; a length is -1 (NULL) or more");
      }
      values.add(valueLength == -1 ? null : body.bytes(valueLength, "parameter " + (i + 1)));
    }
    int resultCount = body.count16("result format count");
    List<Short> resultFormats = new ArrayList<>(resultCount);
    for (int i = 0; i < resultCount; i++) {
      resultFormats.add(format(body, "result format " + (i + 1)));
    }
    return new FrontendMessage.Bind(portal, statement, parameterFormats, values, resultFormats);
  }

  private static short format(MessageBody body, String field) {
    short format = body.int16(field);
    if (format != 0 && format != 1) {
      throw new ProtocolViolationException(
          "BIND message is malformed: `" + field + "` is " + format + "; 0 is text, 1 is binary");
    }
    return format;
  }

  private static Target target(MessageBody body) {
    byte kind = body.int8("target");
    return switch (kind) {
      case 'S' -> Target.STATEMENT;
      case 'P' -> Target.PORTAL;
      default ->
          throw new ProtocolViolationException(
              "target "
                  + describeByte(kind & 0xff)
                  + " is neither 'S' (statement) nor 'P' (portal)");
    };
  }

  // ---------------------------------------------------------------- writing

  /** Answers an SSLRequest or GSSENCRequest with a single byte, unframed. */
  void writeByte(char answer) throws IOException {
    out.write(answer);
  }

  void write(BackendMessage message) throws IOException {
    try {
      encode(message);
    } catch (RuntimeException e) {
      length = 0; // drop the half-encoded message: the stream must stay well framed
      throw e;
    }
    end();
  }

  private void encode(BackendMessage message) {
    switch (message) {
      case BackendMessage.Authentication m -> {
        begin(BackendMessage.MessageType.AUTHENTICATION);
        int32(m.code().code);
        if (m.code() == BackendMessage.AuthenticationCode.SASL) {
          cstring("SCRAM-SHA-256");
          int8(0);
        } else {
          bytes(m.payload().getBytes(StandardCharsets.UTF_8));
        }
      }
      case BackendMessage.ParameterStatus m -> {
        begin(BackendMessage.MessageType.PARAMETER_STATUS);
        cstring(m.name());
        cstring(m.value());
      }
      case BackendMessage.BackendKeyData m -> {
        begin(BackendMessage.MessageType.BACKEND_KEY_DATA);
        int32(m.processId());
        int32(m.secretKey());
      }
      case BackendMessage.ReadyForQuery m -> {
        begin(BackendMessage.MessageType.READY_FOR_QUERY);
        int8(m.status());
      }
      case BackendMessage.RowDescription m -> {
        begin(BackendMessage.MessageType.ROW_DESCRIPTION);
        int16(m.columns().size());
        for (int i = 0; i < m.columns().size(); i++) {
          ResultColumn column = m.columns().get(i);
          cstring(column.name());
          int32(0); // table OID: not a base-table column as far as clients should know
          int16(0);
          int32(column.typeOid());
          int16(PgTypes.typeSize(column.typeOid()));
          int32(-1);
          int16(m.formats().get(i).binary() ? 1 : 0);
        }
      }
      case BackendMessage.ParameterDescription m -> {
        begin(BackendMessage.MessageType.PARAMETER_DESCRIPTION);
        int16(m.typeOids().size());
        for (int oid : m.typeOids()) {
          int32(oid);
        }
      }
      case BackendMessage.DataRow m -> writeDataRow(m);
      case BackendMessage.CommandComplete m -> {
        begin(BackendMessage.MessageType.COMMAND_COMPLETE);
        cstring(m.tag());
      }
      case BackendMessage.EmptyQueryResponse m ->
          begin(BackendMessage.MessageType.EMPTY_QUERY_RESPONSE);
      case BackendMessage.ErrorOrNotice m -> {
        begin(
            m.notice()
                ? BackendMessage.MessageType.NOTICE_RESPONSE
                : BackendMessage.MessageType.ERROR_RESPONSE);
        field('S', m.severity());
        field('V', m.severity());
        field('C', m.sqlState());
        field('M', m.message() == null ? "" : m.message());
        if (m.hint() != null && !m.hint().isEmpty()) {
          field('H', m.hint());
        }
        int8(0);
      }
      case BackendMessage.ParseComplete m -> begin(BackendMessage.MessageType.PARSE_COMPLETE);
      case BackendMessage.BindComplete m -> begin(BackendMessage.MessageType.BIND_COMPLETE);
      case BackendMessage.CloseComplete m -> begin(BackendMessage.MessageType.CLOSE_COMPLETE);
      case BackendMessage.NoData m -> begin(BackendMessage.MessageType.NO_DATA);
      case BackendMessage.PortalSuspended m -> begin(BackendMessage.MessageType.PORTAL_SUSPENDED);
      case BackendMessage.CopyResponse m -> {
        begin(
            m.in()
                ? BackendMessage.MessageType.COPY_IN_RESPONSE
                : BackendMessage.MessageType.COPY_OUT_RESPONSE);
        int8(0); // text
        int16(m.columns());
        for (int i = 0; i < m.columns(); i++) {
          int16(0);
        }
      }
      case BackendMessage.CopyData m -> {
        begin(BackendMessage.MessageType.COPY_DATA);
        bytes(m.data());
      }
      case BackendMessage.CopyDone m -> begin(BackendMessage.MessageType.COPY_DONE);
      case BackendMessage.NegotiateProtocolVersion m -> {
        begin(BackendMessage.MessageType.NEGOTIATE_PROTOCOL_VERSION);
        int32(m.newestMinorVersion());
        int32(m.unrecognizedOptions().size());
        for (String option : m.unrecognizedOptions()) {
          cstring(option);
        }
      }
    }
  }

  private void writeDataRow(BackendMessage.DataRow row) {
    begin(BackendMessage.MessageType.DATA_ROW);
    List<Object> values = row.values();
    int16(values.size());
    for (int i = 0; i < values.size(); i++) {
      Object value = values.get(i);
      if (value == null) {
        int32(-1);
        continue;
      }
      ColumnFormat format = row.formats().get(i);
      byte[] encoded =
          format.binary()
              ? PgTypes.encodeBinary(value, format.typeOid())
              : PgTypes.toText(value).getBytes(StandardCharsets.UTF_8);
      int32(encoded.length);
      bytes(encoded);
    }
  }

  void flush() throws IOException {
    out.flush();
  }

  private void begin(BackendMessage.MessageType type) {
    messageStart = length;
    ensure(5);
    buffer[length++] = (byte) type.code;
    length += 4; // patched in end()
  }

  private void end() throws IOException {
    int messageLength = length - messageStart - 1;
    int at = messageStart + 1;
    buffer[at] = (byte) (messageLength >>> 24);
    buffer[at + 1] = (byte) (messageLength >>> 16);
    buffer[at + 2] = (byte) (messageLength >>> 8);
    buffer[at + 3] = (byte) messageLength;
    out.write(buffer, 0, length);
    length = 0;
    if (buffer.length > 1 << 20) {
      buffer = new byte[8192]; // do not keep a huge row's buffer for the life of the connection
    }
  }

  private void ensure(int extra) {
    if (length + extra > buffer.length) {
      buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + extra));
    }
  }

  private void int8(int value) {
    ensure(1);
    buffer[length++] = (byte) value;
  }

  private void int16(int value) {
    ensure(2);
    buffer[length++] = (byte) (value >>> 8);
    buffer[length++] = (byte) value;
  }

  private void int32(int value) {
    ensure(4);
    buffer[length++] = (byte) (value >>> 24);
    buffer[length++] = (byte) (value >>> 16);
    buffer[length++] = (byte) (value >>> 8);
    buffer[length++] = (byte) value;
  }

  private void bytes(byte[] value) {
    ensure(value.length);
    System.arraycopy(value, 0, buffer, length, value.length);
    length += value.length;
  }

  private void cstring(String value) {
    // NUL cannot travel inside a C string; PostgreSQL never puts one in text either.
    bytes(value.replace('\0', ' ').getBytes(StandardCharsets.UTF_8));
    int8(0);
  }

  private void field(char code, String value) {
    int8(code);
    cstring(value);
  }
}
