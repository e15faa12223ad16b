package dev.threadbare.pgwire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The text forms PostgreSQL prints (DateStyle ISO, TimeZone UTC) for each kind of value. */
class PgTypesTest {

  @Test
  void textOutputMatchesPostgres() {
    assertThat(PgTypes.toText(true)).isEqualTo("t");
    assertThat(PgTypes.toText(false)).isEqualTo("f");
    assertThat(PgTypes.toText(1e20)).isEqualTo("1e+20");
    assertThat(PgTypes.toText(0.1)).isEqualTo("0.1");
    assertThat(PgTypes.toText(1.0)).isEqualTo("1");
    assertThat(PgTypes.toText(1.5e-7)).isEqualTo("1.5e-07");
    assertThat(PgTypes.toText(123456789.0)).isEqualTo("123456789");
    assertThat(PgTypes.toText(Double.NaN)).isEqualTo("NaN");
    assertThat(PgTypes.toText(Double.NEGATIVE_INFINITY)).isEqualTo("-Infinity");
    assertThat(PgTypes.toText(new BigDecimal("1E+3"))).isEqualTo("1000");
    assertThat(PgTypes.toText(new byte[] {0, 15, (byte) 255})).isEqualTo("\\x000fff");
    assertThat(PgTypes.toText(LocalDate.of(2024, 3, 1))).isEqualTo("2024-03-01");
    assertThat(PgTypes.toText(LocalDate.of(-43, 3, 15))).isEqualTo("0044-03-15 BC");
    assertThat(PgTypes.toText(LocalDateTime.of(2024, 3, 1, 4, 5, 6, 120_000_000)))
        .isEqualTo("2024-03-01 04:05:06.12");
    assertThat(PgTypes.toText(LocalDateTime.of(2024, 3, 1, 4, 5))).isEqualTo("2024-03-01 04:05:00");
    assertThat(
            PgTypes.toText(
                OffsetDateTime.of(2024, 3, 1, 4, 5, 6, 0, ZoneOffset.ofHoursMinutes(5, 30))))
        .isEqualTo("2024-02-29 22:35:06+00");
    assertThat(PgTypes.toText(LocalTime.of(23, 0, 1, 1000))).isEqualTo("23:00:01.000001");
    assertThat(PgTypes.toText(new UUID(0, 1))).isEqualTo("00000000-0000-0000-0000-000000000001");
    assertThat(PgTypes.toText(List.of(1, 2))).isEqualTo("{1,2}");
    assertThat(PgTypes.toText(java.util.Arrays.asList("a b", null, "c")))
        .isEqualTo("{\"a b\",NULL,c}");
  }

  @Test
  void textParametersParseAsTheirDeclaredType() {
    assertThat(decode("42", PgTypes.INT4)).isEqualTo(42);
    assertThat(decode("42", PgTypes.INT8)).isEqualTo(42L);
    assertThat(decode("yes", PgTypes.BOOL)).isEqualTo(true);
    assertThat(decode("2024-01-02 03:04:05+05:30", PgTypes.TIMESTAMPTZ))
        .isEqualTo(OffsetDateTime.of(2024, 1, 1, 21, 34, 5, 0, ZoneOffset.UTC));
    assertThat(decode("2024-01-02 03:04:05-08", PgTypes.TIMESTAMPTZ))
        .isEqualTo(OffsetDateTime.of(2024, 1, 2, 11, 4, 5, 0, ZoneOffset.UTC));
    assertThat(decode("2024-01-02", PgTypes.TIMESTAMP))
        .isEqualTo(LocalDateTime.of(2024, 1, 2, 0, 0));
    assertThat((byte[]) decode("a\\\\b\\001", PgTypes.BYTEA)).containsExactly('a', '\\', 'b', 1);
    assertThat(decode("anything", PgTypes.UNSPECIFIED))
        .isEqualTo(new dev.threadbare.db.UntypedParameter("anything"));
    assertThat(PgTypes.decodeParameter(new byte[] {0, -1}, PgTypes.UNSPECIFIED, true, 1))
        .isEqualTo(new byte[] {0, -1});
  }

  @Test
  void badParametersNameThePositionTypeAndValue() {
    assertThatThrownBy(() -> decode("twelve", PgTypes.INT4))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageStartingWith("parameter $3 (\"twelve\") is not a valid int4 value")
        .extracting(e -> ((PgWireException) e).sqlState())
        .isEqualTo("22P02");
    assertThatThrownBy(() -> decode("maybe", PgTypes.BOOL))
        .hasMessage(
            "parameter $3 (\"maybe\") is not a valid bool value: a boolean is one of t, true, yes,"
                + " on, 1 / f, false, no, off, 0");
  }

  @Test
  void setApplicationNameIsRecognisedExactly() {
    assertThat(
            PgSession.applicationNameAssignment("SET application_name = 'PostgreSQL JDBC Driver'"))
        .isEqualTo("PostgreSQL JDBC Driver");
    assertThat(PgSession.applicationNameAssignment(" set SESSION application_name TO 'it''s';"))
        .isEqualTo("it's");
    assertThat(PgSession.applicationNameAssignment("SET application_name = 'a'; DROP TABLE t"))
        .isNull();
    assertThat(PgSession.applicationNameAssignment("SET application_nameTO 'a'")).isNull();
    assertThat(PgSession.applicationNameAssignment("SET search_path = 'a'")).isNull();
  }

  private static Object decode(String text, int oid) {
    return PgTypes.decodeParameter(text.getBytes(StandardCharsets.UTF_8), oid, false, 3);
  }
}
