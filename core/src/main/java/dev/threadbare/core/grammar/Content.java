package dev.threadbare.core.grammar;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The content rules every piece that reads or writes a file's text shares: what counts as text
 * (strict UTF-8) and how a code block's content is normalised. Stateless.
 */
public final class Content {

  private Content() {}

  /**
   * A code block's content as the repository keeps it: CRLF and lone CR become LF, and it ends with
   * exactly one newline, or is empty when blank. (An upload is kept as it is.)
   */
  public static String normalize(String body) {
    String text = body;
    if (text.indexOf('\r') >= 0) {
      text = text.replace("\r\n", "\n").replace('\r', '\n');
    }
    int end = text.length();
    while (end > 0 && text.charAt(end - 1) == '\n') {
      end--;
    }
    return end == 0 ? "" : text.substring(0, end) + "\n";
  }

  /** {@code bytes} as text if they are valid UTF-8 (malformed input is refused), else null. */
  public static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
