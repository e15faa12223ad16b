package dev.threadbare.pgwire;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Laws of the value codec: what the server writes, it (and PostgreSQL clients) read back. */
class PgTypesProperties {

  @Provide
  Arbitrary<BigDecimal> decimals() {
    return Arbitraries.bigIntegers()
        .between(BigInteger.TEN.pow(40).negate(), BigInteger.TEN.pow(40))
        .flatMap(
            unscaled ->
                Arbitraries.integers()
                    .between(-8, 30)
                    .map(scale -> new BigDecimal(unscaled, scale)));
  }

  @Property
  void binaryNumericRoundTrips(@ForAll("decimals") BigDecimal value) {
    BigDecimal decoded = PgTypes.decodeNumeric(PgTypes.encodeNumeric(value));
    assertThat(decoded).isEqualByComparingTo(value);
    assertThat(decoded.scale()).isEqualTo(Math.max(value.scale(), 0));
  }

  @Property
  void textNumericParameterReadsWhatTextOutputWrote(@ForAll("decimals") BigDecimal value) {
    byte[] text = PgTypes.toText(value).getBytes(StandardCharsets.UTF_8);
    BigDecimal decoded = (BigDecimal) PgTypes.decodeParameter(text, PgTypes.NUMERIC, false, 1);
    assertThat(decoded).isEqualByComparingTo(value);
    assertThat(decoded.scale()).isEqualTo(Math.max(value.scale(), 0)); // numeric has no E notation
  }

  @Property
  void float8TextIsShortestAndExact(@ForAll double value) {
    String text = PgTypes.toText(value);
    Object decoded =
        PgTypes.decodeParameter(text.getBytes(StandardCharsets.UTF_8), PgTypes.FLOAT8, false, 1);
    assertThat((Double) decoded).isEqualTo(value);
    assertThat(text).doesNotContain("E").doesNotEndWith(".0");
  }

  @Property
  void timestampsRoundTripInTextAndBinary(
      @ForAll("instants") LocalDateTime value, @ForAll boolean binary) {
    byte[] wire =
        binary
            ? PgTypes.encodeBinary(value, PgTypes.TIMESTAMP)
            : PgTypes.toText(value).getBytes(StandardCharsets.UTF_8);
    assertThat(PgTypes.decodeParameter(wire, PgTypes.TIMESTAMP, binary, 1)).isEqualTo(value);

    OffsetDateTime utc = value.atOffset(ZoneOffset.UTC);
    byte[] tz =
        binary
            ? PgTypes.encodeBinary(utc, PgTypes.TIMESTAMPTZ)
            : PgTypes.toText(utc).getBytes(StandardCharsets.UTF_8);
    assertThat(PgTypes.decodeParameter(tz, PgTypes.TIMESTAMPTZ, binary, 1)).isEqualTo(utc);
  }

  @Provide
  Arbitrary<LocalDateTime> instants() {
    return Arbitraries.longs()
        .between(-30_000_000_000L, 200_000_000_000L)
        .flatMap(
            seconds ->
                Arbitraries.integers()
                    .between(0, 999_999)
                    .map(
                        micros ->
                            LocalDateTime.ofEpochSecond(seconds, micros * 1000, ZoneOffset.UTC)));
  }

  @Property
  void byteaTextRoundTrips(@ForAll byte[] value) {
    byte[] text = PgTypes.toText(value).getBytes(StandardCharsets.UTF_8);
    assertThat((byte[]) PgTypes.decodeParameter(text, PgTypes.BYTEA, false, 1)).isEqualTo(value);
  }
}
