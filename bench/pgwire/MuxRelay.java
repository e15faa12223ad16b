import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * The floor of what a multiplexing proxy costs (pgbouncer's transaction pooling, minus everything
 * else): one event-loop thread; every client's requests (up to Sync) are pipelined onto ONE
 * PostgreSQL connection, their statement names prefixed per client, and the answers routed back in
 * order (up to ReadyForQuery). It answers the client's startup itself (trust), knows nothing of
 * transactions, errors or cancels: just enough for the select-by-key loop, not a proxy to use.
 */
final class MuxRelay {
  static final class Client {
    final int id;
    final SocketChannel channel;
    ByteBuffer in = ByteBuffer.allocate(1 << 16);
    ByteBuffer out = ByteBuffer.allocate(1 << 16);
    boolean started;
    Client(int id, SocketChannel channel) { this.id = id; this.channel = channel; }
  }

  final Selector selector;
  final ServerSocketChannel server;
  final SocketChannel pg;
  ByteBuffer pgIn = ByteBuffer.allocate(1 << 16);
  ByteBuffer pgOut = ByteBuffer.allocate(1 << 16);
  final ArrayDeque<Client> waiting = new ArrayDeque<>();
  final java.util.Set<Client> dirty = new java.util.LinkedHashSet<>();
  int nextId;

  static int start(int pgPort, String unixDir, String database) throws IOException {
    MuxRelay relay = new MuxRelay(pgPort, unixDir, database);
    Thread t = new Thread(() -> {
      try { relay.loop(); } catch (Throwable e) { e.printStackTrace(); }
    }, "mux-relay");
    t.setDaemon(true);
    t.start();
    return relay.server.socket().getLocalPort();
  }

  MuxRelay(int pgPort, String unixDir, String database) throws IOException {
    selector = Selector.open();
    server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
    server.configureBlocking(false);
    server.register(selector, SelectionKey.OP_ACCEPT);
    pg = unixDir != null
        ? SocketChannel.open(UnixDomainSocketAddress.of(unixDir + "/.s.PGSQL." + pgPort))
        : SocketChannel.open(new InetSocketAddress("127.0.0.1", pgPort));
    if (unixDir == null) pg.socket().setTcpNoDelay(true);
    // startup: user postgres, the database; trust auth
    ByteBuffer startup = ByteBuffer.allocate(256);
    startup.putInt(0).putInt(196608);
    for (String s : new String[] {"user", "postgres", "database", database, ""}) {
      startup.put(s.getBytes(StandardCharsets.UTF_8));
      if (!s.isEmpty()) startup.put((byte) 0);
    }
    startup.put((byte) 0);
    startup.putInt(0, startup.position());
    startup.flip();
    while (startup.hasRemaining()) pg.write(startup);
    // read until ReadyForQuery
    ByteBuffer b = ByteBuffer.allocate(1 << 16);
    while (true) {
      pg.read(b);
      b.flip();
      boolean ready = false;
      while (b.remaining() >= 5) {
        byte type = b.get(b.position());
        int len = b.getInt(b.position() + 1);
        if (b.remaining() < len + 1) break;
        if (type == 'Z') ready = true;
        if (type == 'E') throw new IOException("startup failed");
        b.position(b.position() + len + 1);
      }
      b.compact();
      if (ready) break;
    }
    pg.configureBlocking(false);
    pg.register(selector, SelectionKey.OP_READ);
  }

  void loop() throws IOException {
    while (true) {
      selector.select();
      Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
      while (keys.hasNext()) {
        SelectionKey key = keys.next();
        keys.remove();
        if (!key.isValid()) continue;
        if (key.isAcceptable()) {
          SocketChannel c = server.accept();
          if (c == null) continue;
          c.socket().setTcpNoDelay(true);
          c.configureBlocking(false);
          c.register(selector, SelectionKey.OP_READ, new Client(nextId++, c));
        } else if (key.channel() == pg) {
          if (pg.read(pgIn) < 0) throw new IOException("pg closed");
          fromPg();
        } else {
          Client client = (Client) key.attachment();
          int n;
          try { n = client.channel.read(client.in); } catch (IOException e) { n = -1; }
          if (n < 0) { key.cancel(); client.channel.close(); continue; }
          fromClient(client);
        }
      }
      flush(pg, pgOut);
      for (Client c : dirty) flush(c.channel, c.out);
      dirty.clear();
    }
  }

  static void flush(SocketChannel ch, ByteBuffer out) throws IOException {
    if (out.position() == 0) return;
    out.flip();
    while (out.hasRemaining()) ch.write(out);
    out.clear();
  }

  void fromClient(Client c) throws IOException {
    ByteBuffer b = c.in;
    b.flip();
    while (true) {
      if (!c.started) {
        if (b.remaining() < 8) break;
        int len = b.getInt(b.position());
        if (b.remaining() < len) break;
        int code = b.getInt(b.position() + 4);
        b.position(b.position() + len);
        if (code == 80877103) { c.out.put((byte) 'N'); dirty.add(c); continue; }
        c.started = true;
        putMessage(c.out, 'R', new byte[] {0, 0, 0, 0});
        param(c.out, "server_version", "14.0");
        param(c.out, "client_encoding", "UTF8");
        param(c.out, "DateStyle", "ISO, MDY");
        param(c.out, "integer_datetimes", "on");
        param(c.out, "standard_conforming_strings", "on");
        param(c.out, "TimeZone", "UTC");
        putMessage(c.out, 'K', new byte[] {0, 0, 0, 1, 0, 0, 0, 2});
        putMessage(c.out, 'Z', new byte[] {'I'});
        dirty.add(c);
        continue;
      }
      if (b.remaining() < 5) break;
      byte type = b.get(b.position());
      int len = b.getInt(b.position() + 1);
      if (b.remaining() < len + 1) break;
      byte[] body = new byte[len - 4];
      b.position(b.position() + 5);
      b.get(body);
      switch (type) {
        case 'P' -> { // Parse: name, query, ...
          int end = zero(body, 0);
          writeRenamed(type, c, body, 0, end);
        }
        case 'B' -> { // Bind: portal, statement, ...
          int p1 = zero(body, 0);
          int p2 = zero(body, p1 + 1);
          // rename statement (second string) only
          byte[] stmt = java.util.Arrays.copyOfRange(body, p1 + 1, p2);
          byte[] renamed = rename(c, stmt);
          int newLen = 4 + (p1 + 1) + renamed.length + 1 + (body.length - p2 - 1);
          pgOut.put(type).putInt(newLen).put(body, 0, p1 + 1).put(renamed).put((byte) 0)
              .put(body, p2 + 1, body.length - p2 - 1);
        }
        case 'D', 'C' -> {
          if (body[0] == 'S') {
            byte[] stmt = java.util.Arrays.copyOfRange(body, 1, zero(body, 1));
            byte[] renamed = rename(c, stmt);
            pgOut.put(type).putInt(4 + 1 + renamed.length + 1).put((byte) 'S').put(renamed).put((byte) 0);
          } else {
            pgOut.put(type).putInt(len).put(body);
          }
        }
        case 'X' -> { c.channel.close(); b.clear(); return; }
        case 'S', 'Q' -> {
          pgOut.put(type).putInt(len).put(body);
          waiting.add(c);
        }
        default -> pgOut.put(type).putInt(len).put(body);
      }
    }
    b.compact();
  }

  void writeRenamed(byte type, Client c, byte[] body, int start, int end) {
    byte[] renamed = rename(c, java.util.Arrays.copyOfRange(body, start, end));
    pgOut.put(type).putInt(4 + renamed.length + (body.length - end)).put(renamed).put(body, end, body.length - end);
  }

  static byte[] rename(Client c, byte[] name) {
    if (name.length == 0) return name;
    return ("c" + c.id + "_" + new String(name, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
  }

  static int zero(byte[] b, int from) {
    for (int i = from; i < b.length; i++) if (b[i] == 0) return i;
    return b.length;
  }

  void fromPg() {
    ByteBuffer b = pgIn;
    b.flip();
    while (b.remaining() >= 5) {
      byte type = b.get(b.position());
      int len = b.getInt(b.position() + 1);
      if (b.remaining() < len + 1) break;
      Client c = waiting.peek();
      if (c != null) {
        int limit = b.limit();
        b.limit(b.position() + len + 1);
        c.out.put(b);
        b.limit(limit);
        dirty.add(c);
        if (type == 'Z') waiting.poll();
      } else {
        b.position(b.position() + len + 1);
      }
    }
    b.compact();
  }

  static void param(ByteBuffer out, String k, String v) {
    byte[] kb = k.getBytes(StandardCharsets.UTF_8), vb = v.getBytes(StandardCharsets.UTF_8);
    out.put((byte) 'S').putInt(4 + kb.length + 1 + vb.length + 1).put(kb).put((byte) 0).put(vb).put((byte) 0);
  }

  static void putMessage(ByteBuffer out, char type, byte[] body) {
    out.put((byte) type).putInt(4 + body.length).put(body);
  }
}
