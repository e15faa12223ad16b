package dev.threadbare.workspace.internal.api;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.Chars;

/** Laws of Slack's text escaping. */
class SlackTextProperties {

  @Property
  void normalizingIsIdempotent(
      @ForAll
          @Chars({'<', '>', '&', '@', '#', '|', ' ', '\n', 'a', ';', ':', '/'})
          @CharRange(from = 'a', to = 'z')
          String text) {
    String once = SlackText.normalize(text);
    assertThat(SlackText.normalize(once)).isEqualTo(once);
  }

  @Property
  void escapingRoundTrips(@ForAll String raw) {
    assertThat(SlackText.unescape(SlackText.escape(raw))).isEqualTo(raw);
  }

  @Property
  void typedTextWithoutUrlsRoundTrips(
      @ForAll @Chars({'<', '>', '&', ' ', '\n', '`', '"'}) @CharRange(from = 'a', to = 'z')
          String typed) {
    assertThat(SlackText.unescape(SlackText.fromTyped(typed))).isEqualTo(typed);
  }
}
