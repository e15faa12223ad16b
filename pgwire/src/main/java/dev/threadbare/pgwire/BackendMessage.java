package dev.threadbare.pgwire;

import dev.threadbare.db.ResultColumn;
import java.util.List;
import java.util.Objects;

/**
 * A message to the client, encoded by {@link PgCodec}. Immutable values.
 *
 * @see <a href="https://www.postgresql.org/docs/current/protocol-message-formats.html">Message
 *     formats</a>
 */
sealed interface BackendMessage {

  /** The authentication request codes of an 'R' message. */
  enum AuthenticationCode {
    OK(0),
    CLEARTEXT_PASSWORD(3),
    SASL(10),
    SASL_CONTINUE(11),
    SASL_FINAL(12);

    final int code;

    AuthenticationCode(int code) {
      this.code = code;
    }
  }

  /** The type bytes of backend messages. */
  enum MessageType {
    AUTHENTICATION('R'),
    PARAMETER_STATUS('S'),
    BACKEND_KEY_DATA('K'),
    READY_FOR_QUERY('Z'),
    ROW_DESCRIPTION('T'),
    PARAMETER_DESCRIPTION('t'),
    DATA_ROW('D'),
    COMMAND_COMPLETE('C'),
    EMPTY_QUERY_RESPONSE('I'),
    ERROR_RESPONSE('E'),
    NOTICE_RESPONSE('N'),
    PARSE_COMPLETE('1'),
    BIND_COMPLETE('2'),
    CLOSE_COMPLETE('3'),
    NO_DATA('n'),
    PORTAL_SUSPENDED('s'),
    NEGOTIATE_PROTOCOL_VERSION('v'),
    COPY_IN_RESPONSE('G'),
    COPY_OUT_RESPONSE('H'),
    COPY_DATA('d'),
    COPY_DONE('c');

    final char code;

    MessageType(char code) {
      this.code = code;
    }
  }

  /** An authentication request or outcome, with its SASL payload if any (empty otherwise). */
  record Authentication(AuthenticationCode code, String payload) implements BackendMessage {
    public Authentication {
      Objects.requireNonNull(code, "code");
      Objects.requireNonNull(payload, "payload");
    }
  }

  /** A run-time parameter the client should know, such as {@code server_version}. */
  record ParameterStatus(String name, String value) implements BackendMessage {}

  /** The key a CancelRequest must quote. */
  record BackendKeyData(int processId, int secretKey) implements BackendMessage {}

  /** The server waits for a query; {@code status} is 'I', 'T' or 'E'. */
  record ReadyForQuery(char status) implements BackendMessage {}

  /** Result columns with the format code (0 text, 1 binary) of each. */
  record RowDescription(List<ResultColumn> columns, List<ColumnFormat> formats)
      implements BackendMessage {
    public RowDescription {
      columns = List.copyOf(columns);
      formats = List.copyOf(formats);
      if (columns.size() != formats.size()) {
        throw new IllegalArgumentException(
            columns.size() + " columns but " + formats.size() + " formats: they pair up");
      }
    }
  }

  /** The parameter type OIDs of a prepared statement. */
  record ParameterDescription(List<Integer> typeOids) implements BackendMessage {
    public ParameterDescription {
      typeOids = List.copyOf(typeOids);
    }
  }

  /** One row: values as Java objects (null for SQL NULL), encoded per column format. */
  record DataRow(List<Object> values, List<ColumnFormat> formats) implements BackendMessage {}

  /** A statement finished; {@code tag} such as {@code INSERT 0 1}. */
  record CommandComplete(String tag) implements BackendMessage {}

  /** The query string held no statement. */
  record EmptyQueryResponse() implements BackendMessage {}

  /** An error or notice ({@code severity} ERROR, FATAL, NOTICE…) with its SQLSTATE. */
  record ErrorOrNotice(
      boolean notice, String severity, String sqlState, String message, String hint)
      implements BackendMessage {}

  /** Parse succeeded. */
  record ParseComplete() implements BackendMessage {}

  /** Bind succeeded. */
  record BindComplete() implements BackendMessage {}

  /** Close succeeded. */
  record CloseComplete() implements BackendMessage {}

  /** The described statement or portal returns no rows. */
  record NoData() implements BackendMessage {}

  /** Execute stopped at its row limit; the portal can go on. */
  record PortalSuspended() implements BackendMessage {}

  /** The newest minor version we speak and the protocol options we did not recognise. */
  record NegotiateProtocolVersion(int newestMinorVersion, List<String> unrecognizedOptions)
      implements BackendMessage {
    public NegotiateProtocolVersion {
      unrecognizedOptions = List.copyOf(unrecognizedOptions);
    }
  }

  /** How one result column travels: its type OID and whether in binary. */
  record ColumnFormat(int typeOid, boolean binary) {}

  /** The server is ready for COPY data from the client ({@code in}) or sends it ({@code !in}). */
  record CopyResponse(boolean in, int columns) implements BackendMessage {}

  /** One piece of COPY data (to the client: one row). */
  record CopyData(byte[] data) implements BackendMessage {}

  /** The end of COPY data to the client. */
  record CopyDone() implements BackendMessage {}
}
