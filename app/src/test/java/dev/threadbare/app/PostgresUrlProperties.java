package dev.threadbare.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.NumericChars;
import net.jqwik.api.constraints.StringLength;

class PostgresUrlProperties {

  /** Percent-encodes every byte that is not unreserved, as a careful user would. */
  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
  }

  @Property
  void anEncodedUrlParsesBackToItsParts(
      @ForAll
          @CharRange(from = ' ', to = '~')
          @Chars({'é', '€', 'ß'})
          @StringLength(min = 1, max = 20)
          String user,
      @ForAll @CharRange(from = ' ', to = '~') @Chars({'é', '€', 'ß'}) @StringLength(max = 20)
          String password,
      @ForAll @AlphaChars @NumericChars @StringLength(min = 1, max = 20) String host,
      @ForAll @IntRange(min = 1, max = 65535) int port,
      @ForAll
          @CharRange(from = ' ', to = '~')
          @Chars({'é', '€', 'ß'})
          @StringLength(min = 1, max = 20)
          String admin) {
    String url =
        "postgresql://"
            + encode(user)
            + (password.isEmpty() ? "" : ":" + encode(password))
            + "@"
            + host
            + ":"
            + port
            + "/"
            + encode(admin);
    PostgresUrl parsed = PostgresUrl.parse(url);
    assertThat(parsed).isEqualTo(new PostgresUrl(host, port, user, password, admin));
  }
}
