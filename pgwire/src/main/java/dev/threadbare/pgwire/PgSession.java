package dev.threadbare.pgwire;

import dev.threadbare.db.DbException;
import dev.threadbare.db.ResultColumn;
import dev.threadbare.db.ScramCredential;
import dev.threadbare.db.SqlService;
import dev.threadbare.db.SqlSession;
import dev.threadbare.db.SqlState;
import dev.threadbare.db.StatementDescription;
import dev.threadbare.db.StatementResult;
import dev.threadbare.db.TransactionStatus;
import dev.threadbare.pgwire.BackendMessage.AuthenticationCode;
import dev.threadbare.pgwire.BackendMessage.ColumnFormat;
import dev.threadbare.pgwire.FrontendMessage.StartupMessage;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: startup and authentication, then the simple and extended query protocols
 * driving one {@link SqlSession}. Runs on its own thread ({@link #run}); only {@link
 * #cancelRunningStatement} and {@link #disconnect} may be called from other threads.
 *
 * @see <a href="https://www.postgresql.org/docs/current/protocol-flow.html">Message flow</a>
 */
final class PgSession {
  private static final Logger LOG = LoggerFactory.getLogger(PgSession.class);
  private static final String NO_PAYLOAD = "";
  private static final int MAX_NEGOTIATIONS = 2;
  private static final int DRAIN_LIMIT = 1 << 20;

  /**
   * {@code SET application_name = '…'}: pgjdbc sends it right after connecting. It names the wire
   * session (reported back as a ParameterStatus), not anything in the database, so the wire server
   * answers it itself.
   */
  private static final Pattern SET_APPLICATION_NAME =
      Pattern.compile(
          "\\s*SET\\s+(?:SESSION\\s+)?application_name\\s*(?:=|\\bTO\\b)\\s*'((?:[^']|'')*)'\\s*;?\\s*",
          Pattern.CASE_INSENSITIVE);

  private final PgWireServer server;
  private final SqlService service;
  private final PgWireServer.Settings settings;

  /** The accepted connection; closed from outside to disconnect. */
  private final Socket socket;

  /** What the session speaks over: {@link #socket}, or the TLS socket layered on it. */
  private Socket transport;

  private final int processId;
  private final int secretKey;
  private final String refusal;
  private volatile String lateReason;
  private final Map<String, Prepared> statements = new HashMap<>();
  private final Map<String, Portal> portals = new HashMap<>();
  private volatile Thread thread;
  private volatile SqlSession sqlSession;
  private PgCodec codec;
  private LookaheadInput input;
  private boolean skipUntilSync;

  /**
   * The client's bytes, buffered; lets the session see, without blocking, the messages already
   * received after the one it handles (to tell a lone statement from a batch before Sync).
   */
  static final class LookaheadInput extends BufferedInputStream {
    LookaheadInput(InputStream in, int size) {
      super(in, size);
    }

    /**
     * Whether the messages already buffered after the current one reach a Sync without running
     * another statement: only Parse, Close, Flush, Describe of a statement, and Describe or Execute
     * of {@code portal} (which ran it once already) come before it. False when they do not, or when
     * the Sync has not arrived yet.
     */
    synchronized boolean syncFollows(String portal) {
      byte[] name = portal.getBytes(StandardCharsets.UTF_8);
      int at = pos;
      while (at + 5 <= count) {
        FrontendMessage.MessageType type = FrontendMessage.MessageType.of(buf[at]);
        int length =
            ((buf[at + 1] & 0xff) << 24)
                | ((buf[at + 2] & 0xff) << 16)
                | ((buf[at + 3] & 0xff) << 8)
                | (buf[at + 4] & 0xff);
        int body = at + 5;
        int end = at + 1 + length;
        if (length < 4 || end > count) {
          return false;
        }
        if (type == null) {
          return false;
        }
        switch (type) {
          case SYNC -> {
            return true;
          }
          case PARSE, CLOSE, FLUSH -> {}
          case DESCRIBE -> {
            if (body >= end
                || (buf[body] == FrontendMessage.Target.PORTAL.code
                    && !namedAt(body + 1, end, name))) {
              return false;
            }
          }
          case EXECUTE -> {
            if (!namedAt(body, end, name)) {
              return false;
            }
          }
          default -> {
            return false;
          }
        }
        at = end;
      }
      return false;
    }

    private boolean namedAt(int at, int end, byte[] name) {
      if (at + name.length >= end || buf[at + name.length] != 0) {
        return false;
      }
      for (int i = 0; i < name.length; i++) {
        if (buf[at + i] != name[i]) {
          return false;
        }
      }
      return true;
    }
  }

  /**
   * A parsed statement: its text, the parameter types the client gave, and a cached description.
   */
  private static final class Prepared {
    final String sql;
    final List<Integer> parameterTypes;
    final boolean blank;
    final String applicationName;
    StatementDescription description;

    Prepared(String sql, List<Integer> parameterTypes) {
      this.sql = sql;
      this.parameterTypes = parameterTypes;
      this.blank = isBlank(sql);
      this.applicationName = applicationNameAssignment(sql);
    }
  }

  /** A bound statement; its result is computed on first Describe or Execute and then streamed. */
  private static final class Portal {
    final String name;
    final Prepared statement;
    final List<Object> parameters;
    final List<Short> resultFormats;
    StatementResult result;
    boolean empty;
    List<ColumnFormat> formats;
    int sent;

    Portal(String name, Prepared statement, List<Object> parameters, List<Short> resultFormats) {
      this.name = name;
      this.statement = statement;
      this.parameters = parameters;
      this.resultFormats = resultFormats;
    }
  }

  PgSession(
      PgWireServer server,
      SqlService service,
      PgWireServer.Settings settings,
      Socket socket,
      int processId,
      int secretKey,
      String refusal) {
    this.server = server;
    this.service = service;
    this.settings = settings;
    this.socket = socket;
    this.transport = socket;
    this.processId = processId;
    this.secretKey = secretKey;
    this.refusal = refusal;
  }

  int processId() {
    return processId;
  }

  int secretKey() {
    return secretKey;
  }

  void attach(Thread thread) {
    this.thread = thread;
  }

  /** Asks the db layer to stop the statement running now, if any (from a CancelRequest). */
  void cancelRunningStatement() {
    SqlSession session = sqlSession;
    if (session != null) {
      session.cancel();
    }
  }

  /** Closes the connection from outside (server shutdown); the session thread then ends. */
  void disconnect() {
    cancelRunningStatement();
    try {
      socket.close();
    } catch (IOException e) {
      LOG.debug("closing connection {}", processId, e);
    }
  }

  /**
   * The client did not authenticate by the deadline, or was evicted for a newer connection while
   * still authenticating: its pending read ends, and it is told why before the connection closes.
   */
  void authenticationDeadlinePassed(String reason) {
    lateReason = reason;
    try {
      socket.shutdownInput();
    } catch (IOException e) {
      LOG.debug("connection {}: shutting its input down", processId, e);
    }
  }

  void join(Duration timeout) throws InterruptedException {
    Thread running = thread;
    if (running != null && running.isAlive()) {
      running.join(timeout);
    }
  }

  void run() {
    try {
      socket.setSoTimeout(Math.toIntExact(settings.authenticationTimeout().toMillis()));
      input = new LookaheadInput(socket.getInputStream(), 8192);
      codec =
          new PgCodec(
              input,
              new BufferedOutputStream(socket.getOutputStream(), 1 << 16),
              settings.maxMessageBytes());
      if (startup()) {
        socket.setSoTimeout(0);
        serve();
      }
    } catch (PgWireException e) {
      LOG.info("connection {} closed: {}", processId, e.getMessage());
      fatal(e.sqlState(), e.getMessage());
    } catch (SSLException e) {
      LOG.info("connection {}: TLS failed: {}", processId, e.getMessage());
    } catch (SocketTimeoutException e) {
      tooSlow("deadline");
    } catch (EOFException | SocketException | ClosedChannelException e) {
      if (lateReason != null) {
        tooSlow(lateReason);
      } else {
        // ClosedChannelException: the server closed the socket (shutdown, disconnect) mid-read
        LOG.debug("connection {} ended: {}", processId, e.toString());
      }
    } catch (IOException e) {
      LOG.info("connection {} failed", processId, e);
    } catch (RuntimeException e) {
      LOG.error("connection {} failed unexpectedly", processId, e);
      fatal(SqlState.INTERNAL_ERROR, "internal error: " + e);
    } finally {
      SqlSession session = sqlSession;
      sqlSession = null;
      if (session != null) {
        try {
          session.close();
        } catch (RuntimeException e) {
          LOG.warn("closing the db session of connection {} failed", processId, e);
        }
      }
      try {
        transport.close();
      } catch (IOException e) {
        LOG.debug("closing connection {}", processId, e);
      } finally {
        closeQuietly(socket);
      }
      server.ended(this);
    }
  }

  private void tooSlow(String reason) {
    fatal(
        SqlState.PROTOCOL_VIOLATION,
        reason.equals("evicted")
            ? "authentication too slow: too many connections were authenticating"
                + " (maxUnauthenticated), and this was the oldest; authenticate promptly"
            : "authentication did not complete within "
                + settings.authenticationTimeout().toMillis()
                + " ms: the client must send its startup packet and credentials promptly");
  }

  /** Tells the client why it is being disconnected, then lets it read that before closing. */
  private void fatal(String sqlState, String message) {
    if (codec == null || transport.isClosed()) {
      return;
    }
    try {
      codec.write(new BackendMessage.ErrorOrNotice(false, "FATAL", sqlState, message, null));
      codec.flush();
      transport.shutdownOutput();
      // Closing with unread input makes TCP reset the connection, which can destroy the
      // ErrorResponse before the client reads it: drain a bounded amount first.
      transport.setSoTimeout(500);
      InputStream in = transport.getInputStream();
      byte[] sink = new byte[8192];
      int drained = 0;
      long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
      while (drained < DRAIN_LIMIT && System.nanoTime() < deadline) {
        int read = in.read(sink);
        if (read < 0) {
          break;
        }
        drained += read;
      }
    } catch (IOException e) {
      LOG.debug("connection {}: the client left before reading its error", processId);
    }
  }

  // ------------------------------------------------------------------ startup

  private boolean startup() throws IOException {
    for (int negotiations = 0; ; negotiations++) {
      FrontendMessage.StartupPacket packet = codec.readStartupPacket();
      switch (packet) {
        case FrontendMessage.SslRequest request -> {
          if (settings.tls() != null && transport == socket) {
            startTls(negotiations);
          } else {
            answerNegotiation(negotiations, "SSLRequest");
          }
        }
        case FrontendMessage.GssEncRequest request ->
            answerNegotiation(negotiations, "GSSENCRequest");
        case FrontendMessage.CancelRequest cancel -> {
          server.cancel(cancel.processId(), cancel.secretKey());
          return false;
        }
        case StartupMessage startup -> {
          return begin(startup);
        }
      }
    }
  }

  private void answerNegotiation(int negotiations, String what) throws IOException {
    if (negotiations >= MAX_NEGOTIATIONS) {
      throw new ProtocolViolationException(
          what + " repeated: a client negotiates encryption at most twice before its startup");
    }
    codec.writeByte('N'); // no TLS, no GSSAPI encryption: the client goes on in the clear
    codec.flush();
  }

  /**
   * Answers an SSLRequest 'S' and goes on over TLS: handshake, then the startup over the encrypted
   * stream. Bytes that arrived after the SSLRequest but before the answer are refused, not read as
   * TLS or as plaintext: a man in the middle could have injected them (CVE-2021-23214).
   */
  private void startTls(int negotiations) throws IOException {
    if (negotiations >= MAX_NEGOTIATIONS) {
      throw new ProtocolViolationException(
          "SSLRequest repeated: a client negotiates encryption at most twice before its startup");
    }
    if (input.available() > 0) {
      throw new ProtocolViolationException(
          "received unencrypted data after SSL request: a client must wait for the answer to"
              + " its SSLRequest before it sends anything (CVE-2021-23214)");
    }
    codec.writeByte('S');
    codec.flush();
    SSLSocket tls =
        (SSLSocket)
            settings
                .tls()
                .getSocketFactory()
                .createSocket(
                    socket, socket.getInetAddress().getHostAddress(), socket.getPort(), true);
    tls.setUseClientMode(false);
    // libpq 17 offers ALPN "postgresql"; agree to it, and do without ALPN when not offered
    tls.setHandshakeApplicationProtocolSelector(
        (engine, offered) -> offered.contains("postgresql") ? "postgresql" : "");
    transport = tls;
    input = new LookaheadInput(tls.getInputStream(), 8192);
    codec =
        new PgCodec(
            input,
            new BufferedOutputStream(tls.getOutputStream(), 1 << 16),
            settings.maxMessageBytes());
    tls.startHandshake();
    LOG.debug(
        "connection {}: {} with {}",
        processId,
        tls.getSession().getProtocol(),
        tls.getSession().getCipherSuite());
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      LOG.debug("closing {}", socket, e);
    }
  }

  private boolean begin(StartupMessage startup) throws IOException {
    if (refusal != null) {
      throw new PgWireException(SqlState.TOO_MANY_CONNECTIONS, true, refusal);
    }
    if (startup.majorVersion() != PgCodec.PROTOCOL_3) {
      throw new PgWireException(
          SqlState.FEATURE_NOT_SUPPORTED,
          true,
          "unsupported frontend protocol "
              + startup.majorVersion()
              + "."
              + startup.minorVersion()
              + ": this server speaks protocol 3.0");
    }
    Map<String, String> parameters = startup.parameters();
    List<String> unrecognized =
        parameters.keySet().stream().filter(name -> name.startsWith("_pq_.")).sorted().toList();
    if (startup.minorVersion() > 0 || !unrecognized.isEmpty()) {
      codec.write(new BackendMessage.NegotiateProtocolVersion(0, unrecognized));
    }
    String user = parameters.get("user");
    if (user == null || user.isEmpty()) {
      throw new AuthenticationFailedException(
          SqlState.INVALID_AUTHORIZATION_SPECIFICATION,
          "no PostgreSQL user name specified in startup packet: pass user=… (PGUSER, -U)");
    }
    String database = parameters.getOrDefault("database", "");
    if (database.isEmpty()) {
      database = user;
    }
    if (!authenticate(user)) {
      return false;
    }
    try {
      sqlSession = service.open(user, database);
    } catch (DbException e) {
      throw new PgWireException(e.sqlState(), true, e.getMessage(), e);
    }
    server.authenticated(this);
    codec.write(new BackendMessage.Authentication(AuthenticationCode.OK, NO_PAYLOAD));
    Map<String, String> status = new LinkedHashMap<>();
    // the engine's own version where the service knows it: psql picks its catalog queries by it
    status.put("server_version", service.serverVersion().orElse(settings.serverVersion()));
    status.put("server_encoding", "UTF8");
    status.put("client_encoding", "UTF8");
    status.put("DateStyle", "ISO, MDY");
    status.put("IntervalStyle", "postgres");
    status.put("TimeZone", "UTC");
    status.put("integer_datetimes", "on");
    status.put("standard_conforming_strings", "on");
    status.put("is_superuser", "off");
    status.put("session_authorization", user);
    status.put("application_name", parameters.getOrDefault("application_name", ""));
    status.put("default_transaction_read_only", "off");
    status.put("in_hot_standby", "off");
    for (Map.Entry<String, String> entry : status.entrySet()) {
      codec.write(new BackendMessage.ParameterStatus(entry.getKey(), entry.getValue()));
    }
    codec.write(new BackendMessage.BackendKeyData(processId, secretKey));
    readyForQuery();
    return true;
  }

  /** Runs the exchange; false when the client left in the middle. */
  private boolean authenticate(String user) throws IOException {
    ScramCredential credential = service.scramCredential(user).orElse(null);
    if (settings.allowCleartextPassword()) {
      codec.write(
          new BackendMessage.Authentication(AuthenticationCode.CLEARTEXT_PASSWORD, NO_PAYLOAD));
      codec.flush();
      byte[] payload = expectPasswordMessage("password");
      if (payload == null) {
        return false;
      }
      MessageBody body = new MessageBody("PasswordMessage", payload);
      String password = body.cstring("password");
      body.expectEnd();
      if (credential == null || !Scram.matchesPassword(credential, password)) {
        throw Scram.passwordFailed(user);
      }
      return true;
    }
    Scram scram = new Scram(credential != null ? credential : Scram.impossibleCredential(user));
    codec.write(new BackendMessage.Authentication(AuthenticationCode.SASL, NO_PAYLOAD));
    codec.flush();
    byte[] initial = expectPasswordMessage("SASLInitialResponse");
    if (initial == null) {
      return false;
    }
    MessageBody body = new MessageBody("SASLInitialResponse", initial);
    String mechanism = body.cstring("mechanism");
    if (!Scram.MECHANISM.equals(mechanism)) {
      throw new AuthenticationFailedException(
          SqlState.PROTOCOL_VIOLATION,
          "client selected SASL mechanism `"
              + mechanism
              + "`, which this server does not offer: it offers only "
              + Scram.MECHANISM);
    }
    int length = body.int32("client-first-message length");
    String clientFirst =
        new String(body.bytes(length, "client-first-message"), StandardCharsets.UTF_8);
    body.expectEnd();
    String serverFirst = scram.serverFirst(clientFirst);
    codec.write(new BackendMessage.Authentication(AuthenticationCode.SASL_CONTINUE, serverFirst));
    codec.flush();
    byte[] clientFinal = expectPasswordMessage("SASLResponse");
    if (clientFinal == null) {
      return false;
    }
    String serverFinal = scram.verifyClientFinal(new String(clientFinal, StandardCharsets.UTF_8));
    codec.write(new BackendMessage.Authentication(AuthenticationCode.SASL_FINAL, serverFinal));
    return true;
  }

  private byte[] expectPasswordMessage(String expected) throws IOException {
    FrontendMessage message = codec.readMessage();
    return switch (message) {
      case FrontendMessage.PasswordMessage password -> password.payload();
      case FrontendMessage.Terminate terminate -> null;
      default ->
          throw new ProtocolViolationException(
              "expected "
                  + expected
                  + " ('p') during authentication but got "
                  + message.getClass().getSimpleName()
                  + ": authenticate before sending queries");
    };
  }

  // ------------------------------------------------------------------ queries

  private void serve() throws IOException {
    while (true) {
      FrontendMessage message = codec.readMessage();
      if (message instanceof FrontendMessage.Terminate) {
        return;
      }
      if (skipUntilSync && !(message instanceof FrontendMessage.Sync)) {
        continue; // after an error in the extended protocol, PostgreSQL discards until Sync
      }
      try {
        handle(message);
      } catch (DbException e) {
        error(message, e.sqlState(), e.getMessage(), e.hint());
      } catch (PgWireException e) {
        if (e.fatal()) {
          throw e;
        }
        error(message, e.sqlState(), e.getMessage(), null);
      } catch (RuntimeException e) {
        LOG.error("connection {}: {} failed unexpectedly", processId, nameOf(message), e);
        error(message, SqlState.INTERNAL_ERROR, "internal error: " + e, null);
      }
    }
  }

  private static String nameOf(FrontendMessage message) {
    return message.getClass().getSimpleName();
  }

  private void handle(FrontendMessage message) throws IOException {
    switch (message) {
      case FrontendMessage.Query query -> simpleQuery(query.sql());
      case FrontendMessage.Parse parse -> parse(parse);
      case FrontendMessage.Bind bind -> bind(bind);
      case FrontendMessage.Describe describe -> describe(describe);
      case FrontendMessage.Execute execute -> execute(execute);
      case FrontendMessage.Close close -> close(close);
      case FrontendMessage.Sync sync -> sync();
      case FrontendMessage.Flush flush -> codec.flush();
      // outside a COPY (after one failed, say), PostgreSQL ignores COPY messages
      case FrontendMessage.CopyData data -> {}
      case FrontendMessage.CopyDone done -> {}
      case FrontendMessage.CopyFail fail -> {}
      case FrontendMessage.Terminate terminate -> {}
      case FrontendMessage.PasswordMessage password ->
          throw new ProtocolViolationException(
              "unexpected password message ('p') after authentication completed");
      case FrontendMessage.Unsupported unsupported ->
          throw new InvalidRequestException(
              SqlState.FEATURE_NOT_SUPPORTED,
              unsupported.type()
                  + " ('"
                  + unsupported.type().code
                  + "') is not supported by this server: use SQL statements instead");
    }
  }

  private void error(FrontendMessage message, String sqlState, String text, String hint)
      throws IOException {
    if (!(message instanceof FrontendMessage.Sync)) {
      // PostgreSQL: an error rolls back the implicit transaction since the last Sync (the db layer
      // has already done so when the error was a statement's)
      try {
        sqlSession.endImplicit(false);
        // ... and fails an explicit block (a statement's error has done so already)
        sqlSession.failTransaction();
      } catch (RuntimeException e) {
        LOG.debug("connection {}: rolling back the implicit transaction failed", processId, e);
      }
    }
    codec.write(new BackendMessage.ErrorOrNotice(false, "ERROR", sqlState, text, hint));
    if (message instanceof FrontendMessage.Query || message instanceof FrontendMessage.Sync) {
      skipUntilSync = false;
      readyForQuery();
    } else {
      skipUntilSync = true;
    }
  }

  private void readyForQuery() throws IOException {
    TransactionStatus status = sqlSession.transactionStatus();
    char code =
        switch (status) {
          case IDLE -> 'I';
          case IN_TRANSACTION -> 'T';
          case FAILED -> 'E';
        };
    codec.write(new BackendMessage.ReadyForQuery(code));
    codec.flush();
  }

  private void simpleQuery(String sql) throws IOException {
    statements.remove("");
    portals.remove("");
    CopyStatement copy = CopyStatement.parse(sql);
    if (copy != null) {
      copyStatement(copy);
      readyForQuery();
      return;
    }
    String applicationName = applicationNameAssignment(sql);
    if (applicationName != null) {
      setApplicationName(applicationName);
      codec.write(new BackendMessage.CommandComplete("SET"));
      readyForQuery();
      return;
    }
    List<StatementResult> results;
    try {
      results = isBlank(sql) ? List.of() : sqlSession.execute(sql, List.of());
    } catch (DbException e) {
      // as PostgreSQL: the statements of the script before the failing one are answered first
      sendResults(e.completedResults());
      throw e;
    }
    // a Query ends the implicit transaction of extended-protocol messages sent before it unsynced
    sqlSession.endImplicit(true);
    if (results.isEmpty()) {
      codec.write(new BackendMessage.EmptyQueryResponse());
    }
    sendResults(results);
    readyForQuery();
  }

  /** Bytes of COPY data one statement may send. */
  private static final long MAX_COPY_BYTES = 1L << 30;

  /**
   * Runs a COPY from the client (its rows as INSERTs, in one transaction) or to the client (a
   * query's rows as COPY data). See {@link CopyStatement}.
   */
  private void copyStatement(CopyStatement copy) throws IOException {
    List<String> columns =
        copy.columns().isEmpty() && copy.query() == null
            ? tableColumns(copy.table())
            : copy.columns();
    if (!copy.in()) {
      List<StatementResult> results = sqlSession.execute(copy.select(columns), List.of());
      StatementResult result = results.get(results.size() - 1);
      codec.write(new BackendMessage.CopyResponse(false, result.columns().size()));
      if (copy.header()) {
        codec.write(new BackendMessage.CopyData(copy.headerLine(result)));
      }
      for (Object[] row : result.rows()) {
        codec.write(new BackendMessage.CopyData(copy.line(row)));
      }
      codec.write(new BackendMessage.CopyDone());
      codec.write(new BackendMessage.CommandComplete("COPY " + result.rows().size()));
      return;
    }
    codec.write(new BackendMessage.CopyResponse(true, columns.size()));
    codec.flush();
    java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();
    boolean tooLarge = false;
    while (true) {
      FrontendMessage message = codec.readMessage();
      if (message instanceof FrontendMessage.CopyData piece) {
        if (data.size() + (long) piece.data().length > MAX_COPY_BYTES) {
          tooLarge = true; // read on to the end of the data, then refuse
        } else if (!tooLarge) {
          data.writeBytes(piece.data());
        }
      } else if (message instanceof FrontendMessage.CopyDone) {
        break;
      } else if (message instanceof FrontendMessage.CopyFail fail) {
        throw new DbException(SqlState.QUERY_CANCELED, "COPY from stdin failed: " + fail.message());
      } else if (!(message instanceof FrontendMessage.Flush)
          && !(message instanceof FrontendMessage.Sync)) {
        throw new ProtocolViolationException(
            "unexpected "
                + nameOf(message)
                + " during COPY from stdin: send CopyData, then CopyDone");
      }
    }
    if (tooLarge) {
      throw new DbException(
          SqlState.PROGRAM_LIMIT_EXCEEDED,
          "COPY from stdin sent more than "
              + MAX_COPY_BYTES
              + " bytes: split the data into several COPYs");
    }
    List<List<String>> rows = copy.rows(data.toByteArray());
    if (columns.isEmpty()) {
      throw new DbException(
          SqlState.UNDEFINED_TABLE,
          "table " + copy.table() + " does not exist yet, so COPY cannot tell its columns",
          "name them: COPY " + copy.table() + " (a, b, …) FROM STDIN; the layer creates them",
          null);
    }
    boolean implicit = sqlSession.transactionStatus() == TransactionStatus.IDLE;
    if (implicit) {
      sqlSession.beginImplicit();
    }
    for (CopyStatement.Statement insert : copy.inserts(columns, rows)) {
      sqlSession.execute(insert.sql(), insert.params());
    }
    if (implicit) {
      sqlSession.endImplicit(true);
    }
    codec.write(new BackendMessage.CommandComplete("COPY " + rows.size()));
  }

  /** A table's columns in order, from the engine's information_schema; empty when it has none. */
  private List<String> tableColumns(String table) {
    String name = table.contains(".") ? table.substring(table.lastIndexOf('.') + 1).strip() : table;
    name =
        name.startsWith("\"")
            ? name.substring(1, name.length() - 1).replace("\"\"", "\"")
            : name.toLowerCase(java.util.Locale.ROOT);
    List<StatementResult> results =
        sqlSession.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = $1"
                + " AND table_schema IN ('public', 'main') ORDER BY ordinal_position",
            List.of(name));
    List<String> columns = new ArrayList<>();
    for (Object[] row : results.get(0).rows()) {
      columns.add("\"" + String.valueOf(row[0]).replace("\"", "\"\"") + "\"");
    }
    return columns;
  }

  private void sendResults(List<StatementResult> results) throws IOException {
    for (StatementResult result : results) {
      sendNotices(result);
      if (result.hasRows()) {
        List<ColumnFormat> formats = formats(result.columns(), List.of());
        codec.write(new BackendMessage.RowDescription(result.columns(), formats));
        for (Object[] row : result.rows()) {
          codec.write(new BackendMessage.DataRow(Arrays.asList(row), formats));
        }
      }
      codec.write(new BackendMessage.CommandComplete(result.commandTag()));
    }
  }

  private void sendNotices(StatementResult result) throws IOException {
    for (String notice : result.notices()) {
      codec.write(
          new BackendMessage.ErrorOrNotice(
              true, "NOTICE", SqlState.SUCCESSFUL_COMPLETION, notice, null));
    }
  }

  private void parse(FrontendMessage.Parse parse) throws IOException {
    if (!parse.name().isEmpty() && statements.containsKey(parse.name())) {
      throw new InvalidRequestException(
          SqlState.DUPLICATE_PREPARED_STATEMENT,
          "prepared statement \""
              + parse.name()
              + "\" already exists: Close it first or choose another name");
    }
    statements.put(parse.name(), new Prepared(parse.sql(), parse.parameterTypes()));
    codec.write(new BackendMessage.ParseComplete());
  }

  private Prepared statement(String name) {
    Prepared statement = statements.get(name);
    if (statement == null) {
      throw new InvalidRequestException(
          SqlState.INVALID_SQL_STATEMENT_NAME,
          "prepared statement \""
              + name
              + "\" does not exist: Parse it first (statements belong to one connection)");
    }
    return statement;
  }

  private Portal portal(String name) {
    Portal portal = portals.get(name);
    if (portal == null) {
      throw new InvalidRequestException(
          SqlState.INVALID_CURSOR_NAME,
          "portal \""
              + name
              + "\" does not exist: Bind it first (unnamed portals end at the next Bind,"
              + " named ones at the end of the transaction)");
    }
    return portal;
  }

  private void bind(FrontendMessage.Bind bind) throws IOException {
    Prepared statement = statement(bind.statement());
    if (!bind.portal().isEmpty() && portals.containsKey(bind.portal())) {
      throw new InvalidRequestException(
          SqlState.DUPLICATE_CURSOR,
          "portal \"" + bind.portal() + "\" already exists: Close it before binding it again");
    }
    List<byte[]> values = bind.parameterValues();
    if (!statement.parameterTypes.isEmpty() && values.size() != statement.parameterTypes.size()) {
      throw new InvalidRequestException(
          SqlState.PROTOCOL_VIOLATION,
          "bind message supplies "
              + values.size()
              + " parameters, but prepared statement \""
              + bind.statement()
              + "\" declares "
              + statement.parameterTypes.size());
    }
    List<Short> formats = bind.parameterFormats();
    List<Object> parameters = new ArrayList<>(values.size());
    for (int i = 0; i < values.size(); i++) {
      byte[] value = values.get(i);
      if (value == null) {
        parameters.add(null);
        continue;
      }
      boolean binary = (formats.isEmpty() ? 0 : formats.get(formats.size() == 1 ? 0 : i)) == 1;
      parameters.add(PgTypes.decodeParameter(value, parameterType(statement, i), binary, i + 1));
    }
    portals.put(
        bind.portal(), new Portal(bind.portal(), statement, parameters, bind.resultFormats()));
    codec.write(new BackendMessage.BindComplete());
  }

  private static int parameterType(Prepared statement, int index) {
    int declared =
        index < statement.parameterTypes.size() ? statement.parameterTypes.get(index) : 0;
    if (declared == PgTypes.UNSPECIFIED && statement.description != null) {
      List<Integer> described = statement.description.parameterTypes();
      if (index < described.size()) {
        return described.get(index);
      }
    }
    return declared;
  }

  private void describe(FrontendMessage.Describe describe) throws IOException {
    switch (describe.target()) {
      case STATEMENT -> {
        Prepared statement = statement(describe.name());
        StatementDescription description = description(statement);
        int count = Math.max(statement.parameterTypes.size(), description.parameterTypes().size());
        List<Integer> types = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          types.add(parameterType(statement, i));
        }
        codec.write(new BackendMessage.ParameterDescription(types));
        if (description.columns().isEmpty()) {
          codec.write(new BackendMessage.NoData());
        } else {
          codec.write(
              new BackendMessage.RowDescription(
                  description.columns(), formats(description.columns(), List.of())));
        }
      }
      case PORTAL -> {
        Portal portal = portal(describe.name());
        run(portal);
        if (portal.empty || !portal.result.hasRows()) {
          codec.write(new BackendMessage.NoData());
        } else {
          List<ResultColumn> columns = columns(portal);
          codec.write(new BackendMessage.RowDescription(columns, formats(portal)));
        }
      }
    }
  }

  private StatementDescription description(Prepared statement) {
    if (statement.description == null) {
      statement.description =
          statement.blank || statement.applicationName != null
              ? new StatementDescription(List.of(), List.of())
              : sqlSession.describe(statement.sql);
    }
    return statement.description;
  }

  /**
   * The columns the client was (or will be) told: those of the statement's Describe when it had one
   * of the same width, since the client decodes binary values by those types.
   */
  private static List<ResultColumn> columns(Portal portal) {
    List<ResultColumn> actual = portal.result.columns();
    StatementDescription description = portal.statement.description;
    if (description != null && description.columns().size() == actual.size()) {
      return description.columns();
    }
    return actual;
  }

  private List<ColumnFormat> formats(Portal portal) {
    if (portal.formats == null) {
      portal.formats = formats(columns(portal), portal.resultFormats);
    }
    return portal.formats;
  }

  private static List<ColumnFormat> formats(List<ResultColumn> columns, List<Short> requested) {
    if (requested.size() > 1 && requested.size() != columns.size()) {
      throw new InvalidRequestException(
          SqlState.PROTOCOL_VIOLATION,
          "bind message has "
              + requested.size()
              + " result formats but the query has "
              + columns.size()
              + " columns: send 0, 1 or one per column");
    }
    List<ColumnFormat> formats = new ArrayList<>(columns.size());
    for (int i = 0; i < columns.size(); i++) {
      int oid = columns.get(i).typeOid();
      boolean binary = !requested.isEmpty() && requested.get(requested.size() == 1 ? 0 : i) == 1;
      if (binary && !PgTypes.supportsBinary(oid)) {
        throw new InvalidRequestException(
            SqlState.FEATURE_NOT_SUPPORTED,
            "column \""
                + columns.get(i).name()
                + "\" of "
                + PgTypes.typeName(oid)
                + " has no binary output in this server: request text format (0) for it");
      }
      formats.add(new ColumnFormat(oid, binary));
    }
    return formats;
  }

  /** Runs the portal's statement once; Describe(portal) may run it before Execute. */
  private void run(Portal portal) throws IOException {
    if (portal.result != null || portal.empty) {
      return;
    }
    if (portal.statement.blank) {
      portal.empty = true;
      return;
    }
    if (portal.statement.applicationName != null) {
      setApplicationName(portal.statement.applicationName);
      portal.result = new StatementResult("SET", List.of(), List.of(), List.of());
      return;
    }
    if (sqlSession.transactionStatus() == TransactionStatus.IDLE
        && !input.syncFollows(portal.name)) {
      // PostgreSQL: outside a transaction block, the statements up to Sync are one implicit
      // transaction. A lone statement (Sync already in sight) is one anyway, cheaper in autocommit.
      sqlSession.beginImplicit();
    }
    List<StatementResult> results = sqlSession.execute(portal.statement.sql, portal.parameters);
    if (results.isEmpty()) {
      portal.empty = true;
      return;
    }
    StatementResult chosen = results.get(results.size() - 1);
    for (StatementResult result : results) {
      sendNotices(result);
      if (result.hasRows()) {
        chosen = result;
      }
    }
    portal.result = chosen;
  }

  private void execute(FrontendMessage.Execute execute) throws IOException {
    Portal portal = portal(execute.portal());
    run(portal);
    if (portal.empty) {
      codec.write(new BackendMessage.EmptyQueryResponse());
      return;
    }
    StatementResult result = portal.result;
    if (!result.hasRows()) {
      codec.write(new BackendMessage.CommandComplete(result.commandTag()));
      return;
    }
    List<ColumnFormat> formats = formats(portal);
    List<Object[]> rows = result.rows();
    int limit = execute.maxRows() <= 0 ? Integer.MAX_VALUE : execute.maxRows();
    int first = portal.sent;
    int sentNow = 0;
    while (portal.sent < rows.size() && sentNow < limit) {
      codec.write(new BackendMessage.DataRow(Arrays.asList(rows.get(portal.sent)), formats));
      portal.sent++;
      sentNow++;
    }
    if (portal.sent < rows.size()) {
      codec.write(new BackendMessage.PortalSuspended());
    } else if (first == 0 && sentNow == rows.size()) {
      codec.write(new BackendMessage.CommandComplete(result.commandTag()));
    } else {
      codec.write(new BackendMessage.CommandComplete("SELECT " + sentNow));
    }
  }

  private void close(FrontendMessage.Close close) throws IOException {
    switch (close.target()) {
      case STATEMENT -> statements.remove(close.name());
      case PORTAL -> portals.remove(close.name());
    }
    codec.write(new BackendMessage.CloseComplete());
  }

  private void sync() throws IOException {
    skipUntilSync = false;
    try {
      sqlSession.endImplicit(true); // commits the statements since the last Sync, if in a batch
    } finally {
      if (sqlSession.transactionStatus() == TransactionStatus.IDLE) {
        portals.clear(); // portals live until the end of their transaction
      }
    }
    readyForQuery();
  }

  private void setApplicationName(String name) throws IOException {
    codec.write(new BackendMessage.ParameterStatus("application_name", name));
  }

  /** The name a {@code SET application_name} statement assigns, or null for any other SQL. */
  static String applicationNameAssignment(String sql) {
    Matcher matcher = SET_APPLICATION_NAME.matcher(sql);
    return matcher.matches() ? matcher.group(1).replace("''", "'") : null;
  }

  static boolean isBlank(String sql) {
    for (int i = 0; i < sql.length(); i++) {
      char ch = sql.charAt(i);
      if (!Character.isWhitespace(ch) && ch != ';') {
        return false;
      }
    }
    return true;
  }
}
