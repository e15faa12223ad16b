package dev.threadbare.pgwire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.threadbare.db.ResultColumn;
import dev.threadbare.pgwire.BackendMessage.ColumnFormat;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Framing laws of the codec, byte for byte. */
class PgCodecTest {

  @Test
  void aValueThatCannotBeEncodedLeavesNoHalfMessageBehind() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PgCodec codec = new PgCodec(new ByteArrayInputStream(new byte[0]), out, 1 << 20);
    List<ColumnFormat> binaryInt4 = List.of(new ColumnFormat(PgTypes.INT4, true));
    assertThatThrownBy(
            () ->
                codec.write(
                    new BackendMessage.DataRow(Arrays.asList((Object) "not a number"), binaryInt4)))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("value `not a number` cannot be sent as binary int4");
    codec.write(new BackendMessage.CommandComplete("SELECT 0"));
    codec.flush();
    assertThat(out.toByteArray())
        .isEqualTo(new byte[] {'C', 0, 0, 0, 13, 'S', 'E', 'L', 'E', 'C', 'T', ' ', '0', 0});
  }

  @Test
  void rowDescriptionAndDataRowInText() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PgCodec codec = new PgCodec(new ByteArrayInputStream(new byte[0]), out, 1 << 20);
    List<ColumnFormat> text = List.of(new ColumnFormat(PgTypes.BOOL, false));
    codec.write(
        new BackendMessage.RowDescription(List.of(new ResultColumn("ok", PgTypes.BOOL)), text));
    codec.write(new BackendMessage.DataRow(Arrays.asList((Object) true), text));
    codec.flush();
    assertThat(out.toByteArray())
        .isEqualTo(
            new byte[] {
              'T', 0, 0, 0, 27, 0, 1, 'o', 'k', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16, 0, 1, -1, -1, -1,
              -1, 0, 0, //
              'D', 0, 0, 0, 11, 0, 1, 0, 0, 0, 1, 't'
            });
  }
}
