package dev.threadbare.gitserve.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class GitHttpPathTest {
  @Test
  void theChannelIsTheFirstSegmentWithoutDotGit() {
    assertThat(GitHttp.channelName("/general.git/info/refs")).isEqualTo("general");
    assertThat(GitHttp.channelName("/general/info/refs")).isEqualTo("general");
    assertThat(GitHttp.channelName("/my.github.git/git-upload-pack")).isEqualTo("my.github");
    assertThat(GitHttp.channelName("/C0PUB.git")).isEqualTo("C0PUB");
    assertThat(GitHttp.channelName(null)).isNull();
  }

  @Test
  void theTokenIsTheBasicPasswordOrTheBearer() {
    String basic =
        "Basic "
            + Base64.getEncoder()
                .encodeToString("anyone:tbp_abc:d".getBytes(StandardCharsets.UTF_8));
    assertThat(Access.tokenFrom(basic)).hasValue("tbp_abc:d");
    assertThat(Access.tokenFrom("Bearer tbp_xyz")).hasValue("tbp_xyz");
    assertThat(Access.tokenFrom("Basic !!!")).isEmpty();
    assertThat(Access.tokenFrom("Digest x")).isEmpty();
    assertThat(Access.tokenFrom(null)).isEmpty();
  }
}
