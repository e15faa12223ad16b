package dev.threadbare.pgwire;

import java.nio.charset.StandardCharsets;

/**
 * Reads the fields of one received message body with bounds checks, so a malformed message becomes
 * a {@link ProtocolViolationException} naming the message and the field instead of a crash. Not
 * thread safe; one per message.
 */
final class MessageBody {
  private final String messageName;
  private final byte[] bytes;
  private int position;

  MessageBody(String messageName, byte[] bytes) {
    this.messageName = messageName;
    this.bytes = bytes;
  }

  int remaining() {
    return bytes.length - position;
  }

  private void need(int count, String field) {
    if (count < 0 || remaining() < count) {
      throw new ProtocolViolationException(
          messageName
              + " message is malformed: field `"
              + field
              + "` needs "
              + count
              + " bytes but only "
              + remaining()
              + " remain; the message length must cover every field");
    }
  }

  byte int8(String field) {
    need(1, field);
    return bytes[position++];
  }

  short int16(String field) {
    need(2, field);
    short value = (short) (((bytes[position] & 0xff) << 8) | (bytes[position + 1] & 0xff));
    position += 2;
    return value;
  }

  int int32(String field) {
    need(4, field);
    int value =
        ((bytes[position] & 0xff) << 24)
            | ((bytes[position + 1] & 0xff) << 16)
            | ((bytes[position + 2] & 0xff) << 8)
            | (bytes[position + 3] & 0xff);
    position += 4;
    return value;
  }

  /** A count field (int16) that must not be negative. */
  int count16(String field) {
    int count = int16(field);
    if (count < 0) {
      throw new ProtocolViolationException(
          messageName + " message is malformed: `" + field + "` is " + count + ", counts are >= 0");
    }
    return count;
  }

  byte[] bytes(int count, String field) {
    need(count, field);
    byte[] value = new byte[count];
    System.arraycopy(bytes, position, value, 0, count);
    position += count;
    return value;
  }

  /** A NUL-terminated UTF-8 string. */
  String cstring(String field) {
    int end = position;
    while (end < bytes.length && bytes[end] != 0) {
      end++;
    }
    if (end >= bytes.length) {
      throw new ProtocolViolationException(
          messageName
              + " message is malformed: string field `"
              + field
              + "` has no terminating NUL byte within the message");
    }
    String value = new String(bytes, position, end - position, StandardCharsets.UTF_8);
    position = end + 1;
    return value;
  }

  /** Everything that is left. */
  byte[] rest() {
    return bytes(remaining(), "rest");
  }

  void expectEnd() {
    if (remaining() != 0) {
      throw new ProtocolViolationException(
          messageName
              + " message is malformed: "
              + remaining()
              + " unexpected bytes after its last field; the length must match the fields");
    }
  }
}
