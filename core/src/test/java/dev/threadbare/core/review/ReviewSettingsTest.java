package dev.threadbare.core.review;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class ReviewSettingsTest {

  @Test
  void readsTheReviewSectionAndDefaultsWhatItLeavesOut() {
    assertThat(ReviewSettings.parse("[ci]\ntest = \"make\"\n")).isEqualTo(ReviewSettings.DEFAULTS);
    assertThat(ReviewSettings.parse("[review]\napprovals = 2\nprotect_main = true\n"))
        .isEqualTo(new ReviewSettings(2, true));
    assertThat(ReviewSettings.parse("[review]\nprotect_main = true\n"))
        .isEqualTo(new ReviewSettings(0, true));
    assertThat(new ReviewSettings(1, false).gated()).isTrue();
    assertThat(ReviewSettings.DEFAULTS.gated()).isFalse();
  }

  @Test
  void badValuesNameTheKeyAndTheRule() {
    assertThatThrownBy(() -> ReviewSettings.parse("[review]\napprovals = \"two\"\n"))
        .isInstanceOf(ReviewSettingsException.class)
        .hasMessageContaining("[review] approvals must be a whole number");
    assertThatThrownBy(() -> ReviewSettings.parse("[review]\napprovals = -1\n"))
        .hasMessageContaining("[review] approvals = -1 is out of range");
    assertThatThrownBy(() -> ReviewSettings.parse("[review]\nprotect_main = \"yes\"\n"))
        .hasMessageContaining("[review] protect_main must be true or false");
    assertThatThrownBy(() -> ReviewSettings.parse("review = 3\n"))
        .hasMessageContaining("`review` must be a table");
    assertThatThrownBy(() -> ReviewSettings.parse("[review\n"))
        .hasMessageContaining("threadbare.toml is not valid TOML");
  }

  @Test
  void aDecisionIsRecognisedByItsMarker() {
    String text =
        MergeDecision.text(
            "thread/1.000100", new TreeSet<>(List.of("U2", "U1")), "0123456789abcdef");
    assertThat(text)
        .isEqualTo(
            "Merge accepted: `thread/1.000100` into `main` (approved by <@U1>, <@U2>; CI green on"
                + " `0123456789`).");
    assertThat(MergeDecision.isDecision(text)).isTrue();
    assertThat(MergeDecision.isDecision("merge accepted? no")).isFalse();
    assertThat(MergeDecision.text("thread/1.000100", new TreeSet<>(), null))
        .isEqualTo("Merge accepted: `thread/1.000100` into `main` (no approvals needed).");
  }
}
