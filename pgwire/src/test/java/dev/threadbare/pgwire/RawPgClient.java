package dev.threadbare.pgwire;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A deliberately naive PostgreSQL client over a raw socket, for sending what real drivers never
 * send. Not thread safe.
 */
final class RawPgClient implements AutoCloseable {
  /** A received message: its type byte and body. */
  static final class Message {
    private final char type;
    private final byte[] body;

    Message(char type, byte[] body) {
      this.type = type;
      this.body = body;
    }

    char type() {
      return type;
    }

    byte[] body() {
      return body;
    }

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    /** The fields of an ErrorResponse or NoticeResponse, by code. */
    Map<Character, String> fields() {
      Map<Character, String> fields = new HashMap<>();
      int at = 0;
      while (at < body.length && body[at] != 0) {
        char code = (char) body[at++];
        int end = at;
        while (body[end] != 0) {
          end++;
        }
        fields.put(code, new String(body, at, end - at, StandardCharsets.UTF_8));
        at = end + 1;
      }
      return fields;
    }
  }

  final Socket socket;
  final DataInputStream in;
  final DataOutputStream out;

  RawPgClient(int port) throws IOException {
    socket = new Socket(java.net.InetAddress.getLoopbackAddress(), port);
    socket.setSoTimeout(10_000);
    in = new DataInputStream(socket.getInputStream());
    out = new DataOutputStream(socket.getOutputStream());
  }

  /** Connects and authenticates with a cleartext password (the server must allow it). */
  static RawPgClient authenticated(int port, String user, String password) throws IOException {
    RawPgClient client = new RawPgClient(port);
    client.startup(user, "app");
    Message auth = client.read();
    if (auth.type() != 'R') {
      throw new IOException("expected an authentication request, got " + auth.type());
    }
    client.send('p', cstring(password));
    client.readUntil('Z');
    return client;
  }

  void startup(String user, String database) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(int32(196608));
    body.writeBytes(cstring("user"));
    body.writeBytes(cstring(user));
    body.writeBytes(cstring("database"));
    body.writeBytes(cstring(database));
    body.write(0);
    out.writeInt(body.size() + 4);
    out.write(body.toByteArray());
    out.flush();
  }

  void send(char type, byte[]... parts) throws IOException {
    int length = 4;
    for (byte[] part : parts) {
      length += part.length;
    }
    out.writeByte(type);
    out.writeInt(length);
    for (byte[] part : parts) {
      out.write(part);
    }
    out.flush();
  }

  void sendRaw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  Message read() throws IOException {
    char type = (char) in.readUnsignedByte();
    int length = in.readInt();
    byte[] body = new byte[length - 4];
    in.readFully(body);
    return new Message(type, body);
  }

  /** Reads messages up to and including the first of {@code type}; returns them all. */
  java.util.List<Message> readUntil(char type) throws IOException {
    java.util.List<Message> messages = new java.util.ArrayList<>();
    while (true) {
      Message message = read();
      messages.add(message);
      if (message.type() == type) {
        return messages;
      }
    }
  }

  /** Whether the server has closed the connection (reads EOF or a reset). */
  boolean closedByServer() throws IOException {
    try {
      return in.read() == -1;
    } catch (EOFException | SocketException e) {
      return true;
    }
  }

  static byte[] cstring(String value) {
    byte[] text = value.getBytes(StandardCharsets.UTF_8);
    byte[] result = new byte[text.length + 1];
    System.arraycopy(text, 0, result, 0, text.length);
    return result;
  }

  static byte[] int32(int value) {
    return new byte[] {
      (byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value
    };
  }

  static byte[] int16(int value) {
    return new byte[] {(byte) (value >>> 8), (byte) value};
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
